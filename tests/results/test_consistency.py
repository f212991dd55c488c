"""One territory through the report, the dashboard and the export: the same numbers everywhere.

The report is executed for real (papermill, a real kernel, through ``coopwork run``), the
dashboard is built as a Voilà kernel builds it (every tab opened), and the export writes its
workbook; each is then read back as a person would get it (notebook outputs, widget outputs,
XLSX cells) and compared with the territory's results, question by question, option by option.
"""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from coopwork.paths import export_name, reports_dir
from coopwork.results.tables import decode

PLOTLY = "application/vnd.plotly.v1+json"
TERRITORY = "matera"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, demo_prepared, chart_payloads):
    """The demo workspace after one report, one dashboard and one export of ``TERRITORY``."""
    import nbformat

    from coopwork.batch import run_batch
    from coopwork.dashboard.page import Dashboard
    from coopwork.export import export_all
    from coopwork.fileio import load
    from coopwork.results.store import ensure
    from coopwork.workspace import open_workspace

    root = tmp_path_factory.mktemp("consistency") / "ws"
    shutil.copytree(demo_prepared, root)
    ran = run_batch(root, territories=[TERRITORY], notebook="territory_report.ipynb", show_progress=False)
    assert ran.ok, ran.failed
    ws = open_workspace(root)
    report = nbformat.read(reports_dir(ws.reports_dir, TERRITORY) / "territory_report.ipynb", as_version=4)
    report_figures = [
        out["data"][PLOTLY]
        for cell in report.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if PLOTLY in out.get("data", {})
    ]
    report_text = "\n".join(
        out["data"].get("text/markdown", "")
        for cell in report.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if "data" in out
    )

    dashboard = Dashboard(root, territory=TERRITORY)
    for position in range(len(dashboard.tabs.children)):
        dashboard._build_tab(position)
    dashboard.close()
    shown = [payload["figure"] for payload in chart_payloads(dashboard.tabs)]  # what the page draws

    export_all(root, territories=[TERRITORY], placemat_pdf=False)
    book = openpyxl.load_workbook(ws.exports_dir / "workbooks" / f"{export_name(TERRITORY)}.xlsx")

    entry = next(e for e in ensure(ws, territories=[TERRITORY], synthesis=False) if e.territory == TERRITORY)
    return {
        "results": load(entry.path),
        "report": report_figures,
        "report_text": report_text,
        "dashboard": shown,
        "workbook": book,
    }


def _sheet(book, name: str) -> list[dict]:
    rows = list(book[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _title(figure: dict) -> str:
    return figure["layout"]["title"]["text"]


def _bar_counts(figure: dict) -> list:
    """What a single-series bar chart tells a person: the count behind each bar (None: hidden)."""
    return list(figure["data"][0]["customdata"])


def test_every_question_has_the_same_counts_in_the_report_the_dashboard_and_the_export(rendered):
    results = rendered["results"]
    summaries = decode(results["tables"]["summaries"])
    choices = set(summaries.loc[summaries["kind"].isin(["select_one", "select_multiple"]), "question"])
    charts = [c for c in results["views"][""]["charts"] if c.get("figure") and c["id"] in choices]
    assert len(charts) >= 10  # choice questions of the sample survey, organisations and ties
    report = {_title(f): f for f in rendered["report"]}
    dashboard = {_title(f): f for f in rendered["dashboard"]}
    workbook = _sheet(rendered["workbook"], "summaries")
    checked = 0
    for chart in charts:
        question = chart["id"]
        expected = [
            None if hidden else int(n)
            for n, hidden in zip(
                summaries.loc[summaries["question"] == question, "n"],
                summaries.loc[summaries["question"] == question, "suppressed"],
                strict=True,
            )
        ]
        title = _title(chart["figure"])
        assert _bar_counts(report[title]) == expected, question
        assert _bar_counts(dashboard[title]) == expected, question
        exported = [
            None if row["suppressed"] else row["n"] for row in workbook if row["question"] == question
        ]
        assert exported == expected, question
        checked += 1
    assert checked == len(charts)
    # the relations questions are counted per tie everywhere, and say so
    units = {row["question"]: row["unit"] for row in workbook}
    assert units["lien_nature"] == "ties" and units["org_type"] == "organisations"
    assert any("par lien de coopération" in t for t in report)


def test_the_network_measures_are_the_same_everywhere(rendered):
    results = rendered["results"]
    network = decode(results["tables"]["network"]).iloc[0]
    exported = _sheet(rendered["workbook"], "network")[0]
    assert not network["suppressed"]
    for measure in ("nodes", "edges", "respondents", "communities"):
        assert exported[measure] == int(network[measure]), measure
    assert exported["density"] == pytest.approx(float(network["density"]))
    # the report prints the key figures of the results (density as displayed: 3 decimals)
    for label, text in results["key_figures"][1:]:
        assert f"| {label} | {text} |" in rendered["report_text"]
    assert str(network["display"]) in rendered["report_text"]
    network_chart = next(c for c in results["views"][""]["charts"] if c["id"] == "network")
    figures = [
        f for f in rendered["report"] + rendered["dashboard"] if _title(f) == _title(network_chart["figure"])
    ]
    assert len(figures) == 2 and figures[0]["data"] == figures[1]["data"]


def test_the_report_shows_exactly_the_results_figures(rendered):
    results = rendered["results"]
    drawn = [c["figure"] for c in results["views"][""]["charts"] if c.get("figure")]
    assert [_title(f) for f in rendered["report"]] == [_title(f) for f in drawn]
    for shown, stored in zip(rendered["report"], drawn, strict=True):
        assert shown["data"] == stored["data"]
