"""HTML rendering: no code, plotly offline with one shared script; the index page."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import plotly.graph_objects as go

from coopwork.batch.html import PLOTLY_JS, ensure_plotly_js, to_html
from coopwork.batch.index import write_index


def _executed_notebook() -> nbformat.NotebookNode:
    code = nbformat.v4.new_code_cell("hidden_code_marker = 1")
    figure = go.Figure(go.Bar(x=["a", "b"], y=[3, 4], name="</script><b>bars</b>"))
    code.outputs = [
        nbformat.v4.new_output("display_data", data={"application/vnd.plotly.v1+json":
                                                     json.loads(figure.to_json())}),
        nbformat.v4.new_output("stream", name="stdout", text="printed text"),
    ]
    removed = nbformat.v4.new_code_cell("x = 2")
    removed.metadata["tags"] = ["remove-cell"]
    removed.outputs = [nbformat.v4.new_output("stream", name="stdout", text="internal detail")]
    title = nbformat.v4.new_markdown_cell("# Titre du rapport")
    return nbformat.v4.new_notebook(cells=[title, code, removed])


def test_html_has_outputs_and_figures_but_no_code() -> None:
    page = to_html(_executed_notebook(), plotly_js="../plotly.min.js", title="Rapport")
    assert "Titre du rapport" in page and "printed text" in page
    assert "hidden_code_marker" not in page and "internal detail" not in page
    assert page.count('<script src="../plotly.min.js"') == 1
    assert page.count("Plotly.newPlot(") == 1
    assert 'src="http' not in page  # offline: no script from a CDN
    # a label cannot close the script element that carries the figure
    assert "</script><b>bars" not in page and "<\\/script><b>bars" in page


def test_page_without_figures_loads_no_plotly() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("plain")])
    assert "plotly.min.js" not in to_html(nb)


def test_plotly_js_is_written_once(tmp_path: Path) -> None:
    path = ensure_plotly_js(tmp_path)
    assert path.name == PLOTLY_JS and path.stat().st_size > 1_000_000
    first = path.stat().st_mtime_ns
    assert ensure_plotly_js(tmp_path).stat().st_mtime_ns == first


def test_index_lists_territories_with_status_and_links(tmp_path: Path) -> None:
    (tmp_path / "t1").mkdir()
    (tmp_path / "t1" / "report.html").write_text("<html></html>")
    (tmp_path / "report.html").write_text("<html></html>")
    states = {"report": {
        "t1": {"status": "ok", "label": "Pays <de> Morlaix", "finished_at": "2026-01-01T10:00:00+00:00",
               "seconds": 2.5},
        "t2": {"status": "failed", "label": "Matera", "error": {"ename": "ValueError"}},
        "*": {"status": "ok", "label": "tous", "finished_at": "2026-01-01T10:00:00+00:00"},
    }}
    page = write_index(tmp_path, states, lang="en").read_text(encoding="utf-8")
    assert "Pays &lt;de&gt; Morlaix" in page and 'href="t1/report.html"' in page
    assert "up to date" in page and "last run failed" in page and "2.5" in page
    assert 'href="report.html"' in page and "Synthesis of all territories" in page
