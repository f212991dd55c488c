"""The static site: one HTML page per territory and an index page with the cross-territory synthesis.

Decision (documented in the README (*Sharing results*)): the published page of a territory is **built
here** from :mod:`coopwork.export.content` — the same protected tables as the workbooks and
placemats — rather than copied from the batch runner's notebooks, so the site never depends
on what a notebook author printed. When the batch runner has written HTML reports for the
territory (``data/reports/<survey_id>/<territory>/*.html``), they are copied next to the page
under ``reports/<territory>/`` and linked as "full report", after their external scripts are
replaced by the site's local copy of plotly.js or removed.

Pages contain no code, read offline (plotly.js is a local file ``assets/plotly.min.js``, no
CDN, no web font), keep plotly's interactivity and end with a provenance footer (survey,
version, wave, sources, date, coopwork version, disclosure rule).

Examples
--------
>>> page("Titre", "<p>corps</p>", lang="fr", footer="Source", root="")
'<!DOCTYPE html>...<footer class="provenance">Source</footer>...'
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

import pandas as pd

from ..figures.html import figure_html as fragment
from ..figures.plotlyjs import LIGHT_TRACES, light_plotly
from ..figures.theme import NARROW_BELOW
from ..i18n import t
from ..results.audit import hidden_legend
from ..vocabulary import kind_label

__all__ = [
    "LIGHT_PLOTLY_JS",
    "PLOTLY_JS",
    "STYLE_CSS",
    "figure_html",
    "hidden_note",
    "html_table",
    "nav_links",
    "notes_html",
    "page",
    "plotly_for",
    "sanitise_report",
    "tiles",
    "write_assets",
]

PLOTLY_JS = "assets/plotly.min.js"
#: plotly's cartesian bundle (``coopwork.figures.plotlyjs.LIGHT_PLOTLY``), when installed
LIGHT_PLOTLY_JS = "assets/plotly-cartesian.min.js"
STYLE_CSS = "assets/style.css"
_EXTERNAL_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>", re.I)
# plotly.js from its CDN or from a relative path (the batch runner's shared ../plotly.min.js)
_PLOTLY_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?[^\"'>\s]*plotly(?:-[\w.]+)?(?:\.min)?\.js[^>]*>\s*</script>", re.I)
_EXTERNAL_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.I)

_CSS = """
:root { --accent: #1b6e6a; --muted: #4a5a68; --line: #d5dee3; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1d2a36; margin: 0;
       line-height: 1.45; background: #f6f8f9; }
header.site { background: var(--accent); color: white; padding: 1rem 2rem; }
header.site a { color: white; }
header.site h1 { margin: 0.2rem 0; font-size: 1.6rem; }
main { max-width: 1150px; margin: 0 auto; padding: 1rem 2rem 2rem; background: white; }
h2 { color: var(--accent); border-bottom: 2px solid var(--line); padding-bottom: 0.2rem; margin-top: 2rem; }
.tiles { display: flex; flex-wrap: wrap; gap: 0.8rem; }
.tile { background: #e8f3f2; border-radius: 6px; padding: 0.6rem 1rem; min-width: 10rem; }
.tile .value { font-size: 1.6rem; font-weight: bold; color: var(--accent); }
.charts { display: grid; grid-template-columns: 1fr; gap: 1rem; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem; }
figcaption { font-weight: bold; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.92rem; }
th, td { border-bottom: 1px solid var(--line); padding: 0.25rem 0.6rem; text-align: left;
         vertical-align: top; }
th { background: #eef3f5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.hidden { color: var(--muted); font-style: italic; }
ul.downloads li { margin: 0.2rem 0; }
.note { border-left: 4px solid var(--accent); padding: 0.2rem 0.8rem; margin: 0.4rem 0; background: #f6f8f9; }
footer.provenance { max-width: 1150px; margin: 0 auto; padding: 1rem 2rem; color: var(--muted);
                    font-size: 0.85rem; border-top: 1px solid var(--line); }
.muted { color: var(--muted); }
/* a table wider than the screen scrolls in its own box: the page itself never scrolls sideways */
.table-wrap { overflow-x: auto; max-width: 100%; -webkit-overflow-scrolling: touch; }
td { overflow-wrap: break-word; }
@media (max-width: PHONE_MAX_WIDTHpx) {
  header.site, main, footer.provenance { padding-left: 0.8rem; padding-right: 0.8rem; }
  header.site h1 { font-size: 1.3rem; }
  table { font-size: 0.85rem; }
  th, td { padding: 0.2rem 0.35rem; }
  figure { padding: 0; border: none; }
  .tile { min-width: 0; flex: 1 1 9rem; }
}
@media print { .charts { display: block; } header.site { background: none; color: black; } }
""".replace("PHONE_MAX_WIDTH", str(NARROW_BELOW - 1))


#: assets written only when they change (an export links them from the published site: no copy)
REUSED = (PLOTLY_JS, LIGHT_PLOTLY_JS, "assets/plotly.version")


def write_assets(site: str | Path) -> None:
    """Write ``assets/plotly.min.js`` (the plotly.js bundled with the plotly package), plotly's
    cartesian bundle when it is installed (:data:`LIGHT_PLOTLY_JS`: a third of the size, enough for
    the placemats' charts, which Chromium then parses three times faster when printing) and the CSS.

    A rewritten file is removed first: it may be a hard link to the published one
    (:mod:`coopwork.export.staging`), which must not change before the export is complete.
    """
    import plotly  # lazy: `coopwork check` imports the export and skips plotly (~0.1 s)
    from plotly.offline import get_plotlyjs  # lazy: as plotly

    site = Path(site)
    (site / "assets").mkdir(parents=True, exist_ok=True)
    js = site / PLOTLY_JS
    stamp = site / "assets" / "plotly.version"
    light = light_plotly()
    if not js.is_file() or not stamp.is_file() or stamp.read_text() != plotly.__version__:
        js.unlink(missing_ok=True)
        stamp.unlink(missing_ok=True)
        js.write_text(get_plotlyjs(), encoding="utf-8")
        (site / LIGHT_PLOTLY_JS).unlink(missing_ok=True)
        stamp.write_text(plotly.__version__, encoding="utf-8")
    if light is not None and not (site / LIGHT_PLOTLY_JS).is_file():
        shutil.copyfile(light, site / LIGHT_PLOTLY_JS)
    (site / STYLE_CSS).write_text(_CSS, encoding="utf-8")


def plotly_for(site: str | Path, charts: Sequence[tuple[str, object]]) -> str:
    """The lightest plotly.js of the site's assets that draws ``charts`` (``(caption, figure)`` pairs).

    Examples
    --------
    >>> plotly_for("/nowhere", [("c", {"data": [{"type": "bar"}]})])
    'assets/plotly.min.js'
    """
    types = {trace.get("type", "scatter") for _, chart in charts if isinstance(chart, dict)
             for trace in chart.get("data", [])}
    light = (Path(site) / LIGHT_PLOTLY_JS).is_file() and types <= LIGHT_TRACES
    return LIGHT_PLOTLY_JS if light else PLOTLY_JS


def page(
    title: str,
    body: str,
    *,
    lang: str,
    footer: str,
    root: str,
    heading: str = "",
    nav: str = "",
    scripts: bool = False,
) -> str:
    """A full HTML page; ``root`` is the relative path back to the site folder (``""`` or ``"../"``)."""
    script = f'<script src="{root}{PLOTLY_JS}" charset="utf-8"></script>\n' if scripts else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="coopwork">\n<title>{escape(title)}</title>\n'
        f'<link rel="stylesheet" href="{root}{STYLE_CSS}">\n{script}</head>\n<body>\n'
        f'<header class="site">{nav}<h1>{escape(heading or title)}</h1></header>\n'
        f'<main>\n{body}\n</main>\n<footer class="provenance">{escape(footer)}</footer>\n</body>\n</html>\n'
    )


def figure_html(figure: dict, *, div_id: str, lang: str) -> str:
    """An interactive chart (a figure dict of :mod:`coopwork.figures`) as an HTML fragment that
    uses the page's local plotly.js: the width of the page, laid out for a phone on a phone
    (:func:`coopwork.figures.html.figure_html`).

    Examples
    --------
    >>> html = figure_html({"data": [{"type": "bar", "x": [1]}], "layout": {"height": 300}}, div_id="c",
    ...                    lang="fr")
    >>> 'id="c"' in html, "Plotly.newPlot" in html, "</script>" in html
    (True, True, True)
    """
    return fragment(figure, div_id=div_id)


def html_table(
    table: pd.DataFrame, columns: Mapping[str, str], *, numeric: Sequence[str] = (), caption: str = ""
) -> str:
    """An escaped HTML table of ``columns`` (name → header); suppressed rows styled as hidden.

    Examples
    --------
    >>> import pandas as pd
    >>> html = html_table(pd.DataFrame({"a": ["<b>"], "display": ["< 3"], "suppressed": [True]}),
    ...                   {"a": "A", "display": "Valeur"}, numeric=["display"])
    >>> html[html.index("<tbody>"):]
    '<tbody><tr><td>&lt;b&gt;</td><td class="num hidden">&lt; 3</td></tr></tbody></table></div>'
    """
    head = "".join(f"<th>{escape(str(h))}</th>" for h in columns.values())
    rows = []
    hidden = (
        table["suppressed"].astype(bool).tolist() if "suppressed" in table.columns else [False] * len(table)
    )
    for flag, (_, row) in zip(hidden, table.iterrows(), strict=True):
        cells = []
        for column in columns:
            value = row.get(column)
            text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
            classes = [
                c for c, on in (("num", column in numeric), ("hidden", flag and column in numeric)) if on
            ]
            attr = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{attr}>{escape(text)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return (f'<div class="table-wrap"><table>{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}'
            "</tbody></table></div>")


def hidden_note(tables: Mapping[str, pd.DataFrame], *, lang: str, min_count: int) -> str:
    """The legend of the hidden cells of a page's tables: what "< 3" and "masqué" mean, for the labels
    the page shows (:func:`coopwork.results.audit.hidden_legend`); ``""`` when nothing is hidden.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"suppressed": [True, False], "rule": ["secondary", ""]})
    >>> hidden_note({"t": table}, lang="en", min_count=3)[:62]
    '<p class="muted legend">&quot;hidden&quot;: hidden so that the'
    >>> hidden_note({"t": table.iloc[1:]}, lang="en", min_count=3)
    ''
    """
    rules = []
    for table in tables.values():
        if table is None or "suppressed" not in table.columns:
            continue
        hidden = table["suppressed"].fillna(True).astype(bool)
        rules += (table.loc[hidden, "rule"].tolist() if "rule" in table.columns
                  else ["min_count"] * int(hidden.sum()))
    text = hidden_legend(rules, min_count=min_count, lang=lang)
    return f'<p class="muted legend">{escape(text)}</p>' if text else ""


def sanitise_report(html: str, *, plotly_src: str) -> str:
    """Make a batch HTML report readable offline where it is copied: plotly.js (from its CDN or
    a relative path) → the site's local file; other external scripts and stylesheets removed.

    Examples
    --------
    >>> sanitise_report('<script src="https://cdn.plot.ly/plotly-3.0.1.min.js"></script>'
    ...                 '<script src="https://cdnjs.cloudflare.com/require.js"></script>', plotly_src="p.js")
    '<script src="p.js" charset="utf-8"></script>'
    >>> sanitise_report('<script src="../plotly.min.js" charset="utf-8"></script>', plotly_src="p.js")
    '<script src="p.js" charset="utf-8"></script>'
    """
    html = _PLOTLY_SCRIPT.sub(lambda _: f'<script src="{plotly_src}" charset="utf-8"></script>', html)
    html = _EXTERNAL_SCRIPT.sub("", html)
    return _EXTERNAL_LINK.sub("", html)


def nav_links(links: Sequence[tuple[str, str]]) -> str:
    """A line of navigation links (label, href), escaped."""
    return " · ".join(f'<a href="{escape(href)}">{escape(label)}</a>' for label, href in links)


def tiles(key_figures: Sequence[tuple[str, str]]) -> str:
    """Key figures as tiles."""
    return (
        '<section class="tiles">'
        + "".join(
            f'<div class="tile"><div class="value">{escape(str(v))}</div><div>{escape(str(k))}</div></div>'
            for k, v in key_figures
        )
        + "</section>"
    )


def notes_html(notes: pd.DataFrame, *, lang: str) -> str:
    """Journal notes (already cleaned) grouped by what they are about (the ``about`` column: a chart's
    title, never its internal key), escaped."""
    if notes.empty:
        return f'<p class="muted">{escape(t("export.no_notes", lang))}</p>'
    parts = []
    for about, group in notes.groupby("about", sort=False):
        parts.append(f"<h3>{escape(str(about))}</h3>")
        for note in group.itertuples():
            kind = (
                kind_label(note.kind, lang)
            )
            parts.append(
                f'<div class="note"><strong>{escape(kind)}</strong> — {escape(str(note.text))}</div>'
            )
    return "".join(parts)
