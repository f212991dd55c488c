"""The suite's own check (``tests/conftest.py``): a test that leaves a process running fails the suite.

A pytest session of its own runs a probe that leaves ``sleep`` running, once in one process and
once on two pytest-xdist workers: both runs fail, name the process and kill it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

PROBE = """
import subprocess


def test_leaves_a_process_running():
    subprocess.Popen(["sleep", "{seconds}"], start_new_session=True)


def test_nothing():
    pass
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "xdist"])
def test_a_process_left_running_fails_the_suite_and_is_killed(tmp_path: Path, workers: list[str]) -> None:
    import psutil

    seconds = str(600 + uuid.uuid4().int % 300)  # a command line no other process has
    shutil.copy(Path(__file__).with_name("conftest.py"), tmp_path / "conftest.py")
    (tmp_path / "test_probe.py").write_text(PROBE.replace("{seconds}", seconds), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "COOPWORK_TEST_SESSION"}  # a session of its own
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *workers,
                           str(tmp_path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "leaked processes" in done.stdout and f"sleep {seconds}" in done.stdout, done.stdout[-3000:]
    assert "2 passed" in done.stdout
    left = [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", seconds]]
    assert left == []
