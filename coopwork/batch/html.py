"""HTML rendering of an executed report: outputs only (no code), plotly figures offline.

nbconvert's HTML exporter with ``exclude_input`` (no code cells, no prompts); cells tagged
``remove-cell`` or ``remove-output`` are dropped. Plotly figures, kept in the notebook as
their small JSON mimetype, are turned into ``<div>`` + ``Plotly.newPlot`` calls that use
**one shared** ``plotly.min.js`` written once into the reports folder (offline: no CDN), so
each page stays small and the whole folder can be copied to a USB key or a static host.

The pages go on public websites, and they show labels of forms and answers of respondents.
The report notebooks escape every label and answer they display
(:mod:`coopwork.batch.notebook`); on top of that, whatever a notebook's outputs hold (a
researcher's own notebook too) is **sanitised** before it becomes a page, with nbconvert's own
``SanitizeHTML`` preprocessor: HTML and Markdown outputs keep an allow-list of tags and
attributes (headings, paragraphs, emphasis, tables, lists, links); anything else —
``<script>``, ``<img onerror=…>``, ``<iframe>`` — is shown as inert text, event handlers and
``javascript:`` links are removed, and JavaScript outputs are dropped. Only the plotly figures, which
coopwork itself turns into scripts afterwards (their JSON made unable to close the script), run.

The runner imports this module for every run (:data:`PLOTLY_JS`), one with nothing to do too, which
imports neither nbconvert, nbformat (2 s together) nor plotly: the functions that use them import them.

Examples
--------
>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("secret_code = 1")])
>>> nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="visible")]
>>> page = to_html(nb, plotly_js="plotly.min.js")
>>> "visible" in page, "secret_code" in page
(True, False)
"""

from __future__ import annotations

import copy
import json
import os
import re
import threading
from html import escape
from pathlib import Path
from typing import Any

from ..figures.html import figure_html
from ..i18n import normalise_lang

__all__ = ["PLOTLY_JS", "SAFE_ATTRIBUTES", "SAFE_TAGS", "ensure_plotly_js", "render_file", "sanitise",
           "to_html", "write_html"]

PLOTLY_JS = "plotly.min.js"
_PLOTLY_MIME = "application/vnd.plotly.v1+json"
_REMOTE_SCRIPT = re.compile(r'<script[^>]*\ssrc="https?://[^"]*"[^>]*>\s*</script>', re.IGNORECASE)
_local = threading.local()
_HTML_TAG = re.compile(r"<html\b[^>]*?(?=>)", re.IGNORECASE)


def _language(nb: Any) -> str:
    """The language a report is written in: the ``lang`` it was run with (papermill's parameters),
    else the language the notebook declares, else French (coopwork's default)."""
    parameters = (nb.metadata.get("papermill") or {}).get("parameters") or {}
    lang = parameters.get("lang") or nb.metadata.get("language") or nb.metadata.get("lang")
    return normalise_lang(lang) if isinstance(lang, str) else "fr"


#: tags an output may keep in a published page (others are shown as text)
SAFE_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "i", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "section", "small", "span", "strong",
    "style", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul"})
#: attributes they may keep (``href`` only with http(s), mailto or relative URLs: bleach's rule)
SAFE_ATTRIBUTES = {"*": ["class", "id", "title", "style", "align", "colspan", "rowspan", "border"],
                   "a": ["href", "name"]}
#: outputs shown as they are (images, text, and plotly figures, turned into scripts by coopwork)
_SAFE_OUTPUTS = {"metadata", "text/plain", "text/latex", "application/json", "image/png", "image/jpeg",
                 "image/gif", "image/svg+xml", _PLOTLY_MIME}


def _sanitiser():
    sanitiser = getattr(_local, "sanitiser", None)
    if sanitiser is None:
        from nbconvert.preprocessors.sanitize import SanitizeHTML  # lazy: nbconvert (module's note)

        sanitiser = SanitizeHTML(tags=sorted(SAFE_TAGS), attributes=SAFE_ATTRIBUTES, strip=False,
                                 safe_output_keys=_SAFE_OUTPUTS)
        _local.sanitiser = sanitiser
    return sanitiser


def sanitise(nb: Any) -> Any:
    """A copy of ``nb`` whose outputs can run no script in a browser (see the module docstring).

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell("")
    >>> cell.outputs = [nbformat.v4.new_output("display_data", data={
    ...     "text/html": "<h1>Pays <img src=x onerror=alert(1)></h1>"})]
    >>> sanitise(nbformat.v4.new_notebook(cells=[cell])).cells[0].outputs[0].data["text/html"]
    '<h1>Pays &lt;img src=x onerror=alert(1)&gt;</h1>'
    """
    nb = copy.deepcopy(nb)
    sanitiser = _sanitiser()
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            outputs = sanitiser.sanitize_code_outputs(cell.get("outputs", []))
            cell.outputs = [o for o in outputs  # an output left without any data is dropped
                            if o.get("output_type") in ("stream", "error") or o.get("data")]
    return nb


def _exporter():
    exporter = getattr(_local, "exporter", None)
    if exporter is None:
        from nbconvert import HTMLExporter  # lazy: nbconvert (see the module's note)
        from traitlets.config import Config  # lazy: with nbconvert

        config = Config()
        config.TagRemovePreprocessor.enabled = True
        config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell", "remove_cell"}
        config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output", "remove_output"}
        exporter = HTMLExporter(config=config, template_name="lab")
        exporter.exclude_input = True
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
        exporter.optimistic_validation = True  # validate once, not after each preprocessor
        _local.exporter = exporter
    return exporter


def _figure_html(figure: dict[str, Any], div_id: str) -> str:
    """The figure drawn in the page, laid out for a phone on a phone (:mod:`coopwork.figures.html`)."""
    chart = {"data": figure.get("data", []), "layout": figure.get("layout", {})}
    return figure_html(chart, div_id=div_id, config=figure.get("config"))


def _with_plotly_html(nb: Any) -> tuple[Any, bool]:
    """A copy of ``nb`` whose plotly outputs carry an HTML rendering; True when it has any."""
    nb = sanitise(nb)
    found = False
    for c, cell in enumerate(nb.cells):
        for o, output in enumerate(cell.get("outputs", [])):
            data = output.get("data") or {}
            if _PLOTLY_MIME in data:
                figure = data[_PLOTLY_MIME]
                if isinstance(figure, str):
                    figure = json.loads(figure)
                data["text/html"] = _figure_html(figure, f"coopwork-fig-{c}-{o}")
                del data[_PLOTLY_MIME]
                data.pop("text/plain", None)
                found = True
    return nb, found


def to_html(nb: Any, *, plotly_js: str = PLOTLY_JS, title: str | None = None) -> str:
    """The HTML page of an executed notebook (no code cells).

    Parameters
    ----------
    nb
        An executed ``nbformat.NotebookNode``.
    plotly_js
        URL (usually relative) of the shared plotly.js loaded once when the page has figures.
    title
        Page title (default: the notebook's metadata title, else "coopwork").
    """
    nb, has_figures = _with_plotly_html(nb)
    resources = {"metadata": {"name": title or nb.metadata.get("title") or "coopwork"}}
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    body = _REMOTE_SCRIPT.sub("", body)  # require.js and MathJax from a CDN: the page stays offline
    body = _HTML_TAG.sub(f'<html lang="{escape(_language(nb))}"', body, count=1)
    if has_figures:
        tag = f'<script src="{escape(plotly_js)}" charset="utf-8"></script>'
        body = body.replace("</head>", f"{tag}\n</head>", 1)
    return body


def ensure_plotly_js(folder: str | Path) -> Path:
    """Write plotly.js once into ``folder`` (rewritten when plotly's version changes)."""
    import plotly  # lazy: plotly (see the module's note)
    from plotly.offline import get_plotlyjs  # lazy: plotly (see the module's note)

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / PLOTLY_JS
    stamp = folder / f".{PLOTLY_JS}.version"
    if not path.is_file() or not stamp.is_file() or stamp.read_text() != plotly.__version__:
        _atomic_write(path, get_plotlyjs())
        _atomic_write(stamp, plotly.__version__)
    return path


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:  # a full disk: no half-written temporary file is left
        tmp.unlink(missing_ok=True)
        raise


def write_html(nb: Any, path: str | Path, *, plotly_js: str = PLOTLY_JS, title: str | None = None) -> Path:
    """Render ``nb`` and write it atomically to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, to_html(nb, plotly_js=plotly_js, title=title))
    return path


def render_file(notebook: str | Path, html: str | Path, plotly_js: str = PLOTLY_JS,
                title: str | None = None) -> None:
    """Read an executed ``.ipynb`` and write its HTML page (used in forked children)."""
    import nbformat  # lazy: nbformat (see the module's note)

    write_html(nbformat.read(notebook, as_version=4), html, plotly_js=plotly_js, title=title)
