/* The front end of a coopwork dashboard page (coopwork/dashboard/page.py and widgets.py write what it reads).

   Each chart arrives in an ipywidgets HTML widget as inert JSON:
     <div class="cw-plot"><script type="application/json" class="cw-figure">
       {"figure": {...}, "phone": {"layout": {...}, "data": [{...}]} | null, "config": {...}}
     </script><div class="cw-plot-area"></div></div>
   This script draws them with one plotly.js, loaded once, only when there is a chart to draw:
   - one chart at a time, those on the screen first, then the rest of the open tab, letting the
     browser paint between two charts; charts of a closed tab are drawn when it is opened;
   - a screen narrower than NARROW_BELOW gets the phone variant (the figure with "phone" merged
     over it: smaller type, labels wrapped again), a wider one the figure itself; a chart is drawn
     again only when its width changes (a rotated phone, a tab opened after a resize);
   - a chart whose widget is updated (the marks of new notes, another filter) comes as a new
     element and is drawn again;
   - a chart that cannot be drawn keeps its title, followed by what to do (data-failed, in the
     page's language); when plotly.js itself does not load, it is asked for again 3 s later;
   - a click on a bar tells the kernel (through the hidden text widget .cw-page-events) which
     chart and which bar, and the note form opened about it gets the focus;
   - on a phone plotly's toolbar is not shown (it covered the titles and nobody zooms there);
   - the page declares the language it is in (<html lang>, from the title's data-cw-lang).
   And the page never dies (Voilà pages; the kernel publishes its state in .cw-page-state):
   - where the participant is (language, wave, territory, filters, tab, open note form) is kept in
     the tab's sessionStorage; a reloaded page asks its new kernel to come back there;
   - a note is kept in localStorage from the click on "Add" until the kernel says it is stored (sent
     again until then: the kernel stores a note id once), and what is being typed is kept too;
   - the page asks the server every 15 s, and at once when the phone wakes up or the network comes
     back, whether its kernel is still there: gone (culled after a long sleep, server restarted) →
     the page reloads into the same place; no answer → it says it is reconnecting, and asks again.
   Loaded by the dashboard's first HTML widget; the <script> tag carries the plotly URL and the
   phone width in its data attributes. */
(function () {
  'use strict';
  if (window.coopworkPage) { return; }
  window.coopworkPage = true;
  var me = document.currentScript;
  var PLOTLY_URL = me.getAttribute('data-plotly');
  var NARROW_BELOW = Number(me.getAttribute('data-narrow-below')) || 700;
  var loading = null;
  var busy = false;

  function plotly() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        if (window.Plotly) { resolve(window.Plotly); return; }
        var tag = document.createElement('script');
        tag.src = PLOTLY_URL;
        tag.onload = function () { resolve(window.Plotly); };
        tag.onerror = function () { loading = null; reject(new Error('plotly.js did not load')); };
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  function narrow() { return window.innerWidth < NARROW_BELOW; }

  function merged(base, patch) {
    var out = {};
    Object.keys(base).forEach(function (k) { out[k] = base[k]; });
    Object.keys(patch || {}).forEach(function (k) { out[k] = patch[k]; });
    return out;
  }

  function figureFor(payload, phone) {
    var figure = payload.figure;
    if (!phone || !payload.phone) { return figure; }
    var data = figure.data.map(function (trace, i) { return merged(trace, (payload.phone.data || [])[i]); });
    return {data: data, layout: merged(figure.layout, payload.phone.layout)};
  }

  // what the browser keeps, per dashboard page: never an exception (private modes refuse storage)
  function kept(area, key) {
    try { return JSON.parse(window[area].getItem(key) || 'null'); } catch (e) { return null; }
  }
  function keep(area, key, value) {
    try {
      if (value === null) { window[area].removeItem(key); } else { window[area].setItem(key, JSON.stringify(value)); }
    } catch (e) { /* the memory copy below still holds it for this page's life */ }
  }
  var PLACE = 'coopwork-place:' + location.pathname;   // sessionStorage: where this tab was
  var NOTES = 'coopwork-notes:' + location.pathname;   // localStorage: notes not stored yet
  var DRAFT = 'coopwork-draft:' + location.pathname;   // localStorage: the note being typed
  var outbox = kept('localStorage', NOTES) || [];
  var sentAt = 0;

  function setOutbox(notes) {
    outbox = notes;
    keep('localStorage', NOTES, notes.length ? notes : null);
  }

  // every message to the kernel carries the notes still waiting: a message the kernel missed loses nothing
  function send(event) {
    var input = document.querySelector('.cw-page-events input');
    if (!input) { return false; }
    event.at = Date.now();
    if (outbox.length) { event.notes = outbox; sentAt = Date.now(); }
    input.value = JSON.stringify(event);
    input.dispatchEvent(new Event('input', {bubbles: true}));
    return true;
  }

  function chartOf(element) {
    var block = element.closest('.cw-chart');
    var names = block ? Array.prototype.slice.call(block.classList) : [];
    for (var i = 0; i < names.length; i++) {
      if (names[i].indexOf('cw-chart-') === 0) { return [block, names[i].slice(9)]; }
    }
    return [null, null];
  }

  function focusForm(block) {
    var tries = 0;
    var wait = setInterval(function () {
      var box = block.querySelector('.cw-form-box textarea');
      if (box || ++tries > 30) {
        clearInterval(wait);
        if (box) { box.scrollIntoView({block: 'center'}); box.focus({preventScroll: true}); }
      }
    }, 100);
  }

  function hook(area) {
    area.on('plotly_click', function (data) {
      var point = data && data.points && data.points[0];
      var ids = point && point.data && point.data.ids;
      var found = chartOf(area);
      if (!ids || !found[1] || point.data.type !== 'bar') { return; }
      send({chart: found[1], bar: String(ids[point.pointNumber])});
      focusForm(found[0]);
    });
  }

  function draw(holder) {
    var payload = JSON.parse(holder.querySelector('script.cw-figure').textContent);
    var area = holder.querySelector('.cw-plot-area');
    var phone = narrow();
    var figure = figureFor(payload, phone);
    var config = phone ? merged(payload.config, {displayModeBar: false}) : payload.config;
    return plotly().then(function (Plotly) {
      var first = !holder.coopworkDrawn;
      var drawing = !first && holder.coopworkPhone === phone
        ? Plotly.Plots.resize(area)  // only its width changed
        : Plotly.react(area, figure.data, figure.layout, config);
      return drawing.then(function () {
        holder.coopworkDrawn = true;
        holder.coopworkPhone = phone;
        holder.coopworkWidth = area.clientWidth;
        holder.classList.add('cw-drawn');
        if (first) { hook(area); }
      });
    });
  }

  function onScreen(element) {
    var box = element.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }

  // the next chart to draw: not drawn yet (or drawn for another width), shown, on the screen first
  function next() {
    var waiting = [];
    document.querySelectorAll('.cw-plot').forEach(function (holder) {
      if (holder.offsetParent === null) { return; }  // in a closed tab
      if (!holder.coopworkDrawn || holder.coopworkPhone !== narrow() ||
          Math.abs(holder.coopworkWidth - holder.querySelector('.cw-plot-area').clientWidth) > 1) {
        waiting.push(holder);
      }
    });
    return waiting.filter(onScreen)[0] || waiting[0] || null;
  }

  function failed(holder, error) {
    holder.coopworkDrawn = true;  // not again and again: its title stays, with what to do
    holder.coopworkPhone = narrow();
    holder.coopworkWidth = holder.querySelector('.cw-plot-area').clientWidth;
    holder.classList.add('cw-failed');
    var wait = holder.querySelector('.cw-plot-wait');
    if (wait && holder.getAttribute('data-failed')) {
      wait.textContent = wait.textContent + ' — ' + holder.getAttribute('data-failed');
    }
    console.error('coopwork: a chart could not be drawn', error);
  }

  var retryAt = 0;  // plotly.js did not load (a phone's network): try again a little later

  function declareLanguage() {
    var marked = document.querySelector('[data-cw-lang]');
    var lang = marked && marked.getAttribute('data-cw-lang');
    if (lang && document.documentElement.lang !== lang) { document.documentElement.lang = lang; }
  }

  function work() {
    declareLanguage();
    if (busy || Date.now() < retryAt) { return; }
    var holder = next();
    if (!holder) { return; }
    busy = true;
    draw(holder).catch(function (error) {
      if (loading === null) { retryAt = Date.now() + 3000; } else { failed(holder, error); }
    }).then(function () {
      busy = false;
      setTimeout(work, 0);  // the browser paints this chart before the next is drawn
    });
  }

  // -- the kernel's state, the notes, and a page that never dies ---------------------------------------
  var VOILA = document.body && document.body.getAttribute('data-voila') === 'voila';
  var config = {};
  try { config = JSON.parse(document.getElementById('jupyter-config-data').textContent); } catch (e) { config = {}; }
  var KINDS = ['see', 'means', 'do'];
  var shown = null;        // the kernel's last page state: {state, acks, texts}
  var stateText = '';
  var draft = kept('localStorage', DRAFT);
  var draftToRestore = draft && draft.text ? draft : null;

  function banner(text) {
    var box = document.getElementById('cw-banner');
    if (!text) { if (box) { box.style.display = 'none'; } return; }
    if (!box) {
      box = document.createElement('div');
      box.id = 'cw-banner';
      box.setAttribute('role', 'status');
      box.style.cssText = 'position:fixed;left:0;right:0;bottom:0;z-index:1000;padding:.7em 1em;' +
        'background:#fff6e0;border-top:3px solid #e0a100;color:#1d2433;font:16px Verdana,Arial,sans-serif';
      document.body.appendChild(box);
    }
    box.textContent = text;
    box.style.display = 'block';
  }
  function text(key) { return (shown && shown.texts && shown.texts[key]) || ''; }

  // what the page says at its foot: the connection is lost, notes wait here (or nothing)
  var lost = false;
  function say() {
    var late = outbox.some(function (note) { return Date.now() - (note.at || 0) > 4000; });
    var parts = [];
    if (lost) { parts.push(text('page_reconnecting')); }
    if (late) { parts.push(text('note_kept')); }
    banner(parts.join(' ') || null);
  }

  function samePlace(a, b) {
    var keys = ['territory', 'wave', 'lang', 'org', 'section', 'tab'];
    for (var i = 0; i < keys.length; i++) { if (String(a[keys[i]]) !== String(b[keys[i]])) { return false; } }
    var f = a.form || {}, g = b.form || {};
    return f.chart === g.chart && (f.about || '') === (g.about || '');
  }

  // the kernel published its state: keep the place, drop the notes it stored, come back after a reload
  function readState() {
    var tag = document.querySelector('.cw-page-state script.cw-state');
    if (!tag || tag.textContent === stateText) { return; }
    stateText = tag.textContent;
    var first = shown === null;
    try { shown = JSON.parse(stateText); } catch (e) { return; }
    var before = kept('sessionStorage', PLACE);
    if (first && VOILA && before && !samePlace(before, shown.state)) {
      send({restore: before});  // the kernel answers with the restored state, kept then
    } else {
      keep('sessionStorage', PLACE, shown.state);
      if (first && outbox.length) { send({}); }
    }
    var acks = shown.acks || {};
    var waiting = outbox.filter(function (note) { return acks[note.id] === undefined; });
    if (waiting.length !== outbox.length) {
      outbox.forEach(function (note) {
        if (acks[note.id] !== undefined && acks[note.id] !== 'stored') { giveBack(note); }
      });
      setOutbox(waiting);
      say();
    }
  }

  function formBox() { return document.querySelector('.cw-form-box'); }

  // a note the kernel refused (too long, empty…): its text goes back into the form, the form says why
  function giveBack(note) {
    var box = formBox();
    var area = box && box.querySelector('.cw-text-input textarea');
    if (area && !area.value) { area.value = note.text; area.dispatchEvent(new Event('input', {bubbles: true})); }
  }

  // the note of the form under ``button``, kept here until the kernel says it is stored; the kernel's
  // word on which chart the form is under may be a moment behind the form itself: wait for it
  function addNote(button, tries) {
    if (!tries) {  // "Add" was pressed: should the page reload before the note is kept, it presses it again
      var typed = kept('localStorage', DRAFT);
      if (typed && typed.text) { typed.add = true; keep('localStorage', DRAFT, typed); }
    }
    readState();
    var box = button.closest('.cw-form-box');
    var block = button.closest('.cw-chart');
    var form = shown && shown.state && shown.state.form;
    if (!box || !block) { return; }
    if (!form || !block.classList.contains('cw-chart-' + form.css)) {
      if ((tries || 0) < 50) { setTimeout(function () { addNote(button, (tries || 0) + 1); }, 200); }
      return;
    }
    var area = box.querySelector('.cw-text-input textarea');
    var about = box.querySelector('.cw-about-input select');
    var kind = box.querySelector('.cw-kind-input select');
    var name = box.querySelector('.cw-name-input input');
    var note = {
      id: Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 12),
      chart: form.chart, about: (about && form.keys[about.selectedIndex]) || '',
      kind: KINDS[kind ? kind.selectedIndex : 0] || 'see', text: area ? area.value : '',
      name: name ? name.value : '', territory: shown.state.territory, wave: shown.state.wave,
      lang: shown.state.lang, at: Date.now()
    };
    var again = outbox.some(function (other) { return other.chart === note.chart && other.text === note.text; });
    if (!again) { setOutbox(outbox.concat([note])); }
    keep('localStorage', DRAFT, null);
    draftToRestore = null;
    send({});
  }

  // "Add" is the page's business: the note is kept here first, then sent (the kernel's button does nothing)
  document.addEventListener('click', function (event) {
    var button = event.target && event.target.closest && event.target.closest('.cw-add-note');
    if (!button) { return; }
    event.stopPropagation();
    event.preventDefault();
    addNote(button);
  }, true);

  // what is being typed is kept, with the chart it is written under (its CSS id: the page knows it at once)
  document.addEventListener('input', function (event) {
    var area = event.target;
    if (!area || !area.closest || !area.closest('.cw-text-input')) { return; }
    var css = chartOf(area)[1];
    if (css) { keep('localStorage', DRAFT, {css: css, text: area.value}); }
  }, true);

  // after a reload: the note that was being typed comes back into its form, once the form is there again
  function restoreDraft() {
    if (!draftToRestore || !shown) { return; }
    if (!shown.state.form || shown.state.form.css !== draftToRestore.css) {
      // "Add" was pressed before the kernel heard of the form (the server went down meanwhile): open it again
      var write = draftToRestore.add && !draftToRestore.opened &&
        document.querySelector('.cw-chart-' + draftToRestore.css + ' .cw-write-note');
      if (write) { draftToRestore.opened = true; write.click(); }
      return;
    }
    var area = formBox() && formBox().querySelector('.cw-text-input textarea');
    if (!area) { return; }
    if (!area.value) {
      area.value = draftToRestore.text;
      area.dispatchEvent(new Event('input', {bubbles: true}));
      area.focus({preventScroll: true});
    }
    var pressed = draftToRestore.add && area.value === draftToRestore.text;
    draftToRestore = null;
    var button = pressed && formBox().querySelector('.cw-add-note');
    if (button) { addNote(button); }
  }

  // -- is the kernel still there? --------------------------------------------------------------------------
  var KERNEL = VOILA ? config.kernelId : null;
  var TOKEN = new URLSearchParams(location.search).get('token');
  var checking = false;
  var checkedAt = 0;
  var pause = 15000;
  var alone = 0;  // since when the kernel has no connection (this page's websocket is gone)

  function kernelStatus() {
    var url = (config.baseUrl || '/') + 'api/kernels/' + KERNEL + (TOKEN ? '?token=' + encodeURIComponent(TOKEN) : '');
    return fetch(url, {cache: 'no-store', credentials: 'same-origin'}).then(function (response) {
      if (response.status === 404) { return 'gone'; }
      if (!response.ok) { return 'unreachable'; }
      return response.json().then(function (model) {
        if (model.execution_state === 'dead') { return 'gone'; }
        return model.connections ? 'alive' : 'alone';
      });
    }, function () { return 'unreachable'; });
  }

  function recover() {
    var last = Number(kept('sessionStorage', 'coopwork-reloaded') || 0);
    if (Date.now() - last < 10000) { pause = 5000; return; }  // never a reload loop
    keep('sessionStorage', 'coopwork-reloaded', Date.now());
    banner(text('page_resuming'));
    location.reload();
  }

  function check() {
    if (!KERNEL || checking) { return; }  // (this script runs once the page's first widget is shown)
    checking = true;
    checkedAt = Date.now();
    kernelStatus().then(function (status) {
      checking = false;
      if (status === 'gone') { recover(); return; }
      lost = status === 'unreachable';
      say();
      if (lost) { pause = 3000; return; }
      if (status === 'alone') {
        alone = alone || Date.now();
        if (Date.now() - alone > 8000) { recover(); return; }
        pause = 4000;
        return;
      }
      alone = 0;
      pause = 15000;
    });
  }

  function watch() {
    readState();
    restoreDraft();
    if (outbox.length && Date.now() - sentAt > 4000) {  // no word of the notes: keep them, send them again
      if (sentAt) { pause = Math.min(pause, 3000); }
      send({});
    }
    say();
    if (document.visibilityState === 'visible' && Date.now() - checkedAt > pause) { check(); }
  }

  function now() { checkedAt = 0; pause = 0; watch(); }

  setInterval(work, 200);
  setInterval(watch, 1000);
  window.addEventListener('scroll', work, {passive: true});
  document.addEventListener('visibilitychange', function () { if (document.visibilityState === 'visible') { now(); } });
  window.addEventListener('online', now);
  window.addEventListener('pageshow', now);
  document.addEventListener('resume', now);  // a frozen page (a phone's background tab) runs again
  work();
})();
