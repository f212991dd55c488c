"""`coopwork journal …` through the real command line (moderation and export for the researcher)."""

from __future__ import annotations

import csv
import io

from coopwork.cli import main
from coopwork.journal import Journal


def _journal(workspace) -> Journal:
    journal = Journal(workspace=workspace)
    journal.add("s", territory="t01", wave="w1", chart="trust", kind="see", text="=1+1 on se fait confiance")
    journal.add("s", territory="t02", wave="w1", chart="trust", kind="do", text="réunion en mars",
                display_name="Léo")
    return journal


def test_list_hide_restore(tmp_path, capsys):
    _journal(tmp_path)
    assert main(["journal", "--workspace", str(tmp_path), "list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("1\t") and "réunion en mars — Léo" in lines[1]
    assert main(["journal", "--workspace", str(tmp_path), "hide", "1"]) == 0
    assert "Note 1 masquée" in capsys.readouterr().err
    main(["journal", "--workspace", str(tmp_path), "list"])
    assert [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()] == ["2"]
    main(["journal", "--workspace", str(tmp_path), "list", "--all"])
    assert "[masquée]" in capsys.readouterr().out
    assert main(["journal", "--workspace", str(tmp_path), "restore", "1"]) == 0
    main(["journal", "--workspace", str(tmp_path), "list", "--territory", "t01"])
    assert capsys.readouterr().out.startswith("1\t")


def test_unknown_note_is_exit_2_with_one_message(tmp_path, capsys):
    _journal(tmp_path)
    assert main(["journal", "--workspace", str(tmp_path), "hide", "42", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "no note number 42" in err and "Traceback" not in err
    assert main(["journal", "--workspace", str(tmp_path), "hide", "42", "--lang", "de"]) == 2
    assert "keine Notiz Nummer 42" in capsys.readouterr().err  # one language, scaffolding included


def test_export_csv_and_markdown(tmp_path, capsys):
    _journal(tmp_path)
    out = tmp_path / "notes.csv"
    assert main(["journal", "--workspace", str(tmp_path), "export", "--format", "csv", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # spreadsheets open the accents right
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["text"] for r in rows] == ["'=1+1 on se fait confiance", "réunion en mars"]
    assert main(["journal", "--workspace", str(tmp_path), "export", "--territory", "t02"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# Journal des interprétations") and "t01" not in text and "— Léo" in text


def test_database_option_takes_a_url(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    Journal(url).add("s", territory="t", wave="w", chart="c", kind="means", text="ailleurs")
    assert main(["journal", "--workspace", str(tmp_path), "--database", url, "list"]) == 0
    assert "ailleurs" in capsys.readouterr().out


def test_workspace_and_database_are_accepted_after_the_action(tmp_path, capsys, monkeypatch):
    _journal(tmp_path)
    monkeypatch.chdir(tmp_path.parent)  # not the workspace: the option must be what finds it
    out = tmp_path / "notes.md"
    assert main(["journal", "export", "--workspace", str(tmp_path), "-o", str(out)]) == 0
    assert "réunion en mars" in out.read_text(encoding="utf-8")
    assert main(["journal", "list", "--workspace", str(tmp_path)]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 2
    url = f"sqlite:///{tmp_path / 'data' / 'journal.sqlite'}"
    assert main(["journal", "--workspace", "/nonexistent", "hide", "--database", url, "1"]) == 0
    assert main(["journal", "--workspace", str(tmp_path), "list"]) == 0
    assert capsys.readouterr().out.startswith("2\t")


def test_several_notes_are_hidden_and_restored_in_one_command(tmp_path, capsys):
    journal = _journal(tmp_path)
    journal.add("s", territory="t01", wave="w1", chart="trust", kind="do", text="troisième")
    assert main(["journal", "--workspace", str(tmp_path), "hide", "1", "3"]) == 0
    assert "Note 1 masquée" in capsys.readouterr().err
    main(["journal", "--workspace", str(tmp_path), "list"])
    assert [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()] == ["2"]
    assert main(["journal", "--workspace", str(tmp_path), "restore", "1", "3", "77"]) == 2  # all or nothing
    assert "pas de note numéro 77" in capsys.readouterr().err  # the CLI speaks French by default
    main(["journal", "--workspace", str(tmp_path), "restore", "1", "3"])
    main(["journal", "--workspace", str(tmp_path), "list"])
    assert [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()] == ["1", "2", "3"]


def test_list_never_sends_control_characters_to_the_terminal(tmp_path, capsys):
    import sqlite3

    journal = _journal(tmp_path)
    journal.close()
    # a note stored raw by an older coopwork: the listing still neutralises it
    with sqlite3.connect(tmp_path / "data" / "journal.sqlite") as conn:
        conn.execute("UPDATE notes SET text = ?, display_name = ? WHERE id = 1",
                     ("\x1b]0;pwned\x07\x1b[2Jeffacé\x00\u202eexe.txt", "\x1b[8mcaché"))
    assert main(["journal", "--workspace", str(tmp_path), "list"]) == 0
    out = capsys.readouterr().out
    assert "effacéexe.txt — caché" in out
    assert not any((ord(c) < 32 and c not in "\t\n") or c == "\u202e" for c in out)


def test_csv_on_stdout_starts_with_the_byte_order_mark(tmp_path, capsys):
    _journal(tmp_path)
    assert main(["journal", "--workspace", str(tmp_path), "export", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeffid,") and "réunion en mars" in out


# what the field benchmark's facilitator saw in the terminal while phones slept and pages reloaded
_PAGE_GONE = """Task exception was never retrieved
future: <Task finished name='Task-38746' coro=<WebSocketProtocol13.write_message.<locals>.wrapper() done>
Traceback (most recent call last):
  File "/venv/lib/python3.11/site-packages/tornado/websocket.py", line 1140, in wrapper
    await fut
tornado.iostream.StreamClosedError: Stream is closed

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/venv/lib/python3.11/site-packages/tornado/websocket.py", line 1142, in wrapper
    raise WebSocketClosedError()
tornado.websocket.WebSocketClosedError
Got events for closed stream <zmq.eventloop.zmqstream.ZMQStream object at 0x7f9962b62690>"""


def test_the_terminal_does_not_show_pages_that_left_but_shows_other_unheard_failures():
    from coopwork.dashboard.cli import problems

    ready = "[WorkshopVoila] coopwork: 3 of 20 preheated pages ready for t01.ipynb"
    assert problems(f"{_PAGE_GONE}\n{ready}\n{_PAGE_GONE}") == []  # at the end of the log too
    # after a restart, the pages come back with the previous server's cookie (and their link's token)
    assert problems("[WorkshopVoila] WARNING | Clearing invalid/expired login cookie username-1") == []
    failure = _PAGE_GONE.replace("tornado.websocket.WebSocketClosedError", "OSError: [Errno 28] disk full")
    shown = problems(f"{failure}\n{ready}")
    assert shown[0] == "Task exception was never retrieved" and shown[-1] == "OSError: [Errno 28] disk full"
    assert ready not in shown and not any("Got events" in line for line in shown)


def test_the_journal_speaks_the_commands_language(tmp_path, capsys, monkeypatch):
    """``--lang`` (else ``COOPWORK_LANG``) sets the messages, the hidden mark and the Markdown export."""
    _journal(tmp_path)
    assert main(["journal", "--workspace", str(tmp_path), "hide", "1", "--lang", "ro"]) == 0
    assert "Nota 1 a fost ascunsă." in capsys.readouterr().err
    main(["journal", "--workspace", str(tmp_path), "list", "--all", "--lang", "en"])
    assert "[hidden]" in capsys.readouterr().out
    out = tmp_path / "notes.md"
    assert main(["journal", "--workspace", str(tmp_path), "restore", "1", "--lang", "en"]) == 0
    assert main(["journal", "--workspace", str(tmp_path), "export", "-o", str(out), "--lang", "ro"]) == 0
    assert out.read_text(encoding="utf-8").startswith("# Jurnalul interpretărilor")
    assert "Jurnal exportat" in capsys.readouterr().err
    monkeypatch.setenv("COOPWORK_LANG", "en")
    main(["journal", "--workspace", str(tmp_path), "export"])
    assert capsys.readouterr().out.startswith("# Journal of interpretations")
