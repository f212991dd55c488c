"""Atomic transactions, crash recovery, the workspace lock and spreadsheet-safe CSV."""

from __future__ import annotations

import json
import threading

import pandas as pd
import pytest

from coopwork.errors import IngestError
from coopwork.ingest import store
from coopwork.ingest.store import (
    JOURNAL,
    Transaction,
    read_manifest,
    read_table,
    recover,
    stored_ids,
    workspace_lock,
)


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    """Messages in English so that the tests can compare them exactly (French is the default)."""
    monkeypatch.setenv("COOPWORK_LANG", "en")


def _frame(*ids: str) -> pd.DataFrame:
    return pd.DataFrame({"_submission_id": list(ids), "n": pd.array(range(len(ids)), dtype="Int64")}
                        ).astype({"_submission_id": "string"})


def _write_state(folder, *ids: str) -> None:
    with Transaction(folder) as tx:
        tx.write_parquet("responses.parquet", _frame(*ids))
        tx.write_parquet("relations.parquet", _frame(*ids))
        tx.write_json("manifest.json", {"survey_id": "s", "sources": [{"ids": list(ids)}]})
        tx.write_csv("issues/abc.csv", pd.DataFrame({"value": list(ids)}))


def _snapshot(folder) -> dict[str, bytes]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}


def test_transaction_writes_every_file(tmp_path):
    folder = tmp_path / "s"
    _write_state(folder, "a", "b")
    assert stored_ids(folder) == {"a", "b"}
    assert read_table(folder / "relations.parquet")["n"].dtype == "Int64"
    assert read_manifest(folder)["sources"] == [{"ids": ["a", "b"]}]
    assert sorted(_snapshot(folder)) == ["issues/abc.csv", "manifest.json", "relations.parquet",
                                         "responses.parquet"]


def test_a_crash_while_writing_leaves_the_previous_state(tmp_path, monkeypatch):
    folder = tmp_path / "s"
    _write_state(folder, "a")
    before = _snapshot(folder)
    real = store._write_parquet
    calls = []

    def failing(frame, path):
        calls.append(path)
        if len(calls) == 2:               # between the first and the second file
            raise RuntimeError("disk full")
        real(frame, path)

    monkeypatch.setattr(store, "_write_parquet", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        _write_state(folder, "a", "b")
    assert _snapshot(folder) == before    # nothing changed, no temporary file left


def test_a_crash_while_moving_is_completed_by_the_next_writer(tmp_path, monkeypatch):
    folder = tmp_path / "s"
    _write_state(folder, "a")
    real_replace = store.os.replace
    moved = []

    def crash_after_first_move(source, target):
        if str(target).endswith(JOURNAL):
            return real_replace(source, target)
        if moved:
            raise KeyboardInterrupt       # the process dies half way through the moves
        moved.append(target)
        return real_replace(source, target)

    monkeypatch.setattr(store.os, "replace", crash_after_first_move)
    with pytest.raises(KeyboardInterrupt):
        _write_state(folder, "a", "b")
    monkeypatch.setattr(store.os, "replace", real_replace)
    assert (folder / JOURNAL).exists()
    recover(folder)                       # what the next ingest does first
    assert not (folder / JOURNAL).exists()
    assert stored_ids(folder) == {"a", "b"}
    assert read_table(folder / "relations.parquet")["_submission_id"].tolist() == ["a", "b"]
    assert read_manifest(folder)["sources"] == [{"ids": ["a", "b"]}]
    assert not list(folder.rglob(".tmp-*"))


def test_leftover_temporary_files_are_removed(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / ".tmp-dead-responses.parquet").write_bytes(b"half")
    recover(folder)
    assert not list(folder.iterdir())


def test_the_lock_serialises_writers(tmp_path):
    events = []
    inside = threading.Event()
    release = threading.Event()

    def first():
        with workspace_lock(tmp_path):
            events.append("first in")
            inside.set()
            release.wait(10)
            events.append("first out")

    thread = threading.Thread(target=first)
    thread.start()
    inside.wait(10)
    busy = "another ingest of this workspace is still running"
    with pytest.raises(IngestError, match=busy), workspace_lock(tmp_path, timeout=0.1):
        pass
    release.set()
    with workspace_lock(tmp_path, timeout=10):
        events.append("second in")
    thread.join()
    assert events == ["first in", "first out", "second in"]


def test_the_issues_file_neutralises_formulas_but_keeps_numbers_and_coordinates(tmp_path):
    """Rejected values are shown in a spreadsheet: a payload stays readable text, numbers stay numbers."""
    import csv

    values = ["=1+1", "+cmd", "-2", "-6.955502 39.12 0 0", "@SUM(A1)", "texte", None, "-",
              "-1+1+cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "-2,5"]
    frame = pd.DataFrame({"value": values, "row": range(1, len(values) + 1)})
    with Transaction(tmp_path) as tx:
        tx.write_csv("issues/x.csv", frame)
    with open(tmp_path / "issues" / "x.csv", encoding="utf-8-sig", newline="") as handle:
        cells = [row[0] for row in csv.reader(handle)][1:]
    assert cells == ["'=1+1", "'+cmd", "-2", "-6.955502 39.12 0 0", "'@SUM(A1)", "texte", "", "'-",
                     "'-1+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0", "-2,5"]
    assert frame["value"][0] == "=1+1"     # input untouched


def test_issues_csv_is_utf8_with_bom(tmp_path):
    with Transaction(tmp_path) as tx:
        tx.write_csv("issues/x.csv", pd.DataFrame({"value": ["Société"]}))
    raw = (tmp_path / "issues" / "x.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "Société".encode() in raw
    assert json.loads(json.dumps(read_manifest(tmp_path / "none", "s"))) == {"survey_id": "s", "sources": []}


def test_rejected_formula_payloads_are_neutralised_in_the_issues_file_of_an_ingest(tmp_path):
    """Item 10 of issue 27: the payloads stood as they were in data/processed/…/issues/<id>.csv."""
    import csv

    from coopwork.ingest import ingest_file
    from coopwork.survey import Choice, Question, Survey

    survey = Survey("enquete", "Enquête", None, ["fr"], "fr", {
        "zone": Question("zone", "select_one", role="territory", choices=(Choice("nord"), Choice("sud"))),
        "org": Question("org", "text"), "staff": Question("staff", "integer")}, {})
    export = tmp_path / "export.csv"
    payloads = ["-1+1+cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\")", "@SUM(A1)"]
    lines = ["zone;org;staff", *(f"nord;org {k};\"{p.replace(chr(34), chr(34) * 2)}\""
                                  for k, p in enumerate(payloads)), "sud;org;-3"]
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = ingest_file(export, survey=survey, wave="2025", workspace=tmp_path)
    assert result.issues == len(payloads)
    with open(result.issues_file, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["value"] for row in rows] == ["'" + p for p in payloads]  # readable, never run
