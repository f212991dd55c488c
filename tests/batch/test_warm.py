"""The warm process's client and the one per process (coopwork.batch.warm)."""

from __future__ import annotations

import subprocess
import sys

from coopwork.batch import dask, runner, warm


def test_the_runner_and_the_dask_workers_share_one_warm_server():
    assert runner.warm_server is warm.warm_server and dask.warm_server is warm.warm_server
    assert runner.stop_warm_server is warm.stop_warm_server


def test_the_client_imports_no_library_that_runs_notebooks():
    heavy = ("papermill", "nbformat", "jupyter_client", "zmq")
    code = f"import sys, coopwork.batch.warm\nprint(sorted(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          check=True)
    assert done.stdout.strip() == "[]", done.stderr
