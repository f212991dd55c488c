"""``coopwork ingest``: exit codes, one JSON object on stdout, bilingual summary on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from coopwork.cli import main

HEADER = "territoire;org_nom;org_type;salaries;contact_email\n"
ROWS = ("matera;Atelier A;scop;3;lea@example.org\n"
        ";Café B;scic;2;\n"
        "matera;Régie C;scic;99999;\n")


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    """Messages in English so that the tests can compare them exactly (French is the default)."""
    monkeypatch.setenv("COOPWORK_LANG", "en")


@pytest.fixture
def export(tmp_path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return path


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_is_exactly_one_object(capsys, tmp_path, export, sample_survey_path):
    code, out, err = _run(capsys, "ingest", str(export), "--survey", str(sample_survey_path),
                          "--wave", "2025", "--workspace", str(tmp_path / "ws"), "--partial-read", "--json")
    assert code == 0
    result = json.loads(out)                      # raises if stdout holds anything else
    assert out.count("\n") == 1 and out.endswith("}\n")
    for key in ("rows_read", "accepted", "quarantined", "duplicates", "issues", "issues_file", "relations"):
        assert key in result
    counts = (result["rows_read"], result["accepted"], result["quarantined"], result["duplicates"])
    assert counts == (3, 2, 1, 0)
    assert result["rows_read"] == result["accepted"] + result["quarantined"] + result["duplicates"]
    assert result["issues"] == 2 and Path(result["issues_file"]).is_file()
    # human summary on stderr, in one language (COOPWORK_LANG=en here)
    assert "export.csv: 3 rows read, 2 accepted, 1 quarantined, 0 duplicates, 0 ties; wave 2025." in err
    assert "lignes lues" not in err
    assert "Traceback" not in err


def test_second_run_says_nothing_was_added(capsys, tmp_path, export, sample_survey_path):
    argv = ["ingest", str(export), "--survey", str(sample_survey_path), "--wave", "2025",
            "--workspace", str(tmp_path / "ws"), "--partial-read"]
    assert _run(capsys, *argv)[0] == 0
    code, out, err = _run(capsys, *argv, "--json")
    assert code == 0
    result = json.loads(out)
    assert result["already_ingested"] is True and result["accepted"] == 0
    assert result["rows_read"] == result["accepted"] + result["quarantined"] + result["duplicates"]
    assert "export.csv was already ingested: nothing was added." in err
    code, out, err = _run(capsys, *argv, "--lang", "fr")
    assert "export.csv a déjà été importé : rien n'a été ajouté." in err and "already" not in err


def test_human_output_without_json_keeps_stdout_empty(capsys, tmp_path, export, sample_survey_path):
    code, out, err = _run(capsys, "ingest", str(export), "--survey", str(sample_survey_path), "--wave", "w1",
                          "--workspace", str(tmp_path / "ws"), "--partial-read")
    assert code == 0 and out == ""
    assert "1 quarantined" in err and "quarantine.parquet" in err


def test_territory_option(capsys, tmp_path, export, sample_survey_path):
    code, out, _ = _run(capsys, "ingest", str(export), "--survey", str(sample_survey_path), "--wave", "w1",
                        "--territory", "guimaraes", "--workspace", str(tmp_path / "ws"), "--partial-read",
                        "--json")
    assert code == 0
    result = json.loads(out)
    assert result["quarantined"] == 0 and result["territories"] == ["guimaraes", "matera"]


@pytest.mark.parametrize(("content", "reason"), [
    (b"", None),
    (bytes(range(256)) * 8, None),
    (b"zzz;yyy\n1;2\n", None),
    (HEADER.encode(), None),
])
def test_bad_file_exit_2_one_message_nothing_written(capsys, tmp_path, sample_survey_path, content, reason):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    workspace = tmp_path / "ws"
    code, out, err = _run(capsys, "ingest", str(path), "--survey", str(sample_survey_path), "--wave", "w1",
                          "--workspace", str(workspace), "--json")
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("coopwork ingest: ") and "bad.csv" in lines[0]
    if reason:
        assert reason in lines[0]
    assert "Traceback" not in err
    assert not workspace.exists()


def test_missing_territory_is_one_clear_message(capsys, tmp_path, sample_survey_path):
    path = tmp_path / "sans.csv"
    path.write_text("org_nom;org_type\nAtelier;scop\n", encoding="utf-8")
    code, out, err = _run(capsys, "ingest", str(path), "--survey", str(sample_survey_path), "--wave", "w1",
                          "--workspace", str(tmp_path / "ws"), "--partial-read")
    assert code == 2 and out == ""
    assert err == ("coopwork ingest: sans.csv: no territory: the export has no column for the territory "
                   "question 'territoire'. What to do: give the territory of this file with --territory T.\n")
    assert not (tmp_path / "ws").exists()


def test_real_process_no_traceback(tmp_path, export, sample_survey_path):
    """The installed command, in a separate process: JSON on stdout, exit 2 on a binary file."""
    command = [sys.executable, "-m", "coopwork.cli", "ingest", str(export),
               "--survey", str(sample_survey_path), "--wave", "2025",
               "--workspace", str(tmp_path / "ws"), "--partial-read", "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["accepted"] == 2
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x00\x01\x02\xff" * 500)
    command[4] = str(binary)
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert "photo.csv" in done.stderr and "Traceback" not in done.stderr


def test_messages_are_french_by_default(capsys, tmp_path, sample_survey_path, monkeypatch):
    monkeypatch.delenv("COOPWORK_LANG")
    path = tmp_path / "sans.csv"
    path.write_text("org_nom;org_type\nAtelier;scop\n", encoding="utf-8")
    code, _, err = _run(capsys, "ingest", str(path), "--survey", str(sample_survey_path), "--wave", "w1",
                        "--workspace", str(tmp_path / "ws"), "--partial-read")
    assert code == 2
    assert err == ("coopwork ingest: sans.csv : pas de territoire : l'export n'a pas de colonne pour la "
                   "question de territoire 'territoire'. Que faire : indiquez le territoire de ce fichier "
                   "avec --territory T.\n")


def test_every_message_key_exists_in_both_languages():
    import re

    from coopwork.i18n import catalogue

    root = Path(__file__).resolve().parents[2] / "coopwork" / "ingest"
    used = set()
    for name in ("__init__.py", "cli.py", "validate.py", "store.py", "pseudonymise.py"):
        text = (root / name).read_text(encoding="utf-8")
        used |= {f"ingest.{k}" for k in re.findall(r'message\("(\w+)"', text)}
        used |= set(re.findall(r't\("(ingest\.\w+)"', text))
        used |= set(re.findall(r'(?:Error\(|hint=)\s*"(ingest\.\w+)"', text))  # error codes
    used |= {"ingest.reason_date", "ingest.reason_datetime", "ingest.what_constraint",
             "ingest.what_relevance"}  # keys built at run time
    assert len(used) > 30
    for key in used:
        assert set(catalogue()[key]) >= {"fr", "en"}, key
