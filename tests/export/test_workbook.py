"""XLSX workbooks read back with openpyxl: README sheet, sheets, injection cases."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from openpyxl import load_workbook

from coopwork.analysis.disclosure import protect
from coopwork.errors import ExportError
from coopwork.export.workbook import describe_column, sheet_title, write_workbook


def _table():
    raw = pd.DataFrame(
        {
            "territory": ["t1", "t1", "t2"],
            "option": ["=1+1", "scop", "@evil"],
            "n": [12, 2, 5],
            "mean": [3.5, 4.0, 2.25],
        }
    )
    return protect(raw, min_count=3, lang="en")


def test_workbook_round_trip(tmp_path):
    tables = {
        "counts": _table(),
        "when": pd.DataFrame({"at": [pd.Timestamp("2025-03-01 10:00", tz="Europe/Paris")], "x": [pd.NA]}),
    }
    path = write_workbook(
        tables,
        tmp_path / "out" / "t.xlsx",
        title="Synthèse",
        lang="en",
        min_count=3,
        descriptions={"counts": "Counts of options"},
        provenance={"Survey": "demo", "Wave": "2025"},
    )
    book = load_workbook(path)
    assert book.sheetnames == ["README", "counts", "when"]

    sheet = book["counts"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["territory", "option", "n", "mean", "suppressed", "display", "rule"]
    assert rows[1][:6] == ["t1", "'=1+1", 12, 3.5, False, "12"] and not rows[1][6]
    # suppressed row: numbers empty, display says < 3, and the rule that hid it
    assert rows[2] == ["t1", "scop", None, None, True, "< 3", "min_count"]
    assert rows[3][1] == "'@evil"
    # no cell is a formula
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    when = book["when"]
    assert when["A2"].value == dt.datetime(2025, 3, 1, 9, 0)  # UTC, naive
    assert when["B2"].value is None

    readme = [[c.value for c in row] for row in book["README"].iter_rows()]
    flat = [str(v) for row in readme for v in row if v is not None]
    assert readme[0][0] == "Synthèse"
    assert readme[2][:2] == ["Survey", "demo"]
    assert any("fewer than 3 respondents" in v for v in flat)
    assert "Counts of options" in flat
    # every column of every sheet is explained
    for name, table in tables.items():
        start = next(i for i, row in enumerate(readme) if row[0] == name)
        explained = [row[1] for row in readme[start + 1 : start + 1 + len(table.columns)]]
        assert explained == list(table.columns)
        meanings = [row[2] for row in readme[start + 1 : start + 1 + len(table.columns)]]
        assert all(meanings)


def test_readme_in_french_by_default(tmp_path):
    path = write_workbook({"a": _table()}, tmp_path / "t.xlsx", title="x")
    flat = [str(c.value) for row in load_workbook(path)["README"].iter_rows() for c in row if c.value]
    assert any("moins de 3 répondants" in v for v in flat)
    assert "Signification" in flat


def test_control_characters_are_removed_and_tab_is_neutralised(tmp_path):
    table = pd.DataFrame({"text": ["a\x01b", "\t=x", "ok\nline"]})
    path = write_workbook({"t": table}, tmp_path / "t.xlsx", title="x")
    values = [row[0].value for row in load_workbook(path)["t"].iter_rows(min_row=2)]
    assert values == ["ab", "'\t=x", "ok\nline"]


def test_sheet_titles_are_valid_and_unique(tmp_path):
    tables = {
        "a/b": pd.DataFrame({"x": [1]}),
        "a_b": pd.DataFrame({"x": [2]}),
        "README": pd.DataFrame({"x": [3]}),
        "x" * 40: pd.DataFrame({"x": [4]}),
    }
    book = load_workbook(write_workbook(tables, tmp_path / "t.xlsx", title="x"))
    assert book.sheetnames == ["README", "a_b", "a_b~2", "README~2", "x" * 31]
    assert sheet_title("[x]:*?") == "_x____"


def test_describe_column_uses_survey_labels_when_given():
    class FakeSurvey:  # only the two members describe_column reads
        def __init__(self):
            self.questions = {"secteurs": object()}

        def label(self, name, lang):
            return {"fr": "Secteurs d'activité", "en": "Sectors"}[lang]

    assert describe_column("secteurs", lang="en", survey=FakeSurvey()) == 'Answer to the question "Sectors"'
    # coopwork's own columns are described by the catalogue, even when a question has the same name
    assert describe_column("org_type", lang="en", survey=FakeSurvey()) == "Organisation type (form code)"
    assert describe_column("_territory", lang="fr") == "Identifiant du territoire"


def test_unwritable_target_raises_export_error(tmp_path):
    (tmp_path / "t.xlsx").mkdir()  # a folder where the file should go
    with pytest.raises(ExportError, match="cannot write the workbook"):
        write_workbook({"a": _table()}, tmp_path / "t.xlsx", title="x")
