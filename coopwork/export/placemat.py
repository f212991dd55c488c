"""The printable one-page "data placemat" of a territory (print-ready HTML → PDF).

A data placemat is the sheet facilitators lay in front of each table at a restitution
workshop: the key figures, three or four charts and room to write down what the group sees,
what it means for them and what they will do (the three kinds of notes of the dashboard's
journal). It must fit on ONE page, A4 or A3 landscape.

:func:`placemat_html` lays out a page from values (key figures as texts, plotly figure dicts);
the charts are embedded as static SVG made by kaleido (:func:`static_svgs`), so the HTML
needs no JavaScript and prints the same in any browser. :func:`print_pdf` prints it with
headless Chromium (``--print-to-pdf``); the page size comes from the ``@page`` CSS rule.

Examples
--------
>>> html = placemat_html(title="Territoire A", key_figures=[("Répondants", "24")], charts=[],
...                      lang="fr", paper="A4")
>>> "size: A4 landscape" in html and "Ce que nous voyons" in html
True
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from html import escape
from pathlib import Path

from ..errors import ExportError
from ..i18n import normalise_lang, t

__all__ = ["PAPERS", "find_chromium", "kaleido_session", "placemat_html", "print_pdf", "static_svgs"]

#: paper → (width, height) in millimetres, landscape
PAPERS = {"A4": (297, 210), "A3": (420, 297)}
_SVG_SIZE = re.compile(r'^(<svg[^>]*?)\swidth="[\d.]+"\s+height="[\d.]+"')
_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


@contextlib.contextmanager
def kaleido_session() -> Iterator[None]:
    """Keep one kaleido browser open while many figures are exported (0.2 s each instead of 3 s).

    Nested sessions reuse the open browser; only the outermost one closes it.
    """
    import kaleido

    server = getattr(kaleido, "_global_server", None)
    already = bool(server is not None and server.is_running())
    if not already:
        kaleido.start_sync_server(silence_warnings=True)
    try:
        yield
    finally:
        if not already:
            kaleido.stop_sync_server(silence_warnings=True)


def static_svgs(figures: Sequence[dict], *, width: int = 640, height: int = 420) -> list[str]:
    """Render plotly figures to SVG texts that scale to their box (``width``/``height`` → 100 %).

    One kaleido browser serves all the figures (the open :func:`kaleido_session`, else one
    opened for this call). Titles are dropped (the placemat prints the caption) and margins
    tightened; the caller's figures are not changed.

    Raises
    ------
    ExportError
        When kaleido or its browser is not available.
    """
    if not figures:
        return []
    try:
        import kaleido
    except ModuleNotFoundError as err:  # pragma: no cover - kaleido is a test dependency
        raise ExportError("static charts need kaleido", hint='pip install "kaleido>=1.0"') from err
    try:
        with kaleido_session():
            return [_svg(kaleido, figure, width=width, height=height) for figure in figures]
    except ExportError:
        raise
    except Exception as err:  # kaleido raises many kinds of errors when no browser is found
        raise ExportError(f"the charts could not be drawn as images ({type(err).__name__}: {err})",
                          hint="install Chromium or run `plotly_get_chrome`") from err


def _svg(kaleido, original: dict, *, width: int, height: int) -> str:
    from ..figures.theme import with_template

    figure = with_template(original)  # a copy: the caller's figure is not changed
    font = {**figure["layout"].get("font", {}), "size": 15}
    figure["layout"] = {**figure["layout"], "title": {"text": ""}, "font": font, "paper_bgcolor": "white",
                        "margin": {"l": 50, "r": 15, "t": 20, "b": 50}}
    data = kaleido.calc_fig_sync(figure, opts={"format": "svg", "width": width, "height": height})
    text = data.decode("utf-8") if isinstance(data, bytes) else str(data)
    return _SVG_SIZE.sub(r'\1 width="100%" height="100%"', text, count=1)


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
) -> str:
    """Lay out a one-page placemat as a self-contained, print-ready HTML page.

    Parameters
    ----------
    title, subtitle
        The territory and what the page is about (survey, wave).
    key_figures
        ``(label, text)`` pairs shown as large tiles (texts already formatted and protected:
        ``"< 3"`` for a hidden count). Up to six are shown.
    charts
        ``(caption, chart)`` pairs; a chart is an SVG text or a plotly figure dict (rendered with
        :func:`static_svgs`). Up to four are shown, in a 2 × 2 grid.
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
        raise ExportError("unknown paper size", value=paper, hint=f"use one of {', '.join(PAPERS)}")
    lang = normalise_lang(lang)
    width, height = PAPERS[paper]
    scale = width / PAPERS["A4"][0]
    charts = list(charts)[:4]
    figures = [(i, c) for i, (_, c) in enumerate(charts) if not isinstance(c, str)]
    rendered = (
        dict(zip([i for i, _ in figures], static_svgs([c for _, c in figures]), strict=True))
        if figures
        else {}
    )
    prompts = (
        dict(notes)
        if notes
        else {kind: t(f"export.placemat_{kind}", lang) for kind in ("see", "means", "do")}
    )

    tiles = "".join(
        f'<div class="tile"><div class="value">{escape(str(value))}</div>'
        f'<div class="label">{escape(str(label))}</div></div>'
        for label, value in list(key_figures)[:6]
    )
    cells = "".join(
        f'<figure class="chart"><figcaption>{escape(str(caption))}</figcaption>'
        f'<div class="svg">{rendered.get(i, chart if isinstance(chart, str) else "")}</div></figure>'
        for i, (caption, chart) in enumerate(charts)
    )
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


def print_pdf(html_path: str | Path, pdf_path: str | Path, *, timeout: float = 120) -> Path:
    """Print an HTML file to PDF with headless Chromium (page size from its ``@page`` rule).

    Raises
    ------
    ExportError
        When no Chromium is found or printing fails.
    """
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path)
    chromium = find_chromium()
    if chromium is None:
        raise ExportError(
            "no Chromium browser to print the placemat to PDF",
            hint="install chromium (apt-get install chromium) or set COOPWORK_CHROMIUM; "
            "the print-ready HTML placemat was written and can be printed from a browser",
        )
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="coopwork-chromium-") as profile:
        handle, temp = tempfile.mkstemp(dir=pdf_path.parent, prefix=".tmp-", suffix=".pdf")
        os.close(handle)
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-extensions",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={temp}",
            html_path.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            Path(temp).unlink(missing_ok=True)
            raise ExportError(f"Chromium could not print the placemat ({err})", file=html_path) from err
        if done.returncode != 0 or Path(temp).stat().st_size == 0:
            Path(temp).unlink(missing_ok=True)
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise ExportError(f"Chromium could not print the placemat ({last})", file=html_path)
        os.replace(temp, pdf_path)
    return pdf_path
