"""A full disk during ``coopwork export``, ``export --data``, ``ingest`` and ``run``: one clear sentence, no
traceback, nothing half-written, and the same command works again once space is freed.

The disk is a real one: a small tmpfs mounted for the test (root only; skipped otherwise), filled
up with a file until only a little space is left.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SIZE_MB = 48


@pytest.fixture
def disk(tmp_path):
    """A 48 MB file system of its own (tmpfs), unmounted after the test."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE_MB}m", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` with one file until ``leave`` bytes are free."""
    filler = disk / "filler.bin"
    filler.unlink(missing_ok=True)
    free = shutil.disk_usage(disk).free
    with open(filler, "wb") as handle:
        block = b"\0" * (1 << 20)
        remaining = free - leave
        while remaining > 0:
            handle.write(block[: min(len(block), remaining)])
            remaining -= len(block)
        handle.flush()
        os.fsync(handle.fileno())
    return filler


def _state(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones included) and the sha256 of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()} if folder.exists() else {}


def _coopwork(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COOPWORK_LANG": "en"}
    env.pop("COOPWORK_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "coopwork.cli", *args], capture_output=True, text=True,
                          env=env, timeout=900, check=False)


def _says_disk_full(done: subprocess.CompletedProcess, command: str) -> None:
    assert done.returncode == 2, done.stderr
    assert f"coopwork {command}: the disk is full" in done.stderr, done.stderr
    assert "What to do: free some space on that disk" in done.stderr
    assert "Traceback" not in done.stderr and "Unexpected" not in done.stderr and "Errno" not in done.stderr


def test_export_and_data_export_on_a_full_disk(disk, processed_workspace):
    root = disk / "ws"
    shutil.copytree(processed_workspace, root)
    first = _coopwork("export", "--all", "--workspace", str(root), "--lang", "en")
    assert first.returncode == 0, first.stderr
    exports = root / "data" / "exports"
    before = _state(exports)
    assert before

    filler = _fill(disk, leave=16 << 10)
    done = _coopwork("export", "--all", "--workspace", str(root), "--lang", "en")
    _says_disk_full(done, "export")
    assert _state(exports) == before  # the published folder is exactly as it was
    assert not [p for p in exports.rglob("*") if ".staging-" in p.name]

    _fill(disk, leave=0)
    done = _coopwork("export", "--data", "--format", "sav", "--workspace", str(root), "--lang", "en")
    _says_disk_full(done, "export")
    assert _state(exports) == before

    filler.unlink()  # space is freed: the same commands work
    assert _coopwork("export", "--all", "--workspace", str(root)).returncode == 0
    assert _coopwork("export", "--data", "--workspace", str(root)).returncode == 0
    assert (exports / "cooperation_territoriale" / "data" / "2025" / "responses.sav").is_file()


def test_ingest_and_run_on_a_full_disk(disk, demo_workspace):
    root = disk / "ws"
    (root / "surveys").mkdir(parents=True)
    form = root / "surveys" / "cooperation_territoriale.xlsx"
    shutil.copy(demo_workspace / "surveys" / form.name, form)
    raw = demo_workspace / "data" / "raw" / "csv"
    first = _coopwork("ingest", str(raw / "cooperation_territoriale_2025_matera.csv"), "--survey", str(form),
                      "--wave", "2025", "--workspace", str(root))
    assert first.returncode == 0, first.stderr
    processed = root / "data" / "processed"
    before = _state(processed)

    filler = _fill(disk, leave=16 << 10)
    second = raw / "cooperation_territoriale_2025_guimaraes.csv"
    done = _coopwork("ingest", str(second), "--survey", str(form), "--wave", "2025", "--workspace", str(root))
    _says_disk_full(done, "ingest")
    assert _state(processed) == before  # nothing half-written, nothing added

    done = _coopwork("run", "--all", "--workspace", str(root))
    _says_disk_full(done, "run")

    filler.unlink()
    again = _coopwork("ingest", str(second), "--survey", str(form), "--wave", "2025",
                      "--workspace", str(root))
    assert again.returncode == 0, again.stderr
