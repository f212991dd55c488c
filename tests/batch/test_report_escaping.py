"""Script in a territory label or a respondent's answer stays text in the published reports.

The reports (``data/reports/…/territory_report.html``, ``synthesis.html`` and their copies under
``data/exports/…/reports/``) go on public websites. A label from the form's choice list, or a
respondent's free-text territory answer, must show as the characters it is, in a real browser.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest
from batch_helpers import make_workspace
from nbconvert.filters.markdown import markdown2html
from openpyxl import load_workbook

from coopwork.batch import html, run_batch
from coopwork.batch import notebook as report

CLOSE_SCRIPT = "</script><script>window.__pwned = 1; document.title = 'PWNED'</script>"
IMG = "<img src=x onerror=\"window.__pwned = 2; document.title = 'PWNED'\">"


def test_headings_tables_and_notes_show_labels_as_text():
    label = f"Pays {IMG} [lien](javascript:alert(1)) *gras* | {CLOSE_SCRIPT}"
    shown = (report.heading(label, level=1)._repr_html_()
             + report.table([[label, 3]], ["t", "n"])._repr_html_())
    assert "<img" not in shown and "<script" not in shown and "&lt;img src=x" in shown
    markdown = (report.heading(label, level=2)._repr_markdown_() + "\n\n"
                + report.markdown_table([[label, 3]], ["t", "n"]))
    rendered = markdown2html(markdown)  # what nbconvert makes of a Markdown output
    assert "<img" not in rendered and "<script" not in rendered and "href=\"javascript" not in rendered
    assert "<em>" not in rendered and rendered.count("<td>") == 2  # no emphasis, the | did not split the cell
    assert "[lien](javascript:alert(1)) *gras* | &lt;/script&gt;" in rendered


def test_a_notebook_that_displays_raw_markup_cannot_run_script_in_its_page():
    """A researcher's own notebook that forgets to escape: the page is sanitised anyway."""
    cell = nbformat.v4.new_code_cell("display(HTML(label))")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": f"<h2>Territoire {IMG}</h2>"}),
        nbformat.v4.new_output("display_data", data={"text/markdown": f"## {CLOSE_SCRIPT}"}),
        nbformat.v4.new_output("display_data", data={"application/javascript": "window.__pwned = 3"}),
        nbformat.v4.new_output("display_data", data={"text/html": '<a href="javascript:alert(1)">x</a>'}),
    ]
    nb = nbformat.v4.new_notebook(cells=[cell])
    page = html.to_html(nb)
    assert "<img" not in page and "<script>window.__pwned" not in page and "window.__pwned = 3" not in page
    assert "javascript:alert" not in page and "<h2>Territoire &lt;img" in page
    outputs = html.sanitise(nb).cells[0].outputs
    assert len(outputs) == 3 and not any("application/javascript" in o["data"] for o in outputs)  # dropped
    assert nb.cells[0].outputs[0]["data"]["text/html"].startswith("<h2>Territoire <img")  # input untouched


def _hostile_workspace(root: Path) -> Path:
    make_workspace(root, ["alpha", "beta", "gamma"])
    form = root / "surveys" / "mini_coop.xlsx"
    book = load_workbook(form)
    for row in book["choices"].iter_rows(min_row=2):
        if row[1].value == "alpha":
            row[2].value = row[3].value = f"Alpha {CLOSE_SCRIPT}"
        if row[1].value == "beta":
            row[2].value = row[3].value = f"Beta {IMG}"
    book.save(form)
    return root


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """Reports and their exported copies of a workspace whose territory labels hold script."""
    from coopwork.export import export_all

    root = _hostile_workspace(tmp_path_factory.mktemp("hostile") / "ws")
    result = run_batch(root, lang="en", show_progress=False)
    assert result.failed == [], result.failed
    export_all(root, lang="en", placemat_pdf=False)
    reports = root / "data" / "reports" / "mini_coop"
    exports = root / "data" / "exports" / "mini_coop" / "reports"
    pages = [reports / "alpha" / "territory_report.html", reports / "beta" / "territory_report.html",
             reports / "synthesis.html", exports / "alpha" / "territory_report.html",
             exports / "beta" / "territory_report.html", exports / "synthesis.html"]
    for page in pages:
        assert page.is_file(), page
    return pages


def test_report_pages_hold_the_labels_as_escaped_text(published):
    for path in published:
        page = path.read_text(encoding="utf-8")
        assert "<img src=x" not in page and "<script>window.__pwned" not in page, path
        assert "&lt;img src=x onerror=" in page or "&lt;/script&gt;&lt;script&gt;" in page, path


@pytest.mark.browser
@pytest.mark.slow
def test_no_script_runs_when_the_reports_are_opened_in_a_browser(published, chromium):
    for path in published:
        page = chromium.new_page()
        try:
            dialogs: list[str] = []
            page.on("dialog", lambda dialog, seen=dialogs: (seen.append(dialog.message), dialog.dismiss()))
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_timeout(300)
            assert page.evaluate("window.__pwned") is None, path
            assert page.title() != "PWNED" and not dialogs, path
            shown = page.inner_text("body")
            assert "<img src=x onerror=" in shown or "</script><script>window.__pwned" in shown, path
        finally:
            page.close()


def _text_territory_form(folder: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label", "coopwork::role"])
    sheet.append(["text", "zone", "Zone", "territory"])
    sheet.append(["text", "org", "Organisation", "organisation"])
    sheet.append(["integer", "staff", "Staff", ""])
    sheet.append(["select_one kinds", "kind", "Kind", ""])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    choices.append(["kinds", "scop", "SCOP"])
    choices.append(["kinds", "scic", "SCIC"])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "form_title"])
    settings.append(["zones_text", "Zones"])
    path = folder / "surveys" / "zones_text.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def test_a_free_text_territory_answer_is_a_label_whose_id_is_a_slug(tmp_path):
    """An answer never becomes a folder as typed; markup is not a place name and is quarantined."""
    from coopwork.ingest import ingest_file
    from coopwork.workspace import open_workspace

    form = _text_territory_form(tmp_path)
    val = "Val d'Oise & \"Co\""
    zones = ["Pays de Morlaix", "pays  de MORLAIX ", "Pays de Morlaix", IMG, val, val, val]
    export = tmp_path / "export.csv"
    pd.DataFrame({"zone": zones, "org": list("ABCDEFG"), "staff": range(1, 8),
                  "kind": ["scop", "scic"] * 3 + ["scop"]}).to_csv(export, sep=";", index=False)
    result = ingest_file(export, survey=form, wave="2025", workspace=tmp_path)
    assert (result.rows_read, result.accepted, result.quarantined) == (7, 6, 1)
    assert result.territories == ["pays-de-morlaix", "val-d-oise-co"]
    issues = pd.read_csv(result.issues_file, dtype=str, encoding="utf-8-sig")
    assert issues["code"].tolist() == ["ingest.reason_territory_markup"] and issues["row"].tolist() == ["4"]
    ws = open_workspace(tmp_path)
    assert ws.territory_label("pays-de-morlaix") == "Pays de Morlaix"  # the answer given most often
    assert ws.territory_label("val-d-oise-co") == "Val d'Oise & \"Co\""
    batch = run_batch(tmp_path, lang="en", show_progress=False)
    assert batch.failed == [], batch.failed
    reports = Path(batch.reports_dir)
    assert sorted(p.name for p in reports.iterdir() if p.is_dir()) == ["pays-de-morlaix", "val-d-oise-co"]
    page = (reports / "val-d-oise-co" / "territory_report.html").read_text(encoding="utf-8")
    # a form without the cooperation roles is named by its own title (issue 21)
    assert "<h1>Zones — Val d'Oise &amp; \"Co\"</h1>" in page
