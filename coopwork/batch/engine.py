"""Fast, isolated notebook execution: papermill over warm kernels that are reused, kept clean.

A plain papermill loop pays, for every territory, a new Python process, the kernel start and
the imports of pandas/plotly/coopwork (seconds). Here one warm process per batch
(:class:`~coopwork.batch.warm.ForkServer`) does the imports once; each worker of the batch forks
**one kernel** from it and keeps it for its reports (:class:`KernelSlot`). Between two reports
the kernel puts back what the report changed (:mod:`coopwork.batch.hygiene`: namespace,
execution count, module globals, working folder, environment, random generators, library
defaults…) and says whether it is still fit; a kernel that a report left unfit (threads, open
files, modules it did not have), that died, overran its time limit or ran a failing report is
stopped and a new one forked. Each report therefore starts as in a kernel just forked from the
warm server, without paying the fork, the kernel's start-up and the handshake each time.

The engine is a regular papermill engine registered as ``"coopwork"`` in papermill's engine
registry; :func:`execute` is the one entry point used by the runner. It never raises for a
failure *inside* the notebook: it returns an :class:`Execution` whose ``error`` names the
failing cell, the exception name and value — a Python exception in a cell, a dead kernel
(``DeadKernelError``) or the per-notebook time limit (``Timeout``). The executed notebook is
papermill's own document (parameters cell, ``metadata.papermill``), written by papermill.

On platforms without ``os.fork`` the engine falls back to papermill's ordinary kernels, one per
notebook.

Only public hooks of the libraries are used: a jupyter_client kernel *provisioner* (its
``launch_kernel``/``wait`` methods) set on the kernel manager's ``provisioner`` attribute; the
client's ``wait_for_ready``, ``start_channels`` and ``execute_interactive``; a started kernel
manager handed to papermill's engine (``km``, which nbclient then neither starts nor stops);
nbclient's ``on_cell_start`` hook and ``resources`` path; papermill's engine registry and
``papermill.engine`` entry point. ``tests/batch/test_contracts.py`` checks these names in the
installed releases, so an upgrade that moves one fails loudly.

Examples
--------
>>> from coopwork.batch.engine import Execution
>>> Execution(ok=False, error={"cell": 3, "ename": "ValueError", "evalue": "boom"}).describe()
'cell 3: ValueError: boom'
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import json
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from queue import Empty
from typing import Any

import papermill as pm
from jupyter_client import protocol_version_info
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import run_sync
from papermill.engines import NBClientEngine, papermill_engines
from papermill.exceptions import PapermillExecutionError

from .warm import ForkedProcess, ForkServer

__all__ = ["ENGINE_NAME", "CoopworkEngine", "Execution", "KernelSlot", "execute", "register_engine"]

ENGINE_NAME = "coopwork"
_KERNEL_NAME = "python3"
_HYGIENE = "__import__('coopwork.batch.hygiene', fromlist=['reset'])"


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
    kernel_pid
        The pid of the kernel that ran it.
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
        self.process = ForkedProcess(self.server, pid)
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


class FastClient(AsyncKernelClient):
    """jupyter_client's client for a local kernel that is kept between notebooks.

    Overrides two public methods: ``wait_for_ready`` (what nbclient awaits before a notebook)
    keeps the protocol — ``kernel_info`` until the reply comes and IOPub carries messages,
    then the session adapted to the kernel's protocol version and start-up messages drained
    — polling every few milliseconds instead of sleeping 0.2 s; ``start_channels`` does
    nothing when the channels already run (nbclient starts them for every notebook).
    """

    def start_channels(self, *args: Any, **kwargs: Any) -> None:
        if not self.channels_running:
            super().start_channels(*args, **kwargs)

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
        while True:  # drain the start-up messages (and what an earlier notebook left)
            try:
                await self.iopub_channel.get_msg(timeout=0.01)
            except Empty:
                break


def _forked_kernel_manager(server: ForkServer) -> Any:
    """A kernel manager whose kernel is forked from ``server`` and whose one client is kept.

    The provisioner (:class:`ForkProvisioner`) is set through the manager's public
    ``provisioner`` attribute; ``client()`` returns the same started client every time, so that
    nbclient, which asks for a client for each notebook, talks through the connected one.
    """
    class ForkedKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.cache_ports = False  # a forked kernel binds its ports at once
            self.kernel_id = str(uuid.uuid4())
            provisioner = ForkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                            parent=self)
            provisioner.server = server
            self.provisioner = provisioner  # used as is by start_kernel
            self.client_factory = FastClient
            self.kept_client: Any = None

        def client(self, **kwargs: Any) -> Any:
            if self.kept_client is None:
                self.kept_client = super().client(**kwargs)
            return self.kept_client

    return ForkedKernelManager(kernel_name=_KERNEL_NAME)


def _plain_kernel_manager_class(watch: dict[str, Any]) -> Any:
    """The kernel manager class nbclient creates for one notebook (it owns, then stops, the kernel)."""
    class PlainKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            watch["km"] = self  # the time limit kills its kernel

    return PlainKernelManager


class CoopworkEngine(NBClientEngine):
    """papermill engine: a warm kernel kept by a :class:`KernelSlot` (a plain kernel without).

    Extra keyword arguments of ``papermill.execute_notebook`` it understands: ``km`` (a started
    kernel manager, used and left running: nbclient neither starts nor stops a manager it is
    given), ``kernel_cwd`` (the working folder of a plain kernel, given to nbclient as its
    ``resources`` path), ``watch`` (a dict it fills with ``nb_man`` and, through nbclient's
    ``on_cell_start`` hook, the index of the running ``cell``: what a dead kernel was doing) and
    ``finish`` (called with the executed notebook before papermill writes it: its metadata).
    Without ``km``, nbclient creates the manager (``kernel_manager_class``), so it shuts the
    kernel down when the notebook is done, whatever happened.
    """

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        watch = kwargs.pop("watch", None)
        finish = kwargs.pop("finish", None)
        cwd = kwargs.pop("kernel_cwd", None) or os.getcwd()
        if watch is not None:
            watch["nb_man"] = nb_man

            def on_cell_start(cell: Any, cell_index: int, **_kw: Any) -> None:
                watch["cell"] = cell_index  # which cell was running when a kernel dies

            kwargs["on_cell_start"] = on_cell_start
        if kwargs.get("km") is None:
            kwargs.pop("km", None)
            kwargs["kernel_manager_class"] = _plain_kernel_manager_class(watch if watch is not None else {})
            kwargs["resources"] = {"metadata": {"path": cwd}}
        nb = super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
        if finish is not None:
            finish(nb)
        return nb


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
    papermill_engines.register(ENGINE_NAME, CoopworkEngine)
    _registered = True


def _first_line(nb: Any, index: int | None) -> str:
    if nb is None or index is None:
        return ""
    source = nb.cells[index].get("source", "")
    return source.strip().splitlines()[0][:120] if source.strip() else ""


def _kill(pid: int | None, process: Any = None) -> None:
    """Kill a kernel: its process group (a forked kernel leads one), else the process."""
    if pid:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (OSError, AttributeError):  # a plain kernel that does not lead its process group
            with contextlib.suppress(OSError, AttributeError):  # (Windows: no process groups, no SIGKILL)
                os.kill(pid, signal.SIGKILL)
    elif process is not None:
        process.kill()


def _papermill(notebook: Any, *, parameters: dict[str, Any], km: Any, timeout: float | None,
               cwd: str, output: str | Path | None, finish: Callable[[Any], None] | None,
               status: Callable[[int | None], int | None] = lambda pid: None) -> Execution:
    """One execution through ``papermill.execute_notebook`` (see :func:`execute`)."""
    register_engine()
    watch: dict[str, Any] = {}
    timed_out = threading.Event()

    def pid() -> int | None:
        manager = km if km is not None else watch.get("km")
        return getattr(getattr(manager, "provisioner", None), "pid", None)

    def on_timeout() -> None:
        timed_out.set()
        manager = km if km is not None else watch.get("km")
        _kill(pid(), getattr(getattr(manager, "provisioner", None), "process", None))

    timer = threading.Timer(timeout, on_timeout) if timeout else None
    started = time.monotonic()
    kernel_pid = pid()
    if timer:
        timer.daemon = True
        timer.start()
    try:
        result = pm.execute_notebook(
            notebook, None if output is None else str(output), parameters=parameters,
            engine_name=ENGINE_NAME, kernel_name=_KERNEL_NAME, progress_bar=False,
            request_save_on_cell_execute=False, km=km, kernel_cwd=cwd, watch=watch, finish=finish)
        return Execution(ok=True, notebook=result, seconds=time.monotonic() - started,
                         kernel_pid=kernel_pid or pid())
    except PapermillExecutionError as err:
        executed = watch["nb_man"].nb if "nb_man" in watch else None
        source = (err.source or "").strip()
        error = {"cell": err.cell_index, "source": source.splitlines()[0][:120] if source else "",
                 "ename": err.ename, "evalue": err.evalue}
        if timed_out.is_set():
            error.update(ename="Timeout", evalue=f"time limit of {timeout:g} s reached")
        return Execution(ok=False, notebook=executed, error=error,
                         seconds=time.monotonic() - started, kernel_pid=kernel_pid or pid())
    except Exception as err:  # dead kernel, kernel that did not start, time limit
        executed = watch["nb_man"].nb if "nb_man" in watch else None
        cell = watch.get("cell")
        if timed_out.is_set():
            ename, evalue = "Timeout", f"time limit of {timeout:g} s reached"
        else:
            ename, evalue = type(err).__name__, str(err).strip().splitlines()[0] if str(err).strip() else ""
            code = status(kernel_pid or pid())
            if code is not None and code < 0:
                evalue = f"the kernel died (signal {-code}). {evalue}".strip()
        if executed is not None and finish is not None:
            finish(executed)
        return Execution(ok=False, notebook=executed, seconds=time.monotonic() - started,
                         error={"cell": cell, "source": _first_line(executed, cell),
                                "ename": ename, "evalue": evalue}, kernel_pid=kernel_pid or pid())
    finally:
        if timer:
            timer.cancel()


class KernelSlot:
    """One worker's kernel: forked from the warm server, kept for its reports, kept clean.

    Use it from one thread only (its kernel client lives in that thread's event loop), and
    :meth:`close` it from the same thread. Before each report the kernel is told its working
    folder; after it, :func:`coopwork.batch.hygiene.reset` puts back what the report changed and
    says whether the kernel is still fit. The kernel is replaced by a new fork when it is not,
    when the report failed, or when the kernel died.

    Attributes
    ----------
    history
        One entry per report: ``pid`` of its kernel, ``reused`` (the kernel ran an earlier report)
        and ``replaced`` (why the kernel was replaced after it; empty when it was kept).
    imports
        Modules that reports loaded and the warm server had not: a new kernel imports them
        before its snapshot, so a notebook importing an extra library pays for it once.
    """

    def __init__(self, server: ForkServer) -> None:
        self.server = server
        self.km: Any = None
        self.kc: Any = None
        self.reports = 0  # reports run by the current kernel
        self.history: list[dict[str, Any]] = []
        self.imports: list[str] = []

    @property
    def pid(self) -> int | None:
        """The current kernel's pid (None when there is none)."""
        return getattr(getattr(self.km, "provisioner", None), "pid", None)

    def _run(self, coroutine_function: Callable, *args: Any, **kwargs: Any) -> Any:
        return run_sync(coroutine_function)(*args, **kwargs)

    def _call(self, call: str, timeout: float = 120) -> str:
        """Run ``hygiene.<call>`` silently in the kernel; return ``hygiene.verdict()``."""
        reply = self._run(self.kc.execute_interactive, f"{_HYGIENE}.{call}", silent=True,
                          store_history=False, allow_stdin=False, timeout=timeout,
                          user_expressions={"verdict": f"{_HYGIENE}.verdict()"},
                          output_hook=lambda msg: None)
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")
        return ast.literal_eval(content["user_expressions"]["verdict"]["data"]["text/plain"])

    def _start(self, cwd: str) -> None:
        km = _forked_kernel_manager(self.server)
        self._run(km.start_kernel, cwd=cwd)
        self.km, self.kc, self.reports = km, km.client(), 0
        self.kc.start_channels()
        self._run(self.kc.wait_for_ready, timeout=60)
        self._call(f"prepare({self.imports!r})")

    def _stop(self) -> None:
        km, kc, self.km, self.kc = self.km, self.kc, None, None
        if km is None:
            return
        with contextlib.suppress(Exception):
            self._run(km.shutdown_kernel, now=True)  # kills it and removes its connection file
        with contextlib.suppress(Exception):
            kc.stop_channels()

    def execute(self, notebook: Any, *, parameters: dict[str, Any], timeout: float | None, cwd: str,
                output: str | Path | None = None, finish: Callable[[Any], None] | None = None) -> Execution:
        """Execute one notebook in this slot's kernel (see :func:`execute`)."""
        started = time.monotonic()
        # a kernel that does not start or answer is replaced once: a kept kernel gone stale, or a new
        # one that died at start because another process took one of its ports between their choice
        # and its bind (a busy machine); a second failure fails this report
        for attempt in (1, 2):
            try:
                if self.km is None or self.server.exit_status(self.pid) is not None:
                    self._stop()
                    self._start(cwd)
                self._call(f"begin({cwd!r})")
                break
            except Exception as err:
                self._stop()
                if attempt == 2:
                    return Execution(ok=False, seconds=time.monotonic() - started,
                                     error={"cell": None, "source": "", "ename": type(err).__name__,
                                            "evalue": str(err)[:500]})
        reused = self.reports > 0
        execution = _papermill(notebook, parameters=parameters, km=self.km, timeout=timeout, cwd=cwd,
                               output=output, finish=finish, status=self.server.exit_status)
        self.reports += 1
        if not execution.ok:
            replaced = ["the report failed"]
        else:
            try:
                verdict = json.loads(self._call("reset()"))
                replaced = verdict["reasons"]
                self.imports += [m for m in verdict["new_modules"] if m not in self.imports]
            except Exception as err:
                replaced = [f"the kernel could not be put back in order: {err}"]
        self.history.append({"pid": execution.kernel_pid, "reused": reused, "replaced": replaced})
        if replaced:
            self._stop()
        return execution

    def close(self) -> None:
        """Stop the kernel (from the thread that used the slot)."""
        self._stop()

    def __enter__(self) -> KernelSlot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def execute(notebook: Any, *, parameters: dict[str, Any], slot: KernelSlot | None = None,
            timeout: float | None = 600, cwd: str | Path | None = None, output: str | Path | None = None,
            finish: Callable[[Any], None] | None = None) -> Execution:
    """Execute a notebook with papermill; never raises for cell failures.

    Parameters
    ----------
    notebook
        An ``nbformat.NotebookNode`` or a path (papermill copies it; it is not modified).
    parameters
        Injected after the cell tagged ``parameters`` (papermill's rules).
    slot
        The :class:`KernelSlot` whose warm kernel runs it; None starts a plain kernel for this
        notebook (papermill's ordinary way).
    timeout
        Time limit in seconds for the whole notebook (None: no limit). The kernel is killed
        when it is reached and the failure is reported as ``Timeout`` in the running cell.
    cwd
        Working directory of the kernel.
    output
        Where papermill writes the executed notebook (also when a cell failed, with papermill's
        error banner); None: not written.
    finish
        Called with the executed notebook (also a partial one) before it is written: the place
        to add metadata such as provenance.
    """
    cwd = str(cwd or os.getcwd())
    if slot is not None:
        return slot.execute(notebook, parameters=parameters, timeout=timeout, cwd=cwd, output=output,
                            finish=finish)
    return _papermill(notebook, parameters=parameters, km=None, timeout=timeout, cwd=cwd, output=output,
                      finish=finish)
