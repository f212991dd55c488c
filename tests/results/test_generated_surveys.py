"""Generated surveys (``tests/strategies``): every valid XLSForm gets results, reports, dashboards
and exports that count like the generated answers and keep the disclosure rules.

Three levels, cheap to costly:

- many forms: every question has one display or a reason, in one section;
- a dozen forms with answers, through a Kobo XLSX export and ingest: the results (the synthesis of
  all respondents) publish every question once, their shown counts equal the oracle
  (:func:`tests.strategies.expected_counts`, computed from the generated answers, never through
  coopwork), and no shown cell rests on 1 or 2 submissions — counted from the generated rows;
- a few forms the whole way: report notebooks, site export, data export, a dashboard of one
  territory (its widget tree) and ``coopwork check``; one of them in a real Voilà and Chromium.

Forms without a territory question are ingested without ``--territory``: one unit, all respondents.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopwork.ingest import ingest_file
from coopwork.results.questions import classify, published, section_labels
from coopwork.results.tables import decode
from coopwork.survey import DISPLAYS, REASONS, load_survey
from coopwork.workspace import open_workspace
from tests.strategies import (
    BLANK_LIKE_TEXTS,
    QUESTION_TYPES,
    TRICKY_TEXTS,
    FormSpec,
    Submissions,
    examples,
    expected_counts,
    submissions,
    write_export,
    xlsforms,
)

#: the display each generated type gets (select_one: bars, or Likert when it is on a scale)
TYPE_DISPLAYS = {"select_one": {"bars", "likert"}, "select_multiple": {"bars"}, "rank": {"rank"},
                 "integer": {"histogram"}, "decimal": {"histogram"}, "range": {"histogram"},
                 "calculate": {"histogram"}, "date": {"periods"}, "datetime": {"periods"},
                 "time": {"periods"}, "text": {"answers"}, "geopoint": {"positions"},
                 "acknowledge": {"answers"}}
#: tricky answers, without those that spell a blank ("NA", "None"…): issue 22 stores them as missing
#: (tests/strategies/test_found.py::test_blank_like_text_answer_is_kept)
TRICKY = tuple(t for t in TRICKY_TEXTS if t not in BLANK_LIKE_TEXTS)
#: shapes seen so far (printed by the last test: what the generated material covered)
SEEN: Counter = Counter()


def _shapes(form: FormSpec) -> None:
    SEEN["forms"] += 1
    SEEN.update(f"type:{q.type}" for q, _ in form.questions())
    depth = max((sum(g.repeat for g in place.groups) for _, place in form.questions()), default=0)
    SEEN[f"repeat depth {depth}"] += 1
    SEEN["with territory" if form.territory else "without territory"] += 1
    SEEN["cooperation roles" if form.roles.get("partner") else "no cooperation roles"] += 1
    SEEN[f"{len(form.languages) or 1} language(s)"] += 1
    SEEN["groups"] += any(place.groups for _, place in form.questions())


def _workspace(form: FormSpec, subs: Submissions, folder: Path) -> Path:
    """The form's workspace with its Kobo XLSX export ingested (no ``--territory``: a form without a
    territory question is one unit of all respondents)."""
    root = folder / "ws"
    (root / "surveys").mkdir(parents=True, exist_ok=True)
    survey = form.to_xlsx(root / "surveys" / f"{form.form_id}.xlsx")
    export = write_export("kobo_xlsx", form, subs, folder / "export.xlsx")
    result = ingest_file(export, survey=survey, wave="w1", workspace=root)
    assert (result.accepted, result.quarantined) == (len(subs.records), 0)
    return root


# ---------------------------------------------------------------- every question: one display or a reason


@settings(max_examples=examples(40))
@given(xlsforms())
def test_every_generated_question_has_one_display_or_a_reason(form):
    _shapes(form)
    with tempfile.TemporaryDirectory() as folder:
        survey = load_survey(form.to_xlsx(Path(folder) / "form.xlsx"))
    found = {d.question.name: d for d in classify(survey)}
    keys = {form.territory, *(v for k, v in form.roles.items() if k != "org_type")} - {None}
    for q, _place in form.questions():
        d = found[q.name]
        assert (d.display is None) != (d.reason is None), q.name
        assert d.display in (*DISPLAYS, None) and d.reason in (*REASONS, None)
        if q.is_metadata:
            assert d.reason == "metadata", q.name
        elif q.type == "note":
            assert d.reason == "note", q.name
        elif q.header:
            assert d.reason == "header", q.name
        elif q.name in keys:
            assert d.reason == "role", q.name
        else:
            assert d.display in TYPE_DISPLAYS[q.type], (q.name, q.type, d.display)
    shown = published(survey)
    order = [s["id"] for s in section_labels(survey, [d.section for d in shown], lang="en")]
    assert set(order) == {d.section for d in shown} and len(order) == len(set(order))
    if not form.roles.get("partner") and not survey.dimensions:
        assert not {"ties", "compare", "change"} & set(order)


# ---------------------------------------------------------------- results against the oracle


def _rows_of(subs: Submissions, repeat: str | None) -> list:
    """(record uuid, answers) of every row of a table: the records, or a repeat's rows."""
    if repeat is None:
        return [(r.uuid, r.root.values) for r in subs.records]
    return [(r.uuid, row.values) for r, row in subs.rows(repeat)]


def _chosen(value: object, option: str) -> bool:
    return option in value if isinstance(value, frozenset) else value == option


def _check_against_oracle(results: dict, inputs, subs: Submissions) -> None:
    """Every published question once; shown counts equal the oracle; no shown cell on < 3 records."""
    expected = expected_counts(subs)
    charts = results["views"][""]["charts"]
    ids = Counter(c["id"] for c in charts)
    assert all(n == 1 for n in ids.values()), ids
    assert {d.chart_id for d in inputs.published} <= set(ids)
    summaries = decode(results["tables"]["summaries"]) if "summaries" in results["tables"] else None
    if summaries is None or summaries.empty:
        return
    wave = inputs.wave("w1")  # a question of a repeat nobody filled has a chart ("no answer"), no cell
    assert set(summaries["question"]) == {d.question.name for d in inputs.published if wave.prepared(d)}
    for d in inputs.published:
        q = d.question
        rows = summaries[summaries["question"] == q.name]
        shown = rows[~rows["suppressed"].astype(bool)]
        answers = _rows_of(subs, d.table)
        if d.display in ("bars", "likert") and q.name in expected.options:
            for option, n in zip(shown["option"].astype(str), shown["n"], strict=True):
                assert n == expected.options[q.name].get(option, 0), (q.name, option)
                owners = {uuid for uuid, values in answers if _chosen(values.get(q.name), option)}
                assert n == 0 or len(owners) >= 3, (q.name, option, owners)
        if d.display in ("histogram", "answers", "positions") and len(shown):
            assert shown["n"].iloc[0] == expected.answered[q.name], q.name
            owners = {uuid for uuid, values in answers if values.get(q.name) is not None}
            assert shown["n"].iloc[0] == 0 or len(owners) >= 3, q.name  # a true zero may be shown
        if d.display == "rank":  # each option at each rank: counted from the generated orders
            for option, position, n in zip(shown["ranked"], shown["position"], shown["n"], strict=True):
                ranked = [v for _, v in answers if v.get(q.name)]
                assert n == sum(1 for v in ranked if v[q.name][int(position) - 1:int(position)] == (option,))
        if d.display == "periods" and len(rows):  # every answer in one period
            total = int(pd.to_numeric(shown["n"]).sum())
            if rows["suppressed"].any():
                assert total <= expected.answered[q.name], q.name
            else:
                assert total == expected.answered[q.name], q.name
        if len(shown) and pd.notna(shown["base"]).any() and d.display not in ("periods", "rank"):
            assert shown["base"].dropna().max() == expected.answered[q.name], q.name


@settings(max_examples=examples(12), suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_results_of_generated_surveys_count_like_the_oracle(data):
    from coopwork.results.inputs import Inputs
    from coopwork.results.views import compute

    form = data.draw(xlsforms(max_questions=10))
    subs = data.draw(submissions(form, min_records=3, max_records=12, tricky=TRICKY))
    _shapes(form)
    with tempfile.TemporaryDirectory() as name:
        root = _workspace(form, subs, Path(name))
        ws = open_workspace(root)
        inputs = Inputs(ws)
        results = compute(inputs, None, "w1", lang="en", min_count=3)
        _check_against_oracle(results, inputs, subs)
        for territory in ws.territories[:2]:  # each territory: every question once, nothing broken
            one = compute(inputs, territory, "w1", lang="en", min_count=3)
            ids = Counter(c["id"] for c in one["views"][""]["charts"])
            assert all(n == 1 for n in ids.values()), ids
    assert results["respondents"]["n"] == len(subs.records) or len(subs.records) < 3


@settings(max_examples=examples(4), suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_question_type_in_one_form_counts_like_the_oracle(data):
    """Rank, time, datetime, calculate… drawn rarely above: here all of them in each form."""
    from coopwork.results.inputs import Inputs
    from coopwork.results.views import compute

    form = data.draw(xlsforms(require_types=QUESTION_TYPES, max_questions=6, max_depth=2))
    subs = data.draw(submissions(form, min_records=4, max_records=10, tricky=TRICKY))
    _shapes(form)
    with tempfile.TemporaryDirectory() as name:
        inputs = Inputs(open_workspace(_workspace(form, subs, Path(name))))
        results = compute(inputs, None, "w1", lang="en", min_count=3)
        _check_against_oracle(results, inputs, subs)
    shown = {d.display for d in inputs.published}
    assert {"bars", "rank", "histogram", "periods", "answers", "positions"} <= shown


# ---------------------------------------------------------------- the whole way, on a few forms


def _whole_way(form: FormSpec, subs: Submissions, folder: Path) -> dict:
    from coopwork.batch import run_batch
    from coopwork.export import export_all
    from coopwork.export.check import check_published
    from coopwork.export.data import write_data

    root = _workspace(form, subs, folder)
    run = run_batch(root, lang="en", show_progress=False, jobs=1)
    assert not run.failed, run.failed
    exported = export_all(root, lang="en", placemat_pdf=False)
    data = write_data(open_workspace(root), fmt="csv", lang="en")
    checked = check_published(root)
    assert checked.ok, checked.breaches
    return {"root": root, "run": run, "export": exported, "data": data}


@pytest.mark.slow
@settings(max_examples=examples(3), suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_generated_surveys_the_whole_way(chart_payloads, data):
    from coopwork.dashboard.page import Dashboard
    from coopwork.fileio import load
    from coopwork.paths import ALL, export_name, reports_dir, results_file
    from coopwork.results.inputs import Inputs

    from .test_any_survey import _chart_titles, _report_titles

    form = data.draw(xlsforms(max_questions=9, max_depth=2))
    subs = data.draw(submissions(form, min_records=4, max_records=9, tricky=TRICKY))
    _shapes(form)
    SEEN["the whole way"] += 1
    with tempfile.TemporaryDirectory() as name:
        done = _whole_way(form, subs, Path(name))
        root = done["root"]
        ws = open_workspace(root)
        expected = expected_counts(subs)
        # the territory with the most records (a dashboard of one territory), or all respondents
        territory = (max(ws.territories, key=lambda t: expected.territories.get(t, 0)) if ws.territories
                     else None)
        unit = territory or ALL
        results = load(results_file(root, ws.survey_id, territory, "w1", "en", 3))
        inputs = Inputs(ws)
        if territory is None:
            _check_against_oracle(results, inputs, subs)
        if results["respondents"]["suppressed"]:  # fewer than 3 records: nothing of it is shown
            assert results["views"][""]["charts"] == [] and "summaries" not in results["tables"]
            return
        titles = [c["title"] for c in results["views"][""]["charts"]]
        # the report, the site page and the workbook: each question once
        notebook = reports_dir(ws.reports_dir, territory) / (
            "territory_report.ipynb" if territory else "synthesis.ipynb")
        in_report = Counter(_report_titles(notebook))
        page = done["export"].site / "territories" / f"{export_name(unit)}.html"
        in_page = Counter(_chart_titles(page.read_text(encoding="utf-8")))
        for title in titles:
            assert in_report[title] == 1 and in_page[title] == 1, title
        book = pd.read_excel(done["export"].site / "workbooks" / f"{export_name(unit)}.xlsx",
                             sheet_name="summaries", engine="openpyxl")
        assert set(book["question"].dropna()) == set(decode(results["tables"]["summaries"])["question"])
        # the data export: every record, every repeat row, each row keyed to its parent
        folder = done["data"].folder
        tables = {p.stem: pd.read_csv(p, encoding="utf-8-sig", dtype=str) for p in folder.glob("*.csv")}
        assert len(tables["responses"]) == expected.records
        for repeat, rows in expected.repeat_rows.items():
            if rows and repeat in tables:
                assert len(tables[repeat]) == rows, repeat
        # the dashboard of one territory (or of all respondents): the sections of the results
        board = Dashboard(root, territory=territory, lang="en")
        assert list(board.tabs.titles) == [s["label"] for s in results["sections"]]
        payloads = []
        for position in range(len(board.tabs.children)):
            board.tabs.selected_index = position
            payloads += chart_payloads(board.tabs.children[position])
        drawn = [c for c in results["views"][""]["charts"] if c.get("figure")]
        assert len(payloads) == len(drawn)
        board.close()


@pytest.mark.browser
@pytest.mark.slow
@settings(max_examples=1, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.data())
def test_a_generated_survey_in_voila_and_chromium(serving, chromium, tmp_path_factory, data):
    """One generated form, served by a real Voilà and looked at in a real Chromium."""
    from coopwork.dashboard.serve import free_port, prepare

    form = data.draw(xlsforms(max_questions=8, max_depth=2, territory=["none"], cooperation=["none"]))
    subs = data.draw(submissions(form, min_records=5, max_records=8, tricky=TRICKY))
    folder = tmp_path_factory.mktemp("generated_voila")
    root = _workspace(form, subs, folder)
    port = free_port() or pytest.skip("no free port in 18800-18899")
    plan = prepare(root, port=port, token="generated-token", lang="en")
    shots = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with serving(plan, folder / "voila.log"):
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.set_default_timeout(180_000)
            page.goto(plan.urls["synthese"])
            page.wait_for_selector(".cw-tabs", state="attached")
            page.wait_for_function("""() => [...document.querySelectorAll('.cw-plot')]
                .filter(e => e.offsetParent !== null).every(e => e.querySelector('.main-svg'))""")
            tabs = page.locator(".cw-tabs .lm-TabBar-tab").all_inner_texts()
            page.screenshot(path=str(shots / "generated_survey.png"), full_page=True)
            content = page.content()
        finally:
            page.close()
    ws = open_workspace(root)
    sections = {d.section for d in published(ws.survey)}
    labels = [s["label"] for s in section_labels(ws.survey, sorted(sections), lang="en")]
    assert [t.strip() for t in tabs][: len(labels)] == labels[: len(tabs)]
    assert "Traceback" not in content and 'class="cw-error"' not in content


def test_what_the_generated_surveys_covered(capsys):
    """Print how many forms were generated and what shapes they covered (read in the test log)."""
    with capsys.disabled():
        print("\ngenerated surveys:", dict(sorted(SEEN.items())))
    assert SEEN["forms"] >= 1 or not SEEN
