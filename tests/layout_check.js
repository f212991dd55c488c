/* What a person sees wrong on a page of charts, measured on the drawn text boxes (read by the
   `layout_problems` fixture of tests/conftest.py; the browser tests run it in real Chromium).

   For every plotly chart shown on the page (the element of class js-plotly-plot):
   - text cut: a title, subtitle, tick label, axis title, legend entry, annotation or bar text that
     runs past the chart's own box, or past the screen;
   - overlap: two such texts whose boxes touch or overlap (closer than GAP px), or a text crossed by
     the whisker of an error bar;
   - too small: a text drawn in type smaller than SMALLEST px (plotly shrinks a bar's text to fit it);
   and for the page: wider than the screen (it would scroll sideways).
   Returns a list of sentences, empty when the page reads well. */
(options) => {
  const GAP = (options && options.gap !== undefined) ? options.gap : 1;
  const SMALLEST = (options && options.smallest) || 10;
  const scope = (options && options.scope) || document;
  const problems = [];
  const clip = (s, n) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
  const name = (plot) => {
    const title = plot.querySelector('.gtitle');
    const block = plot.closest('[class*="cw-chart-"]');
    const id = block ? [...block.classList].find((c) => c.startsWith('cw-chart-')) : '';
    return clip((id ? id.slice(9) + ' ' : '') + '«' + (title ? title.textContent : '?') + '»', 70);
  };
  const visible = (el) => {
    for (let e = el; e && e !== document; e = e.parentNode) {
      const style = e instanceof Element ? getComputedStyle(e) : null;
      if (style && (style.display === 'none' || style.visibility === 'hidden' || style.opacity === '0')) {
        return false;
      }
    }
    return true;
  };
  const page = document.scrollingElement.scrollWidth - window.innerWidth;
  if (page > 1) { problems.push('the page is ' + page + ' px wider than the screen'); }
  for (const plot of scope.querySelectorAll('.js-plotly-plot')) {
    if (plot.offsetParent === null) { continue; }  // in a closed tab
    const box = plot.getBoundingClientRect();
    if (box.width === 0) { continue; }
    // a box that scrolls sideways (the network map on a narrow screen) shows the chart's whole width
    const scroller = plot.closest('.cw-scroll');
    const left = scroller ? box.left : Math.max(box.left, 0);
    const right = scroller ? box.right : Math.min(box.right, window.innerWidth);
    const texts = [];
    for (const el of plot.querySelectorAll('svg.main-svg text')) {
      if (el.closest('.hoverlayer, .updatemenu-dropdown-button-group')) { continue; }
      const text = el.textContent.trim();
      const r = el.getBoundingClientRect();
      if (!text || r.width < 1 || r.height < 1 || !visible(el)) { continue; }
      texts.push({text, r, el});
      const m = el.getScreenCTM();  // plotly shrinks a bar's text with a scale() transform
      const size = parseFloat(getComputedStyle(el).fontSize) * (m ? Math.sqrt(m.a * m.a + m.b * m.b) : 1);
      if (size < SMALLEST) {
        problems.push(name(plot) + ': "' + clip(text, 30) + '" is too small to read (' + size.toFixed(1) + ' px)');
      }
      const beyond = Math.max(r.right - right, left - r.left, box.top - r.top, r.bottom - box.bottom);
      if (beyond > 1) {
        problems.push(name(plot) + ': "' + clip(text, 40) + '" is cut by the chart\'s edge (' +
                      Math.round(beyond) + ' px out)');
      }
    }
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i].r, b = texts[j].r;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left) + GAP;
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) + GAP;
        if (w > 0 && h > 0) {
          problems.push(name(plot) + ': "' + clip(texts[i].text, 30) + '" overlaps "' +
                        clip(texts[j].text, 30) + '" (' + Math.round(w) + '×' + Math.round(h) + ' px)');
        }
      }
    }
    // the whisker (error bar) of a bar or dot drawn across a text
    for (const path of plot.querySelectorAll('.errorbar path')) {
      const p = path.getBoundingClientRect();
      if (p.width < 1 || !visible(path)) { continue; }
      for (const t of texts) {
        const r = t.r;
        const w = Math.min(p.right, r.right) - Math.max(p.left, r.left);
        const inside = p.top + p.height / 2 > r.top + 1 && p.top + p.height / 2 < r.bottom - 1;
        if (w > 2 && inside) {
          problems.push(name(plot) + ': a whisker crosses "' + clip(t.text, 30) + '"');
          break;
        }
      }
    }
  }
  return problems;
}
