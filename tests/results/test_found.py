"""Failures the generated surveys found (``test_generated_surveys.py``), kept as plain tests."""

from __future__ import annotations

import pandas as pd

from coopwork.ingest import ingest_file
from coopwork.results.inputs import Inputs
from coopwork.results.tables import decode
from coopwork.results.views import compute
from coopwork.survey import Choice
from coopwork.workspace import open_workspace


def _form(path, rows: list[tuple[str, str, str]], choices: list[tuple[str, str, str]]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    for row in rows:
        sheet.append(list(row))
    sheet = book.create_sheet("choices")
    sheet.append(["list_name", "name", "label"])
    for row in choices:
        sheet.append(list(row))
    sheet = book.create_sheet("settings")
    sheet.append(["form_id"])
    sheet.append([path.stem])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def test_a_date_nobody_gave_is_in_the_summaries_as_zero_answers(tmp_path):
    """A date question nobody answered has no period to count: it was missing from the summaries (and so
    from the workbook) while its chart said "no answer". It is there, as 0 answers."""
    form = tmp_path / "surveys" / "dates.xlsx"
    _form(form, [("select_one yn", "seen", "Seen?"), ("date", "when", "When?")],
          [("yn", "yes", "Yes"), ("yn", "no", "No")])
    export = tmp_path / "export.csv"
    pd.DataFrame({"seen": ["yes", "no", "yes", "yes"], "when": [None] * 4,
                  "_uuid": [f"u-{i}" for i in range(4)]}).to_csv(export, index=False)
    ingest_file(export, survey=form, wave="w1", workspace=tmp_path)
    inputs = Inputs(open_workspace(tmp_path))
    results = compute(inputs, None, "w1", lang="en", min_count=3)
    summaries = decode(results["tables"]["summaries"])
    when = summaries[summaries["question"] == "when"]
    assert len(when) == 1 and when["n"].tolist() == [0] and when["kind"].tolist() == ["answers"]
    chart = next(c for c in results["views"][""]["charts"] if c["id"] == "when")
    assert chart["figure"] is None and chart["message"]


def test_rank_keys_survive_the_disclosure_control():
    """protect() blanks every number of a hidden cell: a rank's position, a key, was a number and came
    back NA, so the rank chart could not find the rank of a hidden cell (found by the hand-written form)."""
    from coopwork.analysis.summary import summarise
    from coopwork.figures import rank_chart
    from coopwork.survey import Question, Survey

    options = tuple(Choice(c, {"en": c}) for c in ("a", "b", "c"))
    survey = Survey("s", "S", None, ["en"], "en", {"r": Question("r", "rank", choices=options)}, {})
    table = summarise(pd.DataFrame({"r": ["a b c"] * 3 + ["b a c"] * 2}), survey, "r", lang="en")
    assert table["suppressed"].any() and table["position"].notna().all()
    assert rank_chart(table, survey=survey, lang="en")["data"]


def test_a_select_one_external_is_shown_as_bars(tmp_path):
    """A select_one_external (options in the form's external_choices sheet) was shown as bars but its
    answers could not be read as choices: the results stopped with "not a choice question" (found by
    ``test_realworld_generated.py`` on pyxform's case-insensitivity form)."""
    form = tmp_path / "surveys" / "external.xlsx"
    _form(form, [("select_one yn", "seen", "Seen?"), ("select_one_external places", "where", "Where?")],
          [("yn", "yes", "Yes"), ("yn", "no", "No"), ("places", "x", "X")])
    import openpyxl

    book = openpyxl.load_workbook(form)
    sheet = book.create_sheet("external_choices")
    sheet.append(["list_name", "name", "label"])
    for name in ("paris", "lyon"):
        sheet.append(["places", name, name.title()])
    book.save(form)
    export = tmp_path / "export.csv"
    pd.DataFrame({"seen": ["yes", "no"] * 4, "where": ["paris", "lyon"] * 3 + ["paris", "paris"],
                  "_uuid": [f"u-{i}" for i in range(8)]}).to_csv(export, index=False)
    ingest_file(export, survey=form, wave="w1", workspace=tmp_path)
    results = compute(Inputs(open_workspace(tmp_path)), None, "w1", lang="en", min_count=3)
    summaries = decode(results["tables"]["summaries"])
    where = summaries[summaries["question"] == "where"].set_index("option")
    assert (where.loc["paris", "n"], where.loc["lyon", "n"], where.loc["paris", "base"]) == (5, 3, 8)
    chart = next(c for c in results["views"][""]["charts"] if c["id"] == "where")
    assert chart["figure"] is not None


def test_a_title_with_brackets_reads_in_the_report_as_in_the_results(tmp_path):
    """Found by the generated surveys: a chart that is not drawn stands in the report as a Markdown
    sentence whose title is escaped ("0 \\[fr\\]", a label in the form's language marked "[fr]");
    read as Markdown shows it, it is the title of the results (the test's reader kept the backslashes)."""
    import json

    from coopwork.words import markdown

    from .test_any_survey import _report_titles

    titles = ["0 [fr]", "Depuis combien d’années ? [it] (counted per cooperation tie)", "a_b *c* #1 & <d>"]
    cells = [{"cell_type": "code", "outputs": [{"data": {"text/markdown": f"*{markdown(t)} — why*\n"}}]}
             for t in titles]
    report = tmp_path / "report.ipynb"
    report.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    assert _report_titles(report) == titles
