"""The journal of interpretations: concurrency, moderation, exports, database URLs."""

from __future__ import annotations

import csv
import io
import multiprocessing
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from coopwork.dashboard.journal import KINDS, Journal, database_url, open_journal
from coopwork.errors import DashboardError

SURVEY = "enquete_test"


def _write_notes(args: tuple[str, int, int]) -> int:
    url, writer, count = args
    journal = Journal(url)
    for i in range(count):
        journal.add(SURVEY, territory="t01", wave="2025", chart=f"chart{i % 3}", kind=KINDS[i % 3],
                    text=f"writer {writer} note {i}", display_name=f"P{writer}")
    journal.close()
    return count


def test_thirty_concurrent_writer_processes_lose_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'journal.sqlite'}"
    Journal(url).close()  # create the table once, as `coopwork serve` does
    context = multiprocessing.get_context("fork")
    with context.Pool(30) as pool:
        written = pool.map(_write_notes, [(url, w, 20) for w in range(30)])
    assert sum(written) == 600
    notes = Journal(url).notes()
    assert len(notes) == 600
    assert notes["id"].is_unique
    # every (writer, note) pair is there exactly once: nothing lost, nothing doubled
    assert set(notes["text"]) == {f"writer {w} note {i}" for w in range(30) for i in range(20)}
    # independent check with the sqlite3 module: WAL mode is on, rows are really on disk
    with sqlite3.connect(tmp_path / "journal.sqlite") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 600


def test_thirty_concurrent_writer_threads_lose_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'journal.sqlite'}"
    Journal(url).close()
    with ThreadPoolExecutor(30) as pool:
        assert sum(pool.map(_write_notes, [(url, w, 20) for w in range(30)])) == 600
    with sqlite3.connect(tmp_path / "journal.sqlite") as conn:
        assert conn.execute("SELECT COUNT(DISTINCT text) FROM notes").fetchone()[0] == 600


def test_moderation_hides_and_restores_never_deletes(tmp_path):
    journal = open_journal(tmp_path)
    assert (tmp_path / "data" / "journal.sqlite").is_file()
    first = journal.add(SURVEY, territory="t01", wave="w1", chart="c", kind="see", text="un")
    second = journal.add(SURVEY, territory="t01", wave="w1", chart="c", kind="do", text="deux")
    journal.hide(first)
    assert journal.notes()["id"].tolist() == [second]
    everything = journal.notes(include_hidden=True)
    assert everything["id"].tolist() == [first, second]
    assert everything["hidden"].tolist() == [True, False]
    journal.restore(first)
    assert journal.notes()["id"].tolist() == [first, second]
    with pytest.raises(DashboardError, match="no note number 99"):
        journal.hide(99)


def test_notes_are_attached_to_their_place(tmp_path):
    journal = Journal(tmp_path / "j.sqlite")
    journal.add(SURVEY, territory="t01", wave="w1", chart="a", kind="see", text="x")
    journal.add(SURVEY, territory="t02", wave="w1", chart="a", kind="see", text="y")
    journal.add(SURVEY, territory="t01", wave="w2", chart="b", kind="means", text="z")
    assert journal.notes(territory="t01")["text"].tolist() == ["x", "z"]
    assert journal.notes(territory="t01", wave="w1", chart="a")["text"].tolist() == ["x"]
    assert journal.notes(survey_id="other").empty
    row = journal.notes(chart="b").iloc[0]
    assert row["created_at"].tzinfo is not None and row["kind"] == "means"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"text": "   "}, "La note est vide"),
    ({"text": "x" * 2001}, "trop longue"),
    ({"kind": "guess"}, "Type de note inconnu"),
    ({"display_name": "n" * 61}, "nom est trop long"),
])
def test_invalid_notes_are_refused_with_a_clear_message(tmp_path, kwargs, message):
    journal = Journal(tmp_path / "j.sqlite")
    note = {"territory": "t", "wave": "w", "chart": "c", "kind": "see", "text": "ok", **kwargs}
    with pytest.raises(DashboardError, match=message):
        journal.add(SURVEY, **note)
    assert journal.notes(include_hidden=True).empty


def test_csv_export_neutralises_formulas(tmp_path):
    journal = Journal(tmp_path / "j.sqlite")
    for text in ("=HYPERLINK(\"http://x\")", "+33 6 00", "-1", "@SUM(A1)", "normal"):
        journal.add(SURVEY, territory="t", wave="w", chart="c", kind="see", text=text, display_name="=cmd")
    text = journal.to_csv(tmp_path / "notes.csv")
    assert (tmp_path / "notes.csv").read_text(encoding="utf-8") == text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 5
    for row in rows:
        assert not row["text"].startswith(("=", "+", "-", "@"))
        assert not row["display_name"].startswith("=")
    assert rows[-1]["text"] == "normal"
    assert rows[0]["text"].endswith('=HYPERLINK("http://x")')


def test_markdown_export_groups_and_escapes(tmp_path):
    journal = Journal(tmp_path / "j.sqlite")
    journal.add(SURVEY, territory="t01", wave="w1", chart="trust", kind="do", text="Réunir les <b>SCOP</b>",
                display_name="Léa")
    journal.add(SURVEY, territory="t01", wave="w1", chart="trust", kind="see", text="[lien](http://x)")
    hidden = journal.add(SURVEY, territory="t01", wave="w1", chart="trust", kind="see", text="secret")
    journal.hide(hidden)
    text = journal.to_markdown(lang="fr")
    assert text.startswith("# Journal des interprétations")
    assert "## t01 — Vague w1" in text and "### trust" in text
    assert text.index("Ce que nous voyons") < text.index("Ce que nous allons faire")
    assert "Réunir les &lt;b&gt;SCOP&lt;/b&gt;" in text
    assert "<b>" not in text and "](http" not in text and "secret" not in text
    assert "— Léa" in text
    assert journal.to_markdown(lang="en", territory="none").strip().endswith("No note yet.")


def test_database_urls():
    assert database_url("postgresql://u:pw@h/db") == "postgresql+psycopg://u:***@h/db"
    assert database_url("postgresql+psycopg2://u@h:5433/db") == "postgresql+psycopg://u@h:5433/db"
    assert database_url("sqlite:////tmp/x.sqlite") == "sqlite:////tmp/x.sqlite"
    with pytest.raises(DashboardError, match="cannot use a 'mysql' database"):
        database_url("mysql://u:pw@h/db")
    with pytest.raises(DashboardError, match="names no database") as info:
        database_url("postgresql://u:topsecret@h")
    assert "topsecret" not in str(info.value)
    with pytest.raises(DashboardError, match="no journal database"):
        database_url(None)


def test_postgresql_url_is_accepted_by_the_journal():
    psycopg = pytest.importorskip("psycopg", reason="psycopg (coopwork[postgres]) is not installed")
    with pytest.raises(DashboardError, match="cannot be opened"):
        # nothing listens on port 1: the URL is understood, the connection fails cleanly
        Journal("postgresql://u:pw@127.0.0.1:1/journal")
    assert psycopg
