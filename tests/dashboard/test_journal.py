"""The journal of interpretations: concurrency, moderation, hostile text, exports, database URLs.

Most tests run twice: on a SQLite file and on a real PostgreSQL server started for the session
(``postgres_server`` in conftest.py; skipped with a reason when PostgreSQL is not installed, never in CI).
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from coopwork.errors import DashboardError
from coopwork.journal import KINDS, MAX_NOTES_PER_MINUTE, Journal, database_url, open_journal

SURVEY = "enquete_test"


def _write_notes(args: tuple[str, int, int]) -> int:
    url, writer, count = args
    journal = Journal(url)
    for i in range(count):
        journal.add(SURVEY, territory="t01", wave="2025", chart=f"chart{i % 3}", kind=KINDS[i % 3],
                    text=f"writer {writer} note {i}", display_name=f"P{writer}")
    journal.close()
    return count


def _count_rows(url: str) -> tuple[int, int]:
    """(rows, distinct texts) counted by the database's own driver, not through the Journal."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            return conn.execute("SELECT COUNT(*), COUNT(DISTINCT text) FROM notes").fetchone()
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    with psycopg.connect(host=parsed.query["host"], user=parsed.username, dbname=parsed.database) as conn:
        return conn.execute("SELECT COUNT(*), COUNT(DISTINCT text) FROM notes").fetchone()


def test_thirty_concurrent_writer_processes_lose_nothing(journal_url):
    Journal(journal_url).close()  # create the table once, as `coopwork serve` does
    context = multiprocessing.get_context("fork")
    with context.Pool(30) as pool:
        written = pool.map(_write_notes, [(journal_url, w, 20) for w in range(30)])
    assert sum(written) == 600
    journal = Journal(journal_url)
    notes = journal.notes()
    journal.close()
    assert len(notes) == 600
    assert notes["id"].is_unique
    # every (writer, note) pair is there exactly once: nothing lost, nothing doubled
    assert set(notes["text"]) == {f"writer {w} note {i}" for w in range(30) for i in range(20)}
    # independent check with the database's own driver: rows are really on disk
    assert _count_rows(journal_url) == (600, 600)


def test_thirty_concurrent_writer_threads_lose_nothing(journal_url):
    Journal(journal_url).close()
    with ThreadPoolExecutor(30) as pool:
        assert sum(pool.map(_write_notes, [(journal_url, w, 20) for w in range(30)])) == 600
    assert _count_rows(journal_url) == (600, 600)


def test_moderation_hides_and_restores_never_deletes(journal_url):
    journal = Journal(journal_url)
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
    journal.close()


def test_several_notes_are_hidden_at_once_or_none(journal_url):
    journal = Journal(journal_url)
    ids = [journal.add(SURVEY, territory="t01", wave="w1", chart="c", kind="see", text=f"n{i}")
           for i in range(4)]
    journal.hide(ids[0], ids[2], ids[3])
    assert journal.notes()["id"].tolist() == [ids[1]]
    with pytest.raises(DashboardError, match="no note number 98, 99"):
        journal.restore(ids[0], 99, 98)  # one unknown id: nothing restored
    assert journal.notes()["id"].tolist() == [ids[1]]
    journal.restore(ids[0], ids[2])
    assert journal.notes()["id"].tolist() == [ids[0], ids[1], ids[2]]
    journal.close()


def test_the_workspace_journal_is_readable_by_its_owner_only(tmp_path):
    journal = open_journal(tmp_path)
    journal.add(SURVEY, territory="t01", wave="w1", chart="c", kind="see", text="un")
    journal.close()
    for path in (tmp_path / "data").glob("journal.sqlite*"):
        assert path.stat().st_mode & 0o777 == 0o600, path
    # a journal created by an older coopwork (readable by everyone) is tightened when opened
    (tmp_path / "data" / "journal.sqlite").chmod(0o644)
    open_journal(tmp_path).close()
    assert (tmp_path / "data" / "journal.sqlite").stat().st_mode & 0o777 == 0o600


def test_notes_are_attached_to_their_place(journal_url):
    journal = Journal(journal_url)
    journal.add(SURVEY, territory="t01", wave="w1", chart="a", kind="see", text="x")
    journal.add(SURVEY, territory="t02", wave="w1", chart="a", kind="see", text="y")
    journal.add(SURVEY, territory="t01", wave="w2", chart="b", kind="means", text="z")
    assert journal.notes(territory="t01")["text"].tolist() == ["x", "z"]
    assert journal.notes(territory="t01", wave="w1", chart="a")["text"].tolist() == ["x"]
    assert journal.notes(survey_id="other").empty
    row = journal.notes(chart="b").iloc[0]
    assert row["created_at"].tzinfo is not None and row["kind"] == "means"
    journal.close()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"text": "   "}, "La note est vide"),
    ({"text": "\x1b[2J\x00\u202e"}, "La note est vide"),  # nothing left once cleaned
    ({"text": "x" * 2001}, "trop longue"),
    ({"kind": "guess"}, "Type de note inconnu"),
    ({"display_name": "n" * 61}, "nom est trop long"),
])
def test_invalid_notes_are_refused_with_a_clear_message(journal_url, kwargs, message):
    journal = Journal(journal_url)
    note = {"territory": "t", "wave": "w", "chart": "c", "kind": "see", "text": "ok", **kwargs}
    with pytest.raises(DashboardError, match=message):
        journal.add(SURVEY, **note)
    assert journal.notes(include_hidden=True).empty
    journal.close()


HOSTILE = ("\x1b]0;pwned\x07\x1b[2J\x1b[1;31mAlerte\x1b[0m : la SCOP\x00 ferme\x07\x08"
           " \u202efdp.exe\u2066 \x9b31m\r\nligne 2 🤝 coopération")


def test_control_characters_are_removed_before_the_note_is_stored(journal_url):
    journal = Journal(journal_url)
    journal.add(SURVEY, territory="t01", wave="w1", chart="c", kind="see", text=HOSTILE,
                display_name="Awa\x1b[8m\u202e\nla\tfacilitatrice")
    stored = journal.records()[0]
    journal.close()
    assert stored["text"] == "Alerte : la SCOP ferme fdp.exe \nligne 2 🤝 coopération"
    assert stored["display_name"] == "Awa la facilitatrice"
    for text in (stored["text"], stored["display_name"]):
        assert not any((ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F for c in text)
        assert not set(text) & {"\u202e", "\u2066"}


def test_a_participant_may_add_a_few_notes_per_minute(journal_url):
    journal = Journal(journal_url)
    note = {"territory": "t01", "wave": "w1", "chart": "c", "kind": "see"}
    for i in range(MAX_NOTES_PER_MINUTE):
        journal.add(SURVEY, **note, text=f"note {i}", participant="page-a")
    with pytest.raises(DashboardError, match="Vous avez déjà ajouté 6 notes dans la dernière minute"):
        journal.add(SURVEY, **note, text="one too many", participant="page-a")
    with pytest.raises(DashboardError, match="already added 6 notes in the last minute"):
        journal.add(SURVEY, **note, text="one too many", participant="page-a", lang="en")
    # another participant, and the researcher (no participant key), are not held back
    journal.add(SURVEY, **note, text="other page", participant="page-b")
    journal.add(SURVEY, **note, text="researcher")
    texts = journal.notes()["text"].tolist()
    journal.close()
    assert "one too many" not in texts and len(texts) == MAX_NOTES_PER_MINUTE + 2


def test_an_older_journal_gets_the_new_column(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:  # the table as coopwork wrote it before notes had a participant
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                     " survey_id VARCHAR(200) NOT NULL, territory VARCHAR(200) NOT NULL,"
                     " wave VARCHAR(100) NOT NULL, chart VARCHAR(200) NOT NULL, kind VARCHAR(10) NOT NULL,"
                     " text TEXT NOT NULL, display_name VARCHAR(60) NOT NULL, created_at DATETIME NOT NULL,"
                     " hidden BOOLEAN NOT NULL, moderated_at DATETIME)")
        conn.execute("INSERT INTO notes (survey_id, territory, wave, chart, kind, text, display_name,"
                     " created_at, hidden) VALUES ('s', 't', 'w', 'c', 'see', 'ancienne', '',"
                     " '2025-01-01 10:00:00', 0)")
    journal = Journal(path)
    journal.add("s", territory="t", wave="w", chart="c", kind="do", text="nouvelle", participant="p")
    journal.add("s", territory="t", wave="w", chart="c", kind="do", text="une fois", client_id="page-1")
    journal.add("s", territory="t", wave="w", chart="c", kind="do", text="une fois", client_id="page-1")
    assert journal.notes()["text"].tolist() == ["ancienne", "nouvelle", "une fois"]
    journal.close()


def test_a_note_sent_again_by_its_page_is_stored_once(journal_url):
    """A page sends a note again when it did not hear back (its kernel went away, it reloaded): the note's
    id, given by the page, is stored once — also when two kernels store it at the same moment."""
    from concurrent.futures import ThreadPoolExecutor

    journal = Journal(journal_url)
    note = {"territory": "t01", "wave": "2025", "chart": "org_type", "kind": "see", "text": "Une seule fois"}
    first = journal.add("s", **note, participant="page-a", client_id="note-42")
    with ThreadPoolExecutor(4) as pool:
        again = list(pool.map(lambda key: Journal(journal_url).add("s", **note, participant=key,
                                                                   client_id="note-42"), "bcde"))
    assert again == [first] * 4
    assert journal.notes(territory="t01")["text"].tolist() == ["Une seule fois"]
    other = journal.add("s", **note, client_id="note-43")  # another note with the same words: stored
    assert other != first and len(journal.notes(territory="t01")) == 2
    journal.close()


def test_csv_export_neutralises_formulas_and_opens_with_accents(journal_url, tmp_path):
    journal = Journal(journal_url)
    for text in ("=HYPERLINK(\"http://x\")", "+33 6 00", "-1", "@SUM(A1)", "coopération élargie"):
        journal.add(SURVEY, territory="t", wave="w", chart="c", kind="see", text=text, display_name="=cmd")
    text = journal.to_csv(tmp_path / "notes.csv")
    journal.close()
    raw = (tmp_path / "notes.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: spreadsheets read accents right
    assert raw.decode("utf-8-sig") == text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 5
    for row in rows:  # formulas neutralised; a text made only of numbers stays as written (issue 21)
        assert not row["text"].startswith(("=", "+", "-", "@")) or row["text"] in ("+33 6 00", "-1")
        assert not row["display_name"].startswith("=")
    assert [row["text"] for row in rows[1:3]] == ["+33 6 00", "-1"]
    assert rows[-1]["text"] == "coopération élargie"
    assert rows[0]["text"].endswith('=HYPERLINK("http://x")')


def test_markdown_export_groups_and_escapes(journal_url):
    journal = Journal(journal_url)
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
    journal.close()


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
