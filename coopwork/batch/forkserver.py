"""A warm process that forks one fresh Jupyter kernel per notebook execution.

Starting a kernel and importing pandas, pyarrow, plotly and coopwork costs seconds; forking a
process that has already done it costs milliseconds. This module is the *server* side: it is
started once per batch (``python -m coopwork.batch.forkserver STATUS_DIR``), imports the heavy
modules, then reads one JSON request per line on stdin::

    {"connection_file": "...", "cwd": "...", "env": {...}}

and answers ``{"pid": N}`` on stdout after forking a child that becomes an ipykernel listening
on that connection file. A request ``{"call": "module:function", "args": [...]}`` forks a child
that calls the function and exits (0 when it returned, 1 when it raised): the HTML rendering of
the reports uses it, so that it runs in parallel on warm templates. With ``"inline": true`` the
function runs in the server itself (no fork): :func:`coopwork.batch.notebook.preload` loads the
workspace's survey and tables there once, and every kernel forked afterwards inherits them.

Every kernel is a new process: nothing set by one territory's notebook (variables, module
attributes, environment variables, working directory) can reach another's. The server reaps its
children and writes ``STATUS_DIR/<pid>.exit`` holding the exit status (negative: killed by that
signal), so the client can tell a dead kernel.

The server must stay single-threaded and must not create a ZeroMQ context before forking;
it only imports modules. It exits when stdin closes, killing the kernels still running.

Examples
--------
>>> WARM_MODULES[:2]
('pandas', 'pyarrow.parquet')
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import signal
import sys
from pathlib import Path

__all__ = ["WARM_MODULES", "serve"]

# imported once by the server, inherited by every kernel (order: cheapest failures first)
WARM_MODULES = (
    "pandas",
    "pyarrow.parquet",
    "numpy",
    "yaml",
    "plotly.graph_objects",
    "plotly.io",
    "plotly.express",
    "networkx",
    "scipy.stats",
    "jsonschema",
    "nbformat",
    "nbformat.validator",
    "IPython",
    "IPython.display",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "ipykernel.comm",
    "ipykernel.iostream",
    "ipykernel.heartbeat",
    "ipykernel.eventloops",
    "ipykernel.parentpoller",
    "ipykernel.compiler",
    "IPython.core.logger",  # imported by the kernel's first reset (coopwork.batch.hygiene)
    "zmq.utils.garbage",  # zmq's zero-copy sends of large outputs (its thread starts when first used)
    "ipywidgets",
    "coopwork.survey",
    "coopwork.workspace",
    "coopwork.analysis",
    "coopwork.figures",
    "coopwork.batch.provenance",
    "coopwork.batch.hygiene",
    "coopwork.batch.notebook",
    "nbconvert",
    "coopwork.batch.html",
)


def _warm() -> None:
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # an optional part that is missing only costs its import time later
            continue
    try:  # plotly builds its validators lazily on the first figure: do it once here
        import plotly.graph_objects as go  # lazy: the warm-up itself (may fail: it only costs time)
        import plotly.io as pio  # lazy: the warm-up itself

        go.Figure(go.Bar(x=[1], y=[1])).to_plotly_json()
        pio.templates["none"]
        pio.templates.default = pio.templates.default  # what choosing a template loads (validation)
        pio.renderers["plotly_mimetype"]
    except Exception:
        pass
    try:  # compile nbconvert's templates once
        import nbformat  # lazy: the warm-up itself

        from coopwork.batch.html import to_html  # lazy: the warm-up itself

        to_html(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("warm")]))
    except Exception:
        pass


def _call(request: dict) -> None:
    """In the forked child: call ``module:function(*args)``; the error goes to ``error_file``."""
    module, _, name = request["call"].partition(":")
    try:
        getattr(importlib.import_module(module), name)(*request.get("args", []))
    except BaseException as err:
        if request.get("error_file"):
            Path(request["error_file"]).write_text(f"{type(err).__name__}: {err}", encoding="utf-8")
        os._exit(1)
    os._exit(0)


def _run_kernel(request: dict) -> None:
    """In the forked child: become an ipykernel on the requested connection file."""
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDWR)
    log = request.get("log")
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600) if log else devnull
    os.dup2(devnull, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.environ.update(request.get("env") or {})
    os.chdir(request.get("cwd") or os.getcwd())
    sys.stdin = open(os.devnull)  # noqa: SIM115 - lives as long as the kernel
    sys.stdout = os.fdopen(1, "w", buffering=1)
    sys.stderr = os.fdopen(2, "w", buffering=1)
    sys.argv = ["ipykernel_launcher", "-f", request["connection_file"]]
    from ipykernel.kernelapp import IPKernelApp  # lazy: warmed in _warm, which may go without it

    app = IPKernelApp.instance()
    app.initialize(["-f", request["connection_file"], "--HistoryManager.enabled=False",
                    "--IPKernelApp.quiet=True"] + (["--debug"] if log else []))
    app.start()


def serve(status_dir: str | Path) -> None:
    """Warm up, then fork one kernel per request line until stdin closes."""
    status = Path(status_dir)
    status.mkdir(parents=True, exist_ok=True)
    children: set[int] = set()

    def reap(signum: int, frame: object) -> None:
        while True:
            try:
                pid, code = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            children.discard(pid)
            value = -os.WTERMSIG(code) if os.WIFSIGNALED(code) else os.WEXITSTATUS(code)
            tmp = status / f"{pid}.tmp"
            tmp.write_text(str(value))
            os.replace(tmp, status / f"{pid}.exit")

    _warm()
    gc.collect()
    gc.freeze()  # forked kernels share these pages: no collection dirties them (copy-on-write)
    signal.signal(signal.SIGCHLD, reap)
    sys.stdout.write(json.dumps({"ready": os.getpid()}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        if request.get("inline"):  # shared inputs loaded once here, inherited by every kernel
            try:
                module, _, name = request["call"].partition(":")
                getattr(importlib.import_module(module), name)(*request.get("args", []))
                answer = {"ok": True}
            except Exception as err:
                answer = {"ok": False, "error": f"{type(err).__name__}: {err}"}
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
            continue
        # SIGCHLD is held until the status of an earlier process with the same pid (pids are
        # reused: pid_max is often 32768) is removed, so a new kernel is never read as dead
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        pid = os.fork()
        if pid == 0:  # child
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            code = 0
            try:
                if "call" in request:
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    _call(request)
                _run_kernel(request)
            except BaseException:  # pragma: no cover - reported as a dead kernel
                code = 1
            finally:
                os._exit(code)
        (status / f"{pid}.exit").unlink(missing_ok=True)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        children.add(pid)
        sys.stdout.write(json.dumps({"pid": pid}) + "\n")
        sys.stdout.flush()
    for pid in list(children):
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)


if __name__ == "__main__":  # pragma: no cover - started by coopwork.batch.engine
    serve(sys.argv[1])
