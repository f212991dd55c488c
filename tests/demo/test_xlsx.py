"""The minimal XLSX writer used for the sample form and the Kobo exports."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from coopwork.demo.xlsx import _column_letter, xlsx_bytes


def test_column_letters():
    assert [_column_letter(k) for k in (0, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]


def test_values_round_trip_through_openpyxl_and_pandas():
    rows = [["text", "int", "float", "flag", "empty"],
            ["a & b <c> \"d\" 'e'", 3, 2.5, True, None],
            ["Ligne 1\nLigne 2 — été", np.int64(7), np.float64(0.1), False, ""],
            ["  espaces  ", -1, 1e-7, None, None]]
    data = xlsx_bytes({"Coopérations: données": rows, "second": [["x"], [1]]})
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Coopérations données", "second"]   # ':' is not allowed
    values = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    assert values[1] == ["a & b <c> \"d\" 'e'", 3, 2.5, 1, None]
    assert values[2] == ["Ligne 1\nLigne 2 — été", 7, 0.1, 0, None]
    assert values[3] == ["  espaces  ", -1, 1e-7, None, None]
    frame = pd.read_excel(io.BytesIO(data), sheet_name="second", engine="openpyxl")
    assert frame["x"].tolist() == [1]


def test_streaming_readers_see_full_rows():
    data = xlsx_bytes({"s": [["a", "b", "c"], ["x", None, None]]})
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [["a", "b", "c"], ["x", None, None]]


def test_long_titles_are_cut_and_collisions_refused():
    data = xlsx_bytes({"x" * 40: [["a"]]})
    assert load_workbook(io.BytesIO(data)).sheetnames == ["x" * 31]
    with pytest.raises(ValueError, match="collide"):
        xlsx_bytes({"a/b": [["a"]], "ab": [["b"]]})


def test_bytes_do_not_depend_on_time():
    data = xlsx_bytes({"s": [["a"], [1]]})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}
        assert archive.testzip() is None
    assert xlsx_bytes({"s": [["a"], [1]]}) == data
    assert xlsx_bytes({"s": [["a"], [2]]}) != data
