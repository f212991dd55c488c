/* The front end of a coopwork dashboard page (coopwork/dashboard/app.py writes what it reads).

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

  function send(event) {
    var input = document.querySelector('.cw-page-events input');
    if (!input) { return; }
    event.at = Date.now();
    input.value = JSON.stringify(event);
    input.dispatchEvent(new Event('input', {bubbles: true}));
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

  setInterval(work, 200);
  window.addEventListener('scroll', work, {passive: true});
  work();
})();
