"""Fast, isolated notebook execution: papermill over kernels forked from a warm process.

A plain papermill loop pays, for every territory, a new Python process, the kernel start and
the imports of pandas/plotly/coopwork (seconds). Here one :class:`ForkServer` per batch does
the imports once; each execution gets a *new* kernel forked from it (milliseconds), so nothing
leaks from one territory to the next — a fresh process, not a reset namespace — while the cost
of starting is paid once.

The engine is a regular papermill engine registered as ``"coopwork"`` in papermill's engine
registry; :func:`execute` is the one entry point used by the runner. It never raises for a
failure *inside* the notebook: it returns an :class:`Execution` whose ``error`` names the
failing cell, the exception name and value — a Python exception in a cell, a dead kernel
(``DeadKernelError``) or the per-notebook time limit (``Timeout``).

On platforms without ``os.fork`` the engine falls back to papermill's ordinary kernels.

Only public hooks of the libraries are used: a jupyter_client kernel *provisioner* (its
``launch_kernel``/``wait`` methods) set on the kernel manager's ``provisioner`` attribute; the
client's ``wait_for_ready``; nbclient's ``on_cell_start`` hook and ``resources`` path; papermill's
engine registry and ``papermill.engine`` entry point. ``tests/batch/test_contracts.py`` checks
these names in the installed releases, so an upgrade that moves one fails loudly.

Examples
--------
>>> from coopwork.batch.engine import Execution
>>> Execution(ok=False, error={"cell": 3, "ename": "ValueError", "evalue": "boom"}).describe()
'cell 3: ValueError: boom'
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from papermill.engines import NBClientEngine

__all__ = ["ENGINE_NAME", "CoopworkEngine", "Execution", "ForkServer", "execute", "register_engine"]

ENGINE_NAME = "coopwork"
_KERNEL_NAME = "python3"


@dataclass
class Execution:
    """The outcome of executing one notebook.

    Attributes
    ----------
    ok
        True when every cell ran without error.
    notebook
        The executed notebook (``nbformat.NotebookNode``), partial when it failed; None when
        execution could not even start.
    error
        ``{"cell": index (0-based, None when unknown), "source": first line, "ename", "evalue"}``
        when it failed.
    seconds
        Wall time of the execution.
    """

    ok: bool
    notebook: Any = None
    error: dict[str, Any] | None = None
    seconds: float = 0.0
    kernel_pid: int | None = None

    def describe(self) -> str:
        """One line: ``cell N: Name: value``."""
        if self.ok or not self.error:
            return "ok"
        where = f"cell {self.error.get('cell')}: " if self.error.get("cell") is not None else ""
        return f"{where}{self.error.get('ename')}: {self.error.get('evalue')}"


class ForkServer:
    """Client of a :mod:`coopwork.batch.forkserver` process (start once, fork many kernels).

    Parameters
    ----------
    log_dir
        Folder for the kernels' exit statuses and stray output.
    """

    def __init__(self, log_dir: str | Path | None = None) -> None:
        self._tmp = None
        if log_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="coopwork-forkserver-")
            log_dir = self._tmp.name
        self.log_dir = Path(log_dir)
        self.status_dir = self.log_dir / "status"
        self.status_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        env = dict(os.environ, PYTHONUNBUFFERED="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
        self.process = subprocess.Popen(
            [sys.executable, "-Xfrozen_modules=off", "-m", "coopwork.batch.forkserver",
             str(self.status_dir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, env=env, start_new_session=True)
        self.pid: int | None = None

    def wait_ready(self) -> ForkServer:
        """Block until the server has warmed up (start it, do other work, then wait)."""
        with self._lock:
            if self.pid is None:
                line = self.process.stdout.readline()
                if not line:
                    from ..errors import RunError

                    raise RunError("batch_errors.fork_server", hint="batch_errors.hint_fork_server")
                self.pid = json.loads(line)["ready"]
        return self

    def fork_kernel(self, connection_file: str, *, cwd: str, env: dict[str, str] | None = None,
                    log: str | None = None) -> int:
        """Fork a kernel listening on ``connection_file``; return its pid."""
        return self._fork({"connection_file": connection_file, "cwd": cwd, "env": env or {}, "log": log})

    def _fork(self, request: dict[str, Any]) -> int:
        self.wait_ready()
        with self._lock:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the kernel fork server stopped")
        return int(json.loads(line)["pid"])

    def call_inline(self, function: str, *args: Any) -> bool:
        """Run ``"module:function"(*args)`` inside the server (to preload shared inputs).

        Returns True when it succeeded (a failure only costs the speed-up).
        """
        self.wait_ready()
        with self._lock:
            request = {"call": function, "args": list(args), "inline": True}
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        return bool(line) and bool(json.loads(line).get("ok"))

    def call(self, function: str, *args: Any, timeout: float | None = None) -> None:
        """Run ``"module:function"(*args)`` in a forked child (JSON-able args) and wait for it.

        Raises
        ------
        RuntimeError
            With the child's error when the function raised or the child died.
        """
        error_file = self.log_dir / f"call-{uuid.uuid4().hex}.err"
        pid = self._fork({"call": function, "args": list(args), "error_file": str(error_file)})
        process = _ForkedProcess(self, pid)
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            raise RuntimeError(f"{function} did not finish in {timeout} s") from None
        if code != 0:
            message = (error_file.read_text(encoding="utf-8") if error_file.is_file()
                       else f"exit status {code}")
            error_file.unlink(missing_ok=True)
            raise RuntimeError(message)

    def exit_status(self, pid: int) -> int | None:
        """The kernel's exit status once it has ended (negative: killed by that signal), else None."""
        path = self.status_dir / f"{pid}.exit"
        if path.is_file():
            return int(path.read_text() or 1)
        if self.process.poll() is not None:  # server gone: its kernels were killed
            try:
                os.kill(pid, 0)
            except OSError:
                return -signal.SIGKILL
        return None

    def close(self) -> None:
        """Stop the server (kernels still running are killed)."""
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout,):
            if stream:
                stream.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _ForkedProcess:
    """The bits of ``subprocess.Popen`` that jupyter_client's local provisioner uses."""

    def __init__(self, server: ForkServer, pid: int) -> None:
        self.server = server
        self.pid = pid
        self.returncode: int | None = None
        self.stdout = self.stderr = self.stdin = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.server.exit_status(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.01)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _provisioner_class():
    from jupyter_client.provisioning import LocalProvisioner

    class ForkProvisioner(LocalProvisioner):
        """Launch the kernel by asking the fork server instead of starting a new Python.

        A regular jupyter_client kernel provisioner: it overrides the public provisioner methods
        ``launch_kernel`` and ``wait`` and sets the attributes ``LocalProvisioner`` manages
        (``process``, ``pid``, ``pgid``); the rest (signals, shutdown, clean-up) is
        ``LocalProvisioner``'s. It is given to the kernel manager through its public
        ``provisioner`` attribute before the kernel starts (:func:`_kernel_manager`).
        """

        server: ForkServer | None = None

        async def launch_kernel(self, cmd: list[str], **kwargs: Any):
            env = {k: v for k, v in (kwargs.get("env") or {}).items()
                   if k.startswith(("JPY_", "PYDEVD"))}
            cwd = str(kwargs.get("cwd") or os.getcwd())
            pid = self.server.fork_kernel(self.parent.connection_file, cwd=cwd, env=env)
            self.process = _ForkedProcess(self.server, pid)
            self.pid = self.pgid = pid
            self.cwd = cwd
            return self.connection_info

        async def wait(self) -> int | None:
            if self.process is None:
                return 0
            while await self.poll() is None:  # poll often: the fork server reaps at once
                await asyncio.sleep(0.005)
            code = self.process.returncode
            self.process = None
            return code

    return ForkProvisioner


def _client_class():
    from queue import Empty

    from jupyter_client import protocol_version_info
    from jupyter_client.asynchronous import AsyncKernelClient

    class FastClient(AsyncKernelClient):
        """jupyter_client's readiness check without its fixed 0.2 s waits (fresh local kernels).

        Overrides the public ``wait_for_ready`` (what nbclient awaits after starting a kernel)
        with the same protocol: ``kernel_info`` until the reply comes and IOPub carries
        messages, then adapt the session to the kernel's protocol version and drain start-up
        messages — polling every few milliseconds instead of sleeping 0.2 s.
        """

        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (timeout if timeout is not None else 60)
            while True:
                self.kernel_info()
                try:
                    msg = await self.shell_channel.get_msg(timeout=0.5)
                except Empty:
                    msg = None
                if msg is not None and msg["msg_type"] == "kernel_info_reply":
                    try:  # IOPub is connected once it carries the reply's status messages
                        await self.iopub_channel.get_msg(timeout=0.5)
                    except Empty:
                        pass
                    else:
                        version = int(msg["content"]["protocol_version"].split(".")[0])
                        if version != protocol_version_info[0]:
                            self.session.adapt_version = version
                        break
                if not await self.is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
            while True:  # drain the start-up messages
                try:
                    await self.iopub_channel.get_msg(timeout=0.01)
                except Empty:
                    break

    return FastClient


def _kernel_manager_class(server: ForkServer | None, watch: dict[str, Any] | None):
    """The kernel manager class nbclient creates (so that it owns the kernel and shuts it down after).

    With a ``server``, the kernel is forked from it (:func:`_provisioner_class`, set through the
    manager's public ``provisioner`` attribute) and read by the fast client. The manager is
    recorded in ``watch["km"]`` (the time limit kills its kernel).
    """
    from jupyter_client.manager import AsyncKernelManager

    provisioner_class = _provisioner_class() if server is not None else None
    client_class = _client_class() if server is not None else None

    class CoopworkKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.cache_ports = server is None  # forked kernels bind their own ports at once
            if provisioner_class is not None:
                self.kernel_id = str(uuid.uuid4())
                provisioner = provisioner_class(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                                parent=self)
                provisioner.server = server
                self.provisioner = provisioner  # used as is by start_kernel
                self.client_factory = client_class
            if watch is not None:
                watch["km"] = self

    return CoopworkKernelManager


class CoopworkEngine(NBClientEngine):
    """papermill engine: kernels forked from a warm :class:`ForkServer` (plain kernels without).

    Extra keyword arguments of ``papermill.execute_notebook`` it understands: ``forkserver``
    (the :class:`ForkServer`), ``kernel_cwd`` (the kernel's working folder, given to nbclient
    as its ``resources`` path rather than by changing this process's folder) and ``watch``
    (a dict it fills with ``nb_man``, ``km`` and, through nbclient's ``on_cell_start`` hook,
    the index of the running ``cell``: what a dead kernel was doing). nbclient creates the
    kernel manager (``kernel_manager_class``), so it shuts the kernel down when the notebook ends.
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        server = kwargs.pop("forkserver", None)
        watch = kwargs.pop("watch", None)
        cwd = kwargs.pop("kernel_cwd", None) or os.getcwd()
        if watch is not None:
            watch["nb_man"] = nb_man

            def on_cell_start(cell: Any, cell_index: int, **_kw: Any) -> None:
                watch["cell"] = cell_index  # which cell was running when a kernel dies

            kwargs["on_cell_start"] = on_cell_start
        # nbclient creates the manager, so it owns the kernel: shut down (and its channels closed)
        # when the notebook is done, whatever happened — a manager passed in would be left running
        kwargs["kernel_manager_class"] = _kernel_manager_class(server, watch)
        kwargs["resources"] = {"metadata": {"path": cwd}}
        return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)


_registered = False


def register_engine() -> None:
    """Register the ``coopwork`` engine in papermill's engine registry (idempotent).

    An installed coopwork also declares it through the ``papermill.engine`` entry point
    (:mod:`coopwork.batch.papermill_entry`, which avoids a circular import), so
    ``papermill --engine coopwork`` works too; this call covers a source checkout.
    """
    global _registered
    if _registered:
        return
    from papermill.engines import papermill_engines

    papermill_engines.register(ENGINE_NAME, CoopworkEngine)
    _registered = True


def _first_line(nb: Any, index: int | None) -> str:
    if nb is None or index is None:
        return ""
    source = nb.cells[index].get("source", "")
    return source.strip().splitlines()[0][:120] if source.strip() else ""


def execute(notebook: Any, *, parameters: dict[str, Any], server: ForkServer | None = None,
            timeout: float | None = 600, cwd: str | Path | None = None) -> Execution:
    """Execute a notebook with papermill on a forked kernel; never raises for cell failures.

    Parameters
    ----------
    notebook
        An ``nbformat.NotebookNode`` (not modified).
    parameters
        Injected after the cell tagged ``parameters`` (papermill's rules).
    server
        The warm :class:`ForkServer`; None uses papermill's ordinary kernel start.
    timeout
        Time limit in seconds for the whole notebook (None: no limit). The kernel is killed
        when it is reached and the failure is reported as ``Timeout`` in the running cell.
    cwd
        Working directory of the kernel.
    """
    import copy

    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    register_engine()
    watch: dict[str, Any] = {}
    timed_out = threading.Event()

    def on_timeout() -> None:
        timed_out.set()
        km = watch.get("km")
        pid = getattr(getattr(km, "provisioner", None), "pid", None)
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:  # a plain kernel that does not lead its process group
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        elif km is not None and getattr(km, "provisioner", None) is not None:
            process = getattr(km.provisioner, "process", None)
            if process is not None:
                process.kill()

    timer = threading.Timer(timeout, on_timeout) if timeout else None
    started = time.monotonic()
    engine_kwargs: dict[str, Any] = {"watch": watch, "kernel_cwd": str(cwd or os.getcwd()),
                                     "shutdown_kernel": "immediate"}
    if server is not None:
        engine_kwargs["forkserver"] = server
    nb = copy.deepcopy(notebook)
    if timer:
        timer.daemon = True
        timer.start()
    try:
        result = pm.execute_notebook(
            nb, None, parameters=parameters, engine_name=ENGINE_NAME, kernel_name=_KERNEL_NAME,
            progress_bar=False, request_save_on_cell_execute=False,
            **engine_kwargs)
        return Execution(ok=True, notebook=result, seconds=time.monotonic() - started,
                         kernel_pid=_pid(watch))
    except PapermillExecutionError as err:
        executed = watch["nb_man"].nb if "nb_man" in watch else None
        source = (err.source or "").strip()
        error = {"cell": err.cell_index, "source": source.splitlines()[0][:120] if source else "",
                 "ename": err.ename, "evalue": err.evalue}
        if timed_out.is_set():
            error.update(ename="Timeout", evalue=f"time limit of {timeout:g} s reached")
        return Execution(ok=False, notebook=executed, error=error,
                         seconds=time.monotonic() - started, kernel_pid=_pid(watch))
    except Exception as err:  # dead kernel, kernel that did not start, time limit
        executed = watch["nb_man"].nb if "nb_man" in watch else None
        cell = watch.get("cell")
        if timed_out.is_set():
            ename, evalue = "Timeout", f"time limit of {timeout:g} s reached"
        else:
            ename, evalue = type(err).__name__, str(err).strip().splitlines()[0] if str(err).strip() else ""
            status = _exit_status(server, watch)
            if status is not None and status < 0:
                evalue = f"the kernel died (signal {-status}). {evalue}".strip()
        return Execution(ok=False, notebook=executed, seconds=time.monotonic() - started,
                         error={"cell": cell, "source": _first_line(executed, cell),
                                "ename": ename, "evalue": evalue}, kernel_pid=_pid(watch))
    finally:
        if timer:
            timer.cancel()


def _pid(watch: dict[str, Any]) -> int | None:
    km = watch.get("km")
    return getattr(getattr(km, "provisioner", None), "pid", None)


def _exit_status(server: ForkServer | None, watch: dict[str, Any]) -> int | None:
    pid = _pid(watch)
    if server is None or pid is None:
        return None
    return server.exit_status(pid)
