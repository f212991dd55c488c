"""`coopwork journal …` through the real command line (moderation and export for the researcher)."""

from __future__ import annotations

import csv
import io

from coopwork.cli import main
from coopwork.dashboard.journal import Journal


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
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["text"] for r in rows] == ["'=1+1 on se fait confiance", "réunion en mars"]
    assert main(["journal", "--workspace", str(tmp_path), "export", "--territory", "t02"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# Journal des interprétations") and "t01" not in text and "— Léo" in text


def test_database_option_takes_a_url(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    Journal(url).add("s", territory="t", wave="w", chart="c", kind="means", text="ailleurs")
    assert main(["journal", "--workspace", str(tmp_path), "--database", url, "list"]) == 0
    assert "ailleurs" in capsys.readouterr().out
