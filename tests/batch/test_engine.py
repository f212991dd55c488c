"""The papermill engine: registered in papermill's registry, with kept warm kernels and plain ones."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import nbformat
import pytest
from batch_helpers import PARAMETERS, stdout

from coopwork.batch.engine import ENGINE_NAME, KernelSlot, execute, register_engine
from coopwork.batch.warm import warm_server


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


def test_reports_share_a_warm_kernel_and_start_fresh() -> None:
    """One slot, three reports: the same kernel process, yet each report sees nothing of the one
    before and counts its cells from 1, as in a new kernel."""
    nb = _notebook("import os\nprint(territory, os.getpid(), 'seen' in globals())\nseen = True")
    with KernelSlot(warm_server()) as slot:
        runs = [execute(nb, parameters={"territory": t}, slot=slot, timeout=120) for t in "abc"]
        assert all(run.ok for run in runs), [run.describe() for run in runs]
        printed = [stdout(run.notebook.cells[-1]).split() for run in runs]
        assert [p[0] for p in printed] == ["a", "b", "c"]
        assert {p[2] for p in printed} == {"False"}
        assert len({p[1] for p in printed}) == 1 and int(printed[0][1]) == runs[0].kernel_pid
        assert [h["reused"] for h in slot.history] == [False, True, True]
        for run in runs:  # papermill's own document: parameters injected, cells counted from 1
            counts = [c.execution_count for c in run.notebook.cells if c.cell_type == "code"]
            assert counts == list(range(1, len(counts) + 1))
            assert run.notebook.metadata.papermill.parameters["territory"] in "abc"
            nbformat.validate(run.notebook)


def test_a_reused_pid_is_not_read_as_a_dead_kernel(tmp_path) -> None:
    """pids come back (pid_max is often 32768): the status of an earlier process with the new
    kernel's pid must not say the new kernel died (seen as "Kernel died before replying")."""
    from coopwork.batch.warm import ForkServer

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
        with KernelSlot(server) as slot:
            result = execute(_notebook("print(territory)"), parameters={"territory": "a"}, slot=slot,
                             timeout=120)
        assert result.ok, result.describe()


def test_plain_kernels_without_the_fork_server() -> None:
    result = execute(_notebook("print(territory * 2)"), parameters={"territory": "ab"}, timeout=300)
    assert result.ok, result.describe()
    assert stdout(result.notebook.cells[-1]) == "abab\n"
    failing = execute(_notebook("raise KeyError('missing')"), parameters={"territory": "x"}, timeout=300)
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


def test_no_kernel_outlives_its_slot_or_its_notebook() -> None:
    """A plain kernel ends with its notebook; a kept kernel ends with its slot, and a kernel that ran
    a failing report is replaced at once."""
    nb = _notebook("print(territory)")
    plain = execute(nb, parameters={"territory": "a"}, timeout=300)
    assert plain.ok, plain.describe()
    assert not _running_after(plain.kernel_pid, 30), "a plain kernel outlived its notebook"
    with KernelSlot(warm_server()) as slot:
        kept = execute(nb, parameters={"territory": "a"}, slot=slot, timeout=300)
        assert kept.ok, kept.describe()
        failing = execute(_notebook("raise ValueError('x')"), parameters={"territory": "a"}, slot=slot,
                          timeout=300)
        assert slot.history[0]["replaced"] == [], slot.history  # the first report left its kernel fit
        assert not failing.ok and failing.kernel_pid == kept.kernel_pid
        assert slot.history[-1]["replaced"] == ["the report failed"]
        assert not _running_after(failing.kernel_pid, 30), "a kernel that ran a failing report was kept"
        again = execute(nb, parameters={"territory": "b"}, slot=slot, timeout=300)
        assert again.ok and again.kernel_pid != kept.kernel_pid
    assert not _running_after(again.kernel_pid, 30), "a kept kernel outlived its slot"


def test_a_kernel_that_cannot_bind_its_port_is_replaced_once(monkeypatch) -> None:
    """A new kernel's ports are chosen free, then bound by the kernel a moment later: on a busy
    machine another process can take one in between, and that kernel dies at start. Seen in CI as
    a report failing in 2 s with no cell; the report must run in a second new kernel instead."""
    import socket

    from coopwork.batch import engine

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    made = []

    def first_on_a_taken_port(server):
        km = real(server)
        if not made:
            km.shell_port = taken.getsockname()[1]  # another process has it now
        made.append(km)
        return km

    real = engine._forked_kernel_manager
    monkeypatch.setattr(engine, "_forked_kernel_manager", first_on_a_taken_port)
    try:
        with KernelSlot(warm_server()) as slot:
            result = execute(_notebook("print(territory)"), parameters={"territory": "a"}, slot=slot,
                             timeout=120)
    finally:
        taken.close()
    assert result.ok, result.describe()
    assert len(made) == 2 and stdout(result.notebook.cells[-1]).strip() == "a"
