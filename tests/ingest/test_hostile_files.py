"""Files that attack (issue 27, items 3–5): a regular expression that backtracks without end,
decompression bombs, very wide tables. Each is refused or read quickly, with one sentence.

The attacks run as a user would run them: the real ``coopwork ingest`` in a separate process,
under a time limit, so that a stall fails the test instead of hanging the suite.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from coopwork.ingest.xlsx import MAX_COLUMNS, MAX_EXPANDED_BYTES, MAX_SHEET_CELLS

from .bombs import bomb_xlsx

FORM = [["type", "name", "label", "constraint", "constraint_message"],
        ["text", "code", "Code", "regex(., '^(a+)+$')", "only a"],
        ["text", "ref", "Reference", "regex(., '^(\\w)\\1$')", "a doubled letter"],
        ["integer", "n", "Number", "", ""]]


def _form(path: Path, rows=FORM) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "survey"
    for row in rows:
        book.active.append(row)
    book.create_sheet("settings").append(["form_id"])
    book["settings"].append(["attack"])
    book.save(path)
    return path


def _ingest(export: Path, form: Path, workspace: Path, *extra: str, limit: float = 60
            ) -> tuple[subprocess.CompletedProcess, float]:
    command = [sys.executable, "-m", "coopwork.cli", "ingest", str(export), "--survey", str(form),
               "--wave", "w1", "--territory", "t1", "--workspace", str(workspace), *extra]
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=limit, check=False,
                          env={**os.environ, "COOPWORK_LANG": "en"})
    return done, time.monotonic() - start


def _one_sentence(done: subprocess.CompletedProcess, *words: str) -> str:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_regex_that_backtracks_is_checked_in_linear_time(tmp_path):
    """27.3: forty ``a`` and a ``!`` against ``^(a+)+$`` stalled Python's ``re`` for hours."""
    export = tmp_path / "answers.csv"
    export.write_text("code,ref,n\n" + "a" * 40 + "!,xx,1\naaaa,xy,2\n", encoding="utf-8")
    done, seconds = _ingest(export, _form(tmp_path / "form.xlsx"), tmp_path / "ws", "--json")
    assert done.returncode == 0, done.stderr
    issues = pd.read_csv(tmp_path / "ws" / "data" / "processed" / "attack" / "issues" /
                         f"{__import__('json').loads(done.stdout)['source_sha256'][:12]}.csv", dtype=str,
                         keep_default_na=False, encoding="utf-8-sig")
    broken = issues[issues["code"] == "ingest.reason_constraint"]
    assert broken[["row", "column", "value"]].values.tolist() == [["1", "code", "a" * 40 + "!"]]
    # a back-reference has no linear-time engine: said once, never run by a backtracking one
    unchecked = issues[issues["code"] == "ingest.reason_not_checked"]
    assert unchecked["column"].tolist() == ["ref"] and "RE2" in unchecked["reason"].iloc[0]
    assert seconds < 45


@pytest.mark.parametrize(("kind", "words"), [
    ("no-dimension", ["expands to more than", f"{MAX_EXPANDED_BYTES >> 20} MiB"]),
    ("huge-dimension", ["expands to more than"]),
    ("lying-header", ["more than its zip headers declare"]),
    ("far-cell", ["rows × 16384 columns", "cells"]),
])
def test_decompression_bombs_are_refused_quickly(tmp_path, kind, words):
    """27.4: a sheet without a dimension, or with a huge one, expanding to ~1 GB; a zip that lies
    about its sizes; two cells at opposite corners (a grid of 17 billion cells)."""
    path = tmp_path / f"{kind}.xlsx"
    if kind == "no-dimension":
        bomb_xlsx(path, expanded=1 << 30)
    elif kind == "huge-dimension":
        bomb_xlsx(path, expanded=300 << 20, dimension="A1:XFD1048576")
    elif kind == "lying-header":
        bomb_xlsx(path, expanded=300 << 20, declared=2_000)
    else:
        bomb_xlsx(path, expanded=1 << 16, dimension="A1:B2", far_cell="XFD1048576")
    assert path.stat().st_size < 2_000_000  # what travels by e-mail: a small file
    done, seconds = _ingest(path, _form(tmp_path / "form.xlsx"), tmp_path / "ws")
    _one_sentence(done, f"{kind}.xlsx", *words)
    assert seconds < 30 and not (tmp_path / "ws").exists()


def test_a_huge_dimension_alone_is_no_bomb(tmp_path):
    """The declared dimension is not trusted either way: a small sheet saying A1:XFD1048576 reads."""
    from openpyxl import Workbook

    from coopwork.ingest.xlsx import check_workbook, read_workbook

    path = bomb_xlsx(tmp_path / "small.xlsx", expanded=1 << 14, dimension="A1:XFD1048576")
    check_workbook(path)  # not refused
    assert len(read_workbook(path)["Sheet"]) == 2  # the header and one row
    book = Workbook()
    book.active.append(["code", "n"])
    book.active.append(["aaa", 3])
    book.save(tmp_path / "ok.xlsx")
    done, _ = _ingest(tmp_path / "ok.xlsx", _form(tmp_path / "form.xlsx"), tmp_path / "ws", "--partial-read")
    assert done.returncode == 0, done.stderr


def _wide_csv(path: Path, extra: int, rows: int = 60) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "ref", "n", *(f"extra_{i}" for i in range(extra))])
        for r in range(rows):
            writer.writerow(["aaa", "bb", str(r), *(["x"] * extra)])
    return path


def test_very_wide_files_are_refused_beyond_the_limit(tmp_path):
    """27.5: 200 000 columns ran past 90 s and 838 MB; beyond Excel's 16 384 columns: one sentence."""
    path = _wide_csv(tmp_path / "wide.csv", 200_000, rows=3)
    done, seconds = _ingest(path, _form(tmp_path / "form.xlsx"), tmp_path / "ws")
    _one_sentence(done, "wide.csv", "columns, more than the limit of", f"{MAX_COLUMNS:,}".replace(",", " "))
    assert seconds < 30


def test_wide_files_within_the_limit_are_read_fast(tmp_path):
    """10 000 extra columns took 27.5 s: now a partial read the user asks for, listed, in seconds."""
    path = _wide_csv(tmp_path / "wide.csv", 10_000)
    form = _form(tmp_path / "form.xlsx")
    done, _ = _ingest(path, form, tmp_path / "refused")
    _one_sentence(done, "10000 of 10003 columns match no question", "--partial-read")
    done, seconds = _ingest(path, form, tmp_path / "ws", "--partial-read", "--json")
    assert done.returncode == 0, done.stderr
    result = __import__("json").loads(done.stdout)
    assert (result["rows_read"], result["accepted"]) == (60, 60) and result["issues"] >= 10_000
    assert seconds < 45


def test_the_limits_are_in_the_readme():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for value in (f"{MAX_EXPANDED_BYTES >> 20} MiB", f"{MAX_SHEET_CELLS:,}".replace(",", " "),
                  f"{MAX_COLUMNS:,}".replace(",", " "), "RE2"):
        assert value in readme, value
