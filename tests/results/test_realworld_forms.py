"""Every real XLSForm of ``../shared/realworld`` that has a matching export runs the whole path:
ingest (as one territory) → results → report notebooks → site export → data export → check.

The forms were written by other people (KoboToolbox's meeting, inventory and project-overview
forms, Ona's transportation form: repeats nested two deep, a repeat in a group, nested groups,
loops, select_multiple with an unlisted option, ranges, positions). The files are read in place
and never copied into the repository; the module is skipped with a reason when they are absent.
The exports written by other platforms without a form go through the draft path, up to the
results and their check (``test_drafted_exports_give_results_that_pass_the_check``).
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from coopwork.errors import SurveyError
from coopwork.ingest import ingest_file
from coopwork.survey import load_survey
from coopwork.workspace import open_workspace

pytestmark = pytest.mark.slow

#: (form, export) pairs of real forms with their real export
PAIRS = {
    "meeting": ("kobo/kobo_transfer_meeting_form_xlsform.xlsx",
                "kobo/kobo_transfer_meeting_form_export.xlsx"),
    "inventory": ("kobo/kobo_transfer_inventory_form_xlsform.xlsx",
                  "kobo/kobo_transfer_inventory_form_export.xlsx"),
    "project_overview": ("kobo/kobo_transfer_project_overview_xlsform.xlsx",
                         "kobo/kobo_transfer_project_overview_export.xlsx"),
    "transportation": ("ona/onadata_transportation_xlsform.xlsx", "ona/onadata_transportation_export.xlsx"),
}


@pytest.fixture(scope="module", params=sorted(PAIRS))
def workspace(request, realworld, tmp_path_factory):
    """The whole path for one real form, its export ingested as territory ``t1``."""
    from coopwork.batch import run_batch
    from coopwork.export import export_all
    from coopwork.export.check import check_published
    from coopwork.export.data import write_data

    form, export = (realworld / name for name in PAIRS[request.param])
    root = tmp_path_factory.mktemp(request.param)
    (root / "surveys").mkdir()
    copy = Path(shutil.copy(form, root / "surveys" / form.name))
    result = ingest_file(export, survey=copy, wave="2024", territory="t1", workspace=root)
    assert result.accepted >= 1
    run = run_batch(root, lang="en", show_progress=False)
    exported = export_all(root, lang="en", placemat_pdf=False)
    data = write_data(open_workspace(root), fmt="csv", lang="en")
    return {"name": request.param, "root": root, "run": run, "export": exported, "data": data,
            "check": check_published(root)}


def test_reports_exports_and_check_without_error(workspace):
    run = workspace["run"]
    assert not run.failed and set(run.executed) == {"t1", "*"}, run.failed
    assert workspace["export"].territories == ["t1"]
    assert workspace["check"].ok, workspace["check"].breaches
    site = workspace["export"].site
    assert (site / "territories" / "t1.html").is_file() and (site / "workbooks" / "t1.xlsx").is_file()


def test_the_report_shows_the_rows_of_its_repeats_as_a_table(workspace):
    """Found on the meeting form: the key figures of the repeats came out as a line of '|' text."""
    ws = open_workspace(workspace["root"])
    page = (workspace["root"] / "data" / "reports" / ws.survey_id / "t1" / "territory_report.html").read_text(
        encoding="utf-8")
    assert "|---|" not in page
    if any(len(ws.repeat(repeat)) for repeat in ws.survey.repeats):  # their rows are key figures
        assert "<table><thead><tr><th>Measure</th><th>Value</th></tr></thead>" in page


def test_every_published_question_appears_once_in_results_report_site_and_workbook(workspace):
    from coopwork.fileio import load
    from coopwork.paths import results_file
    from coopwork.results.tables import decode

    root = workspace["root"]
    ws = open_workspace(root)
    results = load(results_file(root, ws.survey_id, "t1", "2024", "en", 3))
    charts = results["views"][""]["charts"]
    ids = Counter(c["id"] for c in charts)
    assert ids and all(n == 1 for n in ids.values()), ids
    questions = set(decode(results["tables"]["summaries"])["question"])
    book = pd.read_excel(workspace["export"].site / "workbooks" / "t1.xlsx", sheet_name="summaries",
                         engine="openpyxl")
    assert set(book["question"]) == questions
    page = (workspace["export"].site / "territories" / "t1.html").read_text(encoding="utf-8")
    report = root / "data" / "reports" / ws.survey_id / "t1" / "territory_report.ipynb"
    from .test_any_survey import _chart_titles, _report_titles

    in_page, in_report = Counter(_chart_titles(page)), Counter(_report_titles(report))
    for chart in charts:
        assert in_page[chart["title"]] == 1 and in_report[chart["title"]] == 1, chart["title"]


def test_the_data_export_has_every_repeat_keyed_to_its_parent(workspace):
    ws = open_workspace(workspace["root"])
    folder = workspace["data"].folder
    tables = {p.stem: pd.read_csv(p, encoding="utf-8-sig") for p in folder.glob("*.csv")
              if p.stem != "codebook"}
    for repeat in ws.survey.repeats:
        stored = ws.repeat(repeat)
        if stored.empty:
            continue
        written = tables[repeat]
        assert len(written) == len(stored)
        parent = ws.survey.parent_repeat(repeat)
        keys = set(tables[parent]["key"]) if parent else set(tables["responses"]["submission_id"])
        assert set(written["parent_key"]) <= keys, repeat



def test_the_data_export_writes_numbers_and_positions_as_numbers(workspace):
    """Issue 21 item 5: a coordinate came out as ``'-6.955502 …`` (the formula guard hit negative numbers)."""
    folder = workspace["data"].folder
    for path in folder.glob("*.csv"):
        text = path.read_text(encoding="utf-8-sig")
        assert not any(cell.startswith("'") and cell[1:2] in "-+0123456789." for line in text.splitlines()
                       for cell in line.split(",")), path.name
    survey = open_workspace(workspace["root"]).survey
    responses = pd.read_csv(folder / "responses.csv", encoding="utf-8-sig")
    for q in (q for q in survey.top_level if q.type == "geopoint"):
        for part in ("latitude", "longitude"):
            column = responses[f"{q.name}_{part}"]
            assert pd.api.types.is_float_dtype(column), (q.name, part)


def test_the_meeting_form_counts_per_repeat_row_and_protects_on_meetings(realworld, tmp_path):
    """The issue's example: each repeat summarised per row, with its unit, protected on meetings."""
    from coopwork.results.inputs import Inputs
    from coopwork.results.views import compute

    form, export = (realworld / name for name in PAIRS["meeting"])
    (tmp_path / "surveys").mkdir()
    copy = Path(shutil.copy(form, tmp_path / "surveys" / form.name))
    ingest_file(export, survey=copy, wave="2024", workspace=tmp_path)  # no territory question: none given
    inputs = Inputs(open_workspace(tmp_path))
    results = compute(inputs, None, "2024", lang="en", min_count=3)
    assert results["territory_label"] == "All responses" and results["key_figures"][0] == ["Responses", "5"]
    chart = next(c for c in results["views"][""]["charts"] if c["id"] == "Session_number")
    subtitle = chart["figure"]["layout"]["title"]["subtitle"]["text"]
    assert chart["title"] == "Session number — per “Feedback”"
    assert subtitle.startswith("n = 12 rows of “Feedback” in 4 responses")
    assert chart["figure"]["layout"]["xaxis"]["title"]["text"] == "% of rows of “Feedback”"
    feedback = inputs.table("feedback")
    session = feedback.groupby("Session_number")["_submission_id"].nunique()
    bars = dict(zip(chart["figure"]["data"][0]["ids"], chart["figure"]["data"][0]["x"], strict=True))
    for option, meetings in session.items():
        assert meetings >= 3 or bars[option] is None, option  # a cell of fewer than 3 meetings is hidden
    assert any(x is not None for x in bars.values())


def test_an_invalid_real_form_is_refused_with_its_row(realworld):
    with pytest.raises(SurveyError, match=r"row 62.*HandWashHabits1"):
        load_survey(realworld / "generic" / "ceat_abidjan_2022_xlsform.xls")


DRAFTED = ["odk/briefcase_all-data-types.csv", "odk/briefcase_nested-repeats.csv",
           "odk/ruodk_flora_quadrat_0-4_taxon_encounter.csv", "limesurvey/plr_tool_ap_results-survey.csv",
           "googleforms/optojump_medintech_fr.csv", "googleforms/es_personalidad_uso_apps.csv",
           "kobo/kpi_kobocat_legacy_tutorial_w_repeats.csv", "kobo/kobo_transfer_rank_groups_export.xlsx"]


@pytest.mark.parametrize("name", DRAFTED)
def test_drafted_exports_give_results_that_pass_the_check(name, realworld, tmp_path):
    from coopwork.export.check import check_published
    from coopwork.ingest.draft import draft_survey
    from coopwork.results.store import ensure

    export = realworld / name
    form = draft_survey(export, output=tmp_path / "surveys" / f"{export.stem}.xlsx")
    ingest_file(export, survey=form, wave="w1", territory="t1", workspace=tmp_path)
    ws = open_workspace(tmp_path)
    entries = ensure(ws, langs=("en",), min_count=3)
    assert {e.territory for e in entries} == {"t1", None}
    assert check_published(tmp_path).ok
