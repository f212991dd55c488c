"""The warm process seen from the run: its client, and the one each process shares.

:class:`ForkServer` starts a :mod:`coopwork.batch.forkserver` process (the imports of pandas,
plotly and coopwork done once) and asks it for kernels or calls; :class:`ForkedProcess` is one
of its children as jupyter_client sees a process. :func:`warm_server` is the one server of the
process, shared by the local runner (:mod:`.runner`) and the Dask workers (:mod:`.dask`):
started by the first run, reused by the next ones, stopped at exit. The papermill engine that
runs notebooks in its kernels is :mod:`.engine`.

This module imports only the standard library: a run with nothing to do imports it and no
papermill, jupyter_client or zmq.

Examples
--------
>>> stop_warm_server()  # nothing was started: nothing to stop
>>> _warm_server is None
True
"""

from __future__ import annotations

import atexit
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
from pathlib import Path
from typing import Any

from ..errors import RunError

__all__ = ["ForkServer", "ForkedProcess", "stop_warm_server", "warm_server"]


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
        process = ForkedProcess(self, pid)
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


class ForkedProcess:
    """A process forked by a :class:`ForkServer`, with the bits of ``subprocess.Popen`` that
    jupyter_client's local provisioner uses."""

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
            group = signum in (signal.SIGKILL, signal.SIGTERM)  # the kernel leads its process group:
            try:  # what a report started ends with it
                (os.killpg if group else os.kill)(self.pid, signum)
            except OSError:
                with contextlib.suppress(OSError):
                    os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


_warm_server: ForkServer | None = None


def warm_server() -> ForkServer | None:
    """The process-wide warm :class:`ForkServer` (None without ``os.fork``).

    Started by the first run and reused by the next ones in the same process (a notebook or a
    test session calling :func:`~coopwork.batch.runner.run_batch` repeatedly, a Dask worker
    running one territory after another pays the warm-up once); stopped at exit.
    """
    global _warm_server
    if not hasattr(os, "fork"):  # pragma: no cover - Windows: plain papermill kernels
        return None
    if _warm_server is None or _warm_server.process.poll() is not None:
        _warm_server = ForkServer()
        atexit.register(stop_warm_server)
    return _warm_server


def stop_warm_server() -> None:
    """Stop the process-wide warm server and its kernels, if one was started (also done at exit)."""
    global _warm_server
    if _warm_server is not None:
        _warm_server.close()
        _warm_server = None
