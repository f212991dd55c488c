"""The printable one-page "data placemat" of a territory (print-ready HTML → PDF).

A data placemat is the sheet facilitators lay in front of each table at a restitution
workshop: the key figures, three or four charts and room to write down what the group sees,
what it means for them and what they will do (the three kinds of notes of the dashboard's
journal). It must fit on ONE page, A4 or A3 landscape.

:func:`placemat_html` lays out a page from values (key figures as texts, plotly figure dicts);
the charts are drawn in the page by the site's local plotly.js (offline), as vector graphics.
:class:`PdfPrinter` prints pages with one headless Chromium (its tabs, through the DevTools
protocol, once the charts are drawn): the same browser that prints draws them, so no separate
image renderer runs per chart, and the browser starts once per export.
The page size comes from the ``@page`` CSS rule.

Examples
--------
>>> html = placemat_html(title="Territoire A", key_figures=[("Répondants", "24")], charts=[],
...                      lang="fr", paper="A4")
>>> "size: A4 landscape" in html and "Ce que nous voyons" in html
True
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from html import escape
from pathlib import Path
from typing import Any

from ..errors import ExportError
from ..figures.network import fit_labels
from ..figures.theme import VALUE, with_template
from ..i18n import normalise_lang, t
from ..vocabulary import KINDS, kind_label

__all__ = ["PAPERS", "PdfPrinter", "find_chromium", "placemat_html", "print_pdf"]

#: paper → (width, height) in millimetres, landscape
PAPERS = {"A4": (297, 210), "A3": (420, 297)}
_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


# Each chart is drawn at 640 × 420 px, then scaled to its cell once the page has its final layout,
# so its text keeps the proportions of a screen chart whatever the paper size.
# ``window.coopworkDrawn`` resolves once every chart is drawn: the printer waits for it.
_DRAW = """var charts = [];
window.addEventListener("load", function () {
  window.coopworkDrawn = Promise.all(charts.map(function ([id, [data, layout]]) {
    var cell = document.getElementById(id), inner = document.createElement("div");
    var scale = Math.min(cell.clientWidth / 640, cell.clientHeight / 420);
    inner.style.cssText = "position:absolute;left:0;top:0;width:640px;height:420px;" +
      "transform-origin:top left;transform:scale(" + scale + ")";
    cell.appendChild(inner);
    return Plotly.newPlot(inner, data, Object.assign(layout, {width: 640, height: 420}),
                          {staticPlot: true, displayModeBar: false});
  }));
});"""


_DRAW_SIZE = (640, 420)  # what _DRAW draws a chart at, in pixels


def _is_network(figure: dict) -> bool:
    """A network map (:func:`coopwork.figures.network_chart`): marker-and-name traces on hidden axes."""
    return (figure.get("layout", {}).get("yaxis", {}).get("scaleanchor") == "x"
            and any("markers+text" in (trace.get("mode") or "") for trace in figure.get("data", [])))


def _plot_script(div_id: str, figure: dict) -> str:
    """The script that draws one chart in its cell: no title (the caption says it), tight margins,
    print-size fonts, a static plot (a sheet of paper does not zoom)."""
    network = _is_network(figure)
    if network:  # a small legend below, and the names placed again for the smaller plot
        entries = sum(1 for trace in figure["data"]
                      if trace.get("showlegend", True) and trace.get("visible", True)
                      and (trace.get("x") or "markers" in trace.get("mode", "")))
        legend_height = 12 + 17 * -(-entries // 3)
        figure = fit_labels(figure, width=_DRAW_SIZE[0] - 10, height=_DRAW_SIZE[1] - 10 - legend_height)
    full = with_template(figure)
    layout = {key: value for key, value in full["layout"].items() if key not in {"width", "height"}}
    # a bar chart's column of values stands right of the plot: its margin stays
    values = any(a.get("name") == VALUE for a in layout.get("annotations", []))
    right = (layout.get("margin") or {}).get("r") or 15 if values else 15
    layout.update(title={"text": ""}, autosize=True, paper_bgcolor="white",
                  margin={"l": 50, "r": right, "t": 20, "b": 50},
                  font={**layout.get("font", {}), "size": 15})
    if network:
        layout.update(margin={"l": 5, "r": 5, "t": 5, "b": legend_height},
                      legend={**layout.get("legend", {}), "font": {"size": 12}, "itemsizing": "constant"})
    layout["template"]["layout"].pop("height", None)
    data = json.dumps([full["data"], layout], ensure_ascii=False).replace("</", "<\\/")
    return f"<script>charts.push([{json.dumps(div_id)}, {data}]);</script>"


def placemat_html(
    *,
    title: str,
    key_figures: Sequence[tuple[str, str]],
    charts: Sequence[tuple[str, str | dict]],
    lang: str = "fr",
    paper: str = "A4",
    subtitle: str = "",
    footer: str = "",
    notes: Mapping[str, str] | None = None,
    plotly_src: str = "../assets/plotly.min.js",
) -> str:
    """Lay out a one-page placemat as a print-ready HTML page.

    Parameters
    ----------
    title, subtitle
        The territory and what the page is about (survey, wave).
    key_figures
        ``(label, text)`` pairs shown as large tiles (texts already formatted and protected:
        ``"< 3"`` for a hidden count). Up to six are shown.
    charts
        ``(caption, chart)`` pairs; a chart is an SVG text or a plotly figure dict, drawn in the page
        by plotly.js (``plotly_src``) when the page is opened or printed. Up to four are shown, in a
        2 × 2 grid.
    plotly_src
        URL of plotly.js for the figure dicts (the site's ``assets/plotly.min.js``, relative).
    lang
        Language of the fixed texts.
    paper
        ``"A4"`` or ``"A3"``, always landscape.
    footer
        Provenance line (source, date, disclosure rule).
    notes
        The prompts of the note boxes, ``kind → text``; default: the journal's three kinds
        (what we see / what it means for us / what we will do).

    Raises
    ------
    ExportError
        For an unknown paper size.
    """
    paper = str(paper).upper()
    if paper not in PAPERS:
        raise ExportError("export_errors.paper", value=paper, hint="export_errors.hint_paper",
                          papers=", ".join(PAPERS))
    lang = normalise_lang(lang)
    width, height = PAPERS[paper]
    scale = width / PAPERS["A4"][0]
    charts = list(charts)[:4]
    drawn = any(not isinstance(chart, str) for _, chart in charts)
    prompts = (
        dict(notes)
        if notes
        else {kind: kind_label(kind, lang) for kind in KINDS}
    )

    tiles = "".join(
        f'<div class="tile"><div class="value">{escape(str(value))}</div>'
        f'<div class="label">{escape(str(label))}</div></div>'
        for label, value in list(key_figures)[:6]
    )
    cells = "".join(
        f'<figure class="chart"><figcaption>{escape(str(caption))}</figcaption>'
        + (f'<div class="svg">{chart}</div>' if isinstance(chart, str)
           else f'<div class="svg plot" id="chart-{i}"></div>{_plot_script(f"chart-{i}", chart)}')
        + "</figure>"
        for i, (caption, chart) in enumerate(charts)
    )
    # plotly.js draws the figure dicts into their cells, at the cells' size, before printing
    script = (f'<script src="{escape(plotly_src)}"></script>\n<script>{_DRAW}</script>' if drawn else "")
    if not charts:
        cells = f'<p class="empty">{escape(t("export.placemat_no_chart", lang))}</p>'
    boxes = "".join(
        f'<div class="note" data-kind="{escape(kind)}"><h3>{escape(text)}</h3><div class="lines"></div></div>'
        for kind, text in prompts.items()
    )
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="generator" content="coopwork">
<title>{escape(title)} — {escape(t("export.placemat", lang))}</title>
{script}
<style>
@page {{ size: {paper} landscape; margin: 0; }}
* {{ box-sizing: border-box; }}
html, body {{ margin: 0; padding: 0; }}
body {{ font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1d2a36;
        -webkit-print-color-adjust: exact; print-color-adjust: exact; font-size: {9 * scale:.1f}pt; }}
.page {{ width: {width}mm; height: {height}mm; overflow: hidden; padding: {7 * scale:.1f}mm;
         display: grid; grid-template-rows: auto auto 1fr auto; gap: {3 * scale:.1f}mm; }}
header {{ display: flex; justify-content: space-between; align-items: baseline;
          border-bottom: 0.6mm solid #1b6e6a; padding-bottom: {1.5 * scale:.1f}mm; }}
header h1 {{ font-size: {18 * scale:.1f}pt; margin: 0; color: #1b6e6a; }}
header p {{ margin: 0; font-size: {9.5 * scale:.1f}pt; color: #4a5a68; }}
.tiles {{ display: grid; grid-template-columns: repeat({max(1, min(6, len(key_figures)))}, 1fr);
          gap: {2.5 * scale:.1f}mm; }}
.tile {{ background: #e8f3f2; border-radius: 2mm; padding: {2 * scale:.1f}mm {3 * scale:.1f}mm; }}
.tile .value {{ font-size: {17 * scale:.1f}pt; font-weight: bold; color: #1b6e6a; }}
.tile .label {{ font-size: {8.5 * scale:.1f}pt; }}
main {{ display: grid; grid-template-columns: 2.2fr 1fr; gap: {4 * scale:.1f}mm; min-height: 0; }}
.charts {{ display: grid; grid-template-columns: 1fr 1fr; grid-template-rows: 1fr 1fr;
           gap: {2.5 * scale:.1f}mm; min-height: 0; }}
.chart {{ margin: 0; display: flex; flex-direction: column; min-height: 0; border: 0.2mm solid #c9d6dc;
          border-radius: 1.5mm; padding: {1 * scale:.1f}mm; }}
.chart figcaption {{ font-weight: bold; font-size: {8.5 * scale:.1f}pt; margin-bottom: 0.5mm; }}
.chart .svg {{ flex: 1; min-height: 0; }}
.chart svg {{ display: block; width: 100%; height: 100%; }}
.chart .plot {{ position: relative; width: 100%; height: 100%; overflow: hidden; }}
.notes {{ display: grid; grid-template-rows: repeat({len(prompts)}, 1fr); gap: {2.5 * scale:.1f}mm;
          min-height: 0; }}
.note {{ border: 0.3mm dashed #1b6e6a; border-radius: 1.5mm; padding: {1.5 * scale:.1f}mm {2 * scale:.1f}mm;
         display: flex; flex-direction: column; }}
.note h3 {{ margin: 0 0 1mm 0; font-size: {9.5 * scale:.1f}pt; color: #1b6e6a; }}
.note .lines {{ flex: 1; background-image: repeating-linear-gradient(to bottom, transparent 0,
                transparent {6.5 * scale:.1f}mm, #b8c7cf {6.5 * scale:.1f}mm, #b8c7cf {6.7 * scale:.1f}mm); }}
footer {{ font-size: {7 * scale:.1f}pt; color: #4a5a68; border-top: 0.2mm solid #c9d6dc; padding-top: 1mm; }}
.empty {{ color: #4a5a68; }}
@media screen {{ body {{ background: #9aa7b0; }} .page {{ background: white; margin: 5mm auto;
                 box-shadow: 0 0 4mm rgba(0,0,0,.3); }} }}
</style>
</head>
<body>
<div class="page" data-paper="{paper}">
<header><h1>{escape(title)}</h1><p>{escape(subtitle)}</p></header>
<section class="tiles">{tiles}</section>
<main><section class="charts">{cells}</section>
<aside class="notes">{boxes}</aside></main>
<footer>{escape(footer)}</footer>
</div>
</body>
</html>
"""


def find_chromium() -> str | None:
    """The Chromium/Chrome executable: ``$COOPWORK_CHROMIUM``, else the first on ``PATH``."""
    configured = os.environ.get("COOPWORK_CHROMIUM")
    if configured:
        return configured
    for name in _CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class PdfPrinter:
    """One headless Chromium that prints HTML pages to PDF, a few pages at a time.

    Starting Chromium costs more than printing a placemat; a printer started once prints every
    placemat of an export in tabs of the same browser (through the DevTools protocol, with
    :mod:`choreographer`, the browser driver of kaleido). Each page is printed once its charts
    are drawn (``window.coopworkDrawn``, set by the placemat's script), with the paper size of its
    ``@page`` rule and no margin, header or footer. The browser starts with the first page and
    stops with :meth:`close` (or the ``with`` block).

    Parameters
    ----------
    tabs
        Pages printed side by side (each tab renders in its own process).
    timeout
        Seconds a page may take to load, draw and print.

    Examples
    --------
    >>> with PdfPrinter() as printer:  # doctest: +SKIP
    ...     printer.submit("placemats/a.html", "placemats/a.pdf").result()
    PosixPath('placemats/a.pdf')
    """

    def __init__(self, *, tabs: int = 2, timeout: float = 120) -> None:
        self.timeout = timeout
        self._tabs = tabs
        self._browser = None
        self._opened: Any = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="coopwork-pdf", daemon=True)
        self._thread.start()

    def submit(self, html_path: str | Path, pdf_path: str | Path) -> Future:
        """Print ``html_path`` to ``pdf_path``; the future gives the PDF's path or raises
        :class:`~coopwork.errors.ExportError`."""
        return asyncio.run_coroutine_threadsafe(self._print(Path(html_path).resolve(), Path(pdf_path)),
                                                self._loop)

    async def _open(self) -> Any:
        if self._opened is None:
            self._opened = asyncio.ensure_future(self._start())
        return await self._opened

    async def _start(self) -> Any:
        import choreographer  # lazy: `coopwork check` and exports without PDF skip it (~0.14 s)

        chromium = find_chromium()
        if chromium is None:
            raise ExportError("export_errors.no_chromium", hint="export_errors.hint_no_chromium")
        browser = choreographer.Browser(path=chromium, headless=True)
        try:
            await browser.open()
        except Exception as err:  # not a browser, or one that does not start
            with contextlib.suppress(Exception):
                await browser.close()
            message = str(err.args[0]) if err.args else type(err).__name__
            raise ExportError("export_errors.print_failed", error=message, file=chromium) from err
        self._browser = browser
        return browser, asyncio.Semaphore(self._tabs)

    async def _print(self, html_path: Path, pdf_path: Path) -> Path:
        browser, tabs = await self._open()
        async with tabs:
            tab = None
            try:
                async with asyncio.timeout(self.timeout):
                    tab = await browser.create_tab("")
                    loaded = tab.subscribe_once("Page.loadEventFired")
                    await tab.send_command("Page.enable")
                    await tab.send_command("Page.navigate", params={"url": html_path.as_uri()})
                    await loaded
                    drawn = await tab.send_command("Runtime.evaluate", params={
                        "expression": "Promise.resolve(window.coopworkDrawn).then(() => location.href)",
                        "awaitPromise": True, "returnByValue": True})
                    where = drawn.get("result", {}).get("result", {}).get("value")
                    if where != html_path.as_uri():
                        raise RuntimeError(f"the page did not load ({where})")
                    printed = await tab.send_command("Page.printToPDF", params={
                        "preferCSSPageSize": True, "printBackground": True, "displayHeaderFooter": False,
                        "marginTop": 0, "marginBottom": 0, "marginLeft": 0, "marginRight": 0})
                if "error" in printed:
                    raise ExportError("export_errors.print_failed", error=str(printed["error"]),
                                      file=html_path)
                data = base64.b64decode(printed["result"]["data"])
            except (TimeoutError, OSError, RuntimeError) as err:
                raise ExportError("export_errors.print_failed", error=str(err) or type(err).__name__,
                                  file=html_path) from err
            finally:
                if tab is not None:
                    with contextlib.suppress(Exception):
                        await browser.close_tab(tab.target_id)
        pdf_path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=pdf_path.parent, prefix=".tmp-", suffix=".pdf")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, pdf_path)
        return pdf_path

    async def _close(self) -> None:
        if self._browser is not None:
            await self._browser.close()

    def close(self) -> None:
        """Stop the browser (waits for the pages being printed)."""
        if self._loop.is_closed():
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=60)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=60)
        self._loop.close()

    def __enter__(self) -> PdfPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def print_pdf(html_path: str | Path, pdf_path: str | Path, *, timeout: float = 120) -> Path:
    """Print one HTML file to PDF with headless Chromium (page size from its ``@page`` rule).

    Several pages: one :class:`PdfPrinter` prints them all with one browser.

    Raises
    ------
    ExportError
        When no Chromium is found or printing fails.
    """
    with PdfPrinter(tabs=1, timeout=timeout) as printer:
        return printer.submit(html_path, pdf_path).result()
