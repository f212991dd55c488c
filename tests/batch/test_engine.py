"""The papermill engine: registered in papermill's registry, with and without the fork server."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import nbformat
import pytest
from batch_helpers import PARAMETERS

from coopwork.batch.engine import ENGINE_NAME, execute, register_engine
from coopwork.batch.runner import warm_server


def _notebook(body: str) -> nbformat.NotebookNode:
    parameters = nbformat.v4.new_code_cell(PARAMETERS)
    parameters.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[parameters, nbformat.v4.new_code_cell(body)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_engine_is_in_papermills_registry() -> None:
    from papermill.engines import papermill_engines

    register_engine()
    assert papermill_engines.get_engine(ENGINE_NAME).__name__ == "CoopworkEngine"


def test_forked_kernels_are_fresh_processes() -> None:
    server = warm_server()
    nb = _notebook("import os\nprint(territory, os.getpid(), 'seen' in globals())\nseen = True")
    first = execute(nb, parameters={"territory": "a"}, server=server, timeout=120)
    second = execute(nb, parameters={"territory": "b"}, server=server, timeout=120)
    assert first.ok and second.ok
    out_a, pid_a, seen_a = first.notebook.cells[-1].outputs[0]["text"].split()
    out_b, pid_b, seen_b = second.notebook.cells[-1].outputs[0]["text"].split()
    assert (out_a, out_b) == ("a", "b")
    assert pid_a != pid_b and seen_a == seen_b == "False"
    assert first.kernel_pid == int(pid_a)


def test_a_reused_pid_is_not_read_as_a_dead_kernel(tmp_path) -> None:
    """pids come back (pid_max is often 32768): the status of an earlier process with the new
    kernel's pid must not say the new kernel died (seen as "Kernel died before replying")."""
    from coopwork.batch.engine import ForkServer

    with ForkServer(tmp_path) as server:
        server.wait_ready()
        proc = Path("/proc/sys/kernel")
        if not (proc / "ns_last_pid").is_file():
            pytest.skip("needs Linux's /proc/sys/kernel/ns_last_pid")
        last, top = int((proc / "ns_last_pid").read_text()), int((proc / "pid_max").read_text())
        for step in range(1, 20_000):  # an old status for every pid the next kernels can get (in order)
            (server.status_dir / f"{(last + step) % top or 1}.exit").write_text("1")
        from jupyter_client.connect import write_connection_file

        connection_file, _ = write_connection_file(str(tmp_path / "kernel.json"))
        pid = server.fork_kernel(connection_file, cwd=str(tmp_path))
        try:
            assert server.exit_status(pid) is None  # alive: the old status of that pid is gone
        finally:
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while server.exit_status(pid) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.exit_status(pid) == -signal.SIGKILL  # and its own status is written
        result = execute(_notebook("print(territory)"), parameters={"territory": "a"}, server=server,
                         timeout=120)
        assert result.ok, result.describe()


def test_plain_kernels_without_the_fork_server() -> None:
    result = execute(_notebook("print(territory * 2)"), parameters={"territory": "ab"}, server=None,
                     timeout=300)
    assert result.ok, result.describe()
    assert result.notebook.cells[-1].outputs[0]["text"] == "abab\n"
    failing = execute(_notebook("raise KeyError('missing')"), parameters={"territory": "x"}, server=None,
                      timeout=300)
    assert not failing.ok
    error = failing.error
    assert (error["ename"], error["evalue"], error["cell"]) == ("KeyError", "'missing'", 2)


def _running_after(pid: int | None, seconds: float) -> bool:
    import psutil

    assert pid is not None
    try:
        return bool(psutil.wait_procs([psutil.Process(pid)], timeout=seconds)[1])
    except psutil.NoSuchProcess:
        return False


def test_no_kernel_outlives_its_notebook() -> None:
    server = warm_server()
    nb = _notebook("print(territory)")
    for used in (server, None):
        result = execute(nb, parameters={"territory": "a"}, server=used, timeout=300)
        assert result.ok, result.describe()
        kind = "forked" if used else "plain"
        assert not _running_after(result.kernel_pid, 30), f"a {kind} kernel outlived its notebook"
    failing = execute(_notebook("raise ValueError('x')"), parameters={"territory": "a"}, server=server,
                      timeout=300)
    assert not failing.ok
    assert not _running_after(failing.kernel_pid, 30)
