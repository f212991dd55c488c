"""The command line: help, version, subcommands, and errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from coopwork import __version__
from coopwork.cli import build_parser, main

SUBCOMMANDS = ["demo", "ingest", "survey", "run", "serve", "journal", "export", "lab", "new-notebook"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coopwork.cli", *args], capture_output=True,
                          text=True, timeout=120)


def test_version():
    result = _run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"coopwork {__version__}"


def test_help_lists_every_subcommand():
    result = _run("--help")
    assert result.returncode == 0
    for name in SUBCOMMANDS:
        assert name in result.stdout


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_subcommand_has_help(name):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([name, "--help"])
    assert exit_info.value.code == 0


def test_user_error_is_one_message_and_exit_2(tmp_path, capsys):
    code = main(["ingest", str(tmp_path / "missing.csv"), "--survey", str(tmp_path / "nope.xlsx"),
                 "--wave", "2025", "--workspace", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in captured.err
    assert captured.err.startswith("coopwork ingest: ")
    assert len(captured.err.strip().splitlines()) == 1
