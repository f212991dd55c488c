"""Any survey, end to end: a researcher's own form (not a cooperation survey, no territory question,
repeats two deep, every kind of question) goes through ingest → results → report notebooks →
dashboard → site export → data export → ``coopwork check``.

What is asserted, against counts made here from the hand-written answers (``any_survey.RECORDS``),
never through coopwork: no error; every published question appears exactly once in each output;
the published counts are the true ones; no published cell rests on fewer than 3 submissions — a
cell of five repeat rows from one household is a cell of one.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

from coopwork.ingest import ingest_file
from coopwork.results.questions import published
from coopwork.results.tables import decode
from coopwork.workspace import open_workspace

from .any_survey import FORM_ID, PUBLISHED, RECORDS, jobs, write_export, write_form

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def everyone(tmp_path_factory):
    """The form's workspace, ingested without a territory, then run, exported and checked."""
    from coopwork.batch import run_batch
    from coopwork.export import export_all
    from coopwork.export.check import check_published
    from coopwork.export.data import write_data

    root = tmp_path_factory.mktemp("household")
    form = write_form(root / "surveys" / f"{FORM_ID}.xlsx")
    result = ingest_file(write_export(root / "export.xlsx"), survey=form, wave="2024", workspace=root)
    assert result.accepted == len(RECORDS) and result.territories == []
    run = run_batch(root, lang="en", show_progress=False)
    # the synthesis, the one report of all respondents
    assert not run.failed and run.executed == ["*"], run.failed
    exported = export_all(root, lang="en", placemat_pdf=False)
    data = write_data(open_workspace(root), fmt="csv", lang="en")
    checked = check_published(root)
    return {"root": root, "run": run, "export": exported, "data": data, "check": checked}


def _results(root: Path) -> dict:
    files = sorted((root / ".coopwork" / "results" / FORM_ID / "_all").glob("2024.en.k3.json"))
    assert len(files) == 1
    return json.loads(files[0].read_text(encoding="utf-8"))


def _chart_titles(html: str) -> list[str]:
    """The titles of the charts of a site page: the plotly figures' and the messages' (never both). A
    figure is in its page twice (as drawn on a screen, ``f``, and laid out for a phone, ``p``): the
    screen's is counted."""
    screen = r'var f = \{"data":.*?"title":\s*\{"text":\s*"<b>(.*?)<\\?/b>"'
    figures = [unescape(m) for m in re.findall(screen, html)]
    messages = [unescape(m) for m in re.findall(r"<figcaption>(.*?)</figcaption>", html)]
    return [re.sub(r"<br>", " ", t) for t in figures + messages]


#: a character Markdown shows as is after a backslash (coopwork.words.markdown escapes them)
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+!|])")


def _report_titles(notebook: Path) -> list[str]:
    """The titles of the charts of an executed report: its figures', and those of the sentences
    standing for a chart (``*title — why*``)."""
    found = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            figure = data.get("application/vnd.plotly.v1+json")
            if figure:
                found.append(re.sub(r"</?b>", "", figure["layout"]["title"]["text"]).replace("<br>", " "))
            text = "".join(data.get("text/markdown", ""))
            # the title, then why it is not drawn, as Markdown shows it (backslash escapes undone)
            found += [_MARKDOWN_ESCAPE.sub(r"\1", t) for t in re.findall(r"^\*(.+) — ", text, re.M)]
    return [unescape(t) for t in found]


def test_no_territory_gives_one_report_one_export_and_a_clean_check(everyone):
    root = everyone["root"]
    assert (root / "data" / "reports" / FORM_ID / "synthesis.html").is_file()
    folders = [p for p in (root / "data" / "reports" / FORM_ID).iterdir() if p.is_dir()]
    assert [p.name for p in folders] in ([], ["_failed"])  # no folder of a territory
    site = everyone["export"].site
    assert (site / "territories" / "_all.html").is_file() and (site / "workbooks" / "_all.xlsx").is_file()
    assert "no territory question" in (site / "index.html").read_text(encoding="utf-8")
    assert everyone["check"].ok, everyone["check"].breaches
    assert everyone["check"].cells > 50


def test_every_published_question_appears_once_in_the_results(everyone):
    results = _results(everyone["root"])
    charts = results["views"][""]["charts"]
    ids = Counter(c["id"] for c in charts)
    assert all(n == 1 for n in ids.values()), ids
    likert = {"safe", "clean", "satisfaction"}
    assert set(ids) == (set(PUBLISHED) - likert) | {c["id"] for c in charts if c["id"].startswith("likert.")}
    assert len([c for c in charts if c["id"].startswith("likert.")]) == 2  # the matrix, the 1–5 scale
    assert [s["label"] for s in results["sections"]] == ["Household", "Opinions", "Household members",
                                                         "Other questions"]
    # nothing of a cooperation survey: no network, no comparison, no change
    assert not {"ties", "compare", "change"} & {c["section"] for c in charts}
    summaries = decode(results["tables"]["summaries"])
    assert set(summaries["question"]) == set(PUBLISHED)


def test_every_published_question_appears_once_in_the_report_and_the_site(everyone):
    root, site = everyone["root"], everyone["export"].site
    results = _results(root)
    titles = [c["title"] for c in results["views"][""]["charts"]]
    report = (root / "data" / "reports" / FORM_ID / "synthesis.html").read_text(encoding="utf-8")
    page = (site / "territories" / "_all.html").read_text(encoding="utf-8")
    in_page = Counter(_chart_titles(page))
    in_report = Counter(_report_titles(root / "data" / "reports" / FORM_ID / "synthesis.ipynb"))
    for title in titles:
        assert in_page[title] == 1, (title, in_page)
        assert in_report[title] == 1, (title, in_report)
    assert "Ada Lovelace" not in page and "We need a school." not in page and "112.94" not in page
    assert "Ada Lovelace" not in report and "We need a school." not in report and "112.94" not in report


def _shown(summaries: pd.DataFrame, question: str) -> dict[str, int]:
    rows = summaries[(summaries["question"] == question) & ~summaries["suppressed"].astype(bool)]
    return dict(zip(rows["option"].astype(str), rows["n"].astype(int), strict=True))


def test_counts_equal_the_answers_and_hidden_cells_rest_on_too_few_submissions(everyone):
    summaries = decode(_results(everyone["root"])["tables"]["summaries"])
    # top level: has a garden (5 yes, 2 no: "no" is hidden, so "yes" is too — the total would give it)
    gardens = Counter(r["has_garden"] for r in RECORDS)
    assert gardens == {"yes": 5, "no": 2} and _shown(summaries, "has_garden") == {}
    # crops (several answers): maize 4 of the 5 gardens
    crops = Counter(c for r in RECORDS for c in (r.get("crops") or "").split())
    assert _shown(summaries, "crops") == {k: v for k, v in crops.items() if v >= 3}
    # repeat rows: sex of the 12 household members, counted per row
    members = Counter(p["sex"] for r in RECORDS for p in r["persons"])
    assert _shown(summaries, "sex") == dict(members)
    sex = summaries[summaries["question"] == "sex"]
    assert (sex["unit"] == "rows").all() and sex["base"].max() == sum(members.values())
    # nested repeat: fishing has 5 rows but all from one household, a cell of one: hidden
    rows = Counter(work["job_sector"] for _, work in jobs())
    households = {s: len({h for h, w in jobs() if w["job_sector"] == s}) for s in rows}
    assert rows["fishing"] == 5 and households["fishing"] == 1
    sectors = summaries[summaries["question"] == "job_sector"].set_index("option")
    assert bool(sectors.loc["fishing", "suppressed"]) and pd.isna(sectors.loc["fishing", "n"])
    for sector, row in sectors.iterrows():
        if not row["suppressed"]:
            assert row["n"] == rows[sector] and row["respondents"] == households[sector] >= 3


def test_no_shown_cell_rests_on_fewer_than_three_submissions(everyone):
    summaries = decode(_results(everyone["root"])["tables"]["summaries"])
    shown = summaries[~summaries["suppressed"].astype(bool)]
    for column in ("n", "respondents"):
        values = pd.to_numeric(shown[column], errors="coerce").dropna()
        assert not ((values > 0) & (values < 3)).any(), column
    repeat = shown[shown["unit"] == "rows"]
    assert repeat["respondents"].notna().all()


def test_the_data_export_writes_each_repeat_keyed_to_its_parent(everyone):
    folder = everyone["data"].folder
    responses = pd.read_csv(folder / "responses.csv", encoding="utf-8-sig")
    person = pd.read_csv(folder / "person.csv", encoding="utf-8-sig")
    job = pd.read_csv(folder / "job.csv", encoding="utf-8-sig")
    assert len(responses) == len(RECORDS) and len(person) == sum(len(r["persons"]) for r in RECORDS)
    assert len(job) == len(jobs())
    assert set(person["parent_key"]) <= set(responses["submission_id"])
    assert set(job["parent_key"]) <= set(person["key"])
    assert "respondent_name" not in responses.columns  # the identifier never leaves
    assert {"home_latitude", "home_longitude"} <= set(responses.columns)
    assert pd.api.types.is_float_dtype(responses["home_latitude"])  # numbers, negative ones too
    assert (responses["home_latitude"].dropna() < 0).all()
    fishing = job.merge(person, left_on="parent_key", right_on="key", suffixes=("", "_person"))
    assert len(fishing) == len(job)


def test_the_dashboard_of_all_respondents_shows_the_form_sections(everyone, chart_payloads):
    from coopwork.dashboard.page import Dashboard

    board = Dashboard(everyone["root"], lang="en")
    assert board.tabs.titles == ("Household", "Opinions", "Household members", "Other questions")
    assert board.territory_picker.layout.display == "none" and board.org_picker.layout.display == "none"
    assert "7 responses" in board.summary.value and "Household life" in board.title.value
    payloads = []
    for position in range(len(board.tabs.children)):
        board.tabs.selected_index = position
        payloads += chart_payloads(board.tabs.children[position])
    titles = [p["figure"]["layout"]["title"]["text"] for p in payloads]
    assert len(titles) == len(set(titles)) and any("Sector of the job" in t for t in titles)
    board.close()


def test_with_a_territory_the_same_form_gets_a_territory_dashboard(tmp_path, chart_payloads):
    from coopwork.dashboard.page import Dashboard
    from coopwork.results.store import ensure

    form = write_form(tmp_path / "surveys" / f"{FORM_ID}.xlsx")
    ingest_file(write_export(tmp_path / "export.xlsx"), survey=form, wave="2024", territory="north",
                workspace=tmp_path)
    ws = open_workspace(tmp_path)
    assert ws.territories == ["north"]
    ensure(ws, territories=["north"], langs=("en",), min_count=3)
    board = Dashboard(tmp_path, territory="north", lang="en")
    assert board.tabs.titles[0] == "Household" and "north" in board.title.value
    ids = [c["id"] for c in board.bundle["views"][""]["charts"]]
    assert len(ids) == len(set(ids)) == len({d.chart_id for d in published(ws.survey)})
    board.close()
