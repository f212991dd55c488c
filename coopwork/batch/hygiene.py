"""Inside a kernel kept for the next report: put back what a report changed, and tell when it cannot.

A batch runs its reports in warm kernels that are reused (:class:`coopwork.batch.engine.KernelSlot`).
For each report to start as it would in a kernel just forked from the warm server, the kernel
calls this module three times (as silent executions that leave no trace in any notebook):

- :func:`prepare`, once, when the kernel is ready: import what earlier reports needed, exercise
  the kernel's lazy machinery, and take the **snapshot** every later report starts from;
- :func:`begin`, before each report: its working folder;
- :func:`reset`, after each report: put back what can be put back, then check what cannot. The
  verdict (JSON) says whether the kernel is still **fit** for another report; an unfit kernel is
  stopped and a new one forked.

What "fresh" means — **put back** after every report:

- the user namespace and IPython's own state: variables, ``In``/``Out``/``_`` history, the
  execution count (the next report counts from 1 as under plain papermill)
  (``InteractiveShell.reset``); ``from __future__`` imports; IPython's event callbacks, display
  formatters and AST/input transformers a report registered;
- the globals of every module the kernel had loaded: names a report added, rebound or deleted
  (``json.dumps = ...``, ``pd.read_csv = ...``) are put back;
- the process: working folder, environment variables (and ``time.tzset``), ``sys.path``,
  ``sys.meta_path``, ``sys.path_hooks``, ``sys.argv``, the recursion limit, the umask, the locale,
  signal handlers, warning filters, the logging configuration (levels, handlers);
- the random generators as in a kernel forked anew: :mod:`random` seeded again from the system
  (Python does so in a forked child), NumPy's global generator back to the warm server's state
  (NumPy does not reseed in a fork); NumPy's error and print options;
- libraries' defaults: plotly's default template and renderer, every pandas option, matplotlib's
  ``rcParams`` and open figures.

**Unfit** (the kernel is replaced) when, after the above and a garbage collection, the report left:

- modules the kernel had not loaded (the next kernel imports them in :func:`prepare`, so a
  notebook that always imports the same extra library pays this once, not once per report);
- threads or child processes still running, files or sockets still open (but for the connections
  of the kernel's own channels, which its clients make in the background);
- a resident memory grown by more than :data:`MEMORY_LIMIT_MB` since the snapshot.

A report that failed, a kernel that died or overran its time limit are replaced by the engine
without asking. Not covered: attributes of library *classes* a report patched
(``pandas.DataFrame.x = ...``) and objects held by a module that a report mutated in place
(appending to a module's list, adding a plotly template): those live until the kernel is replaced.

Examples
--------
>>> _same(print, print), _same([], [])
(True, False)
>>> sorted(_importable(["json", "a module", "x.y", "os.path"]))
['json', 'os.path', 'x.y']
"""

from __future__ import annotations

import contextlib
import gc
import json
import locale
import logging
import operator
import os
import random
import re
import signal
import sys
import threading
import time
import types
import warnings
from typing import Any

from ipykernel.connect import get_connection_info
from IPython import get_ipython
from zmq.utils.garbage import gc as zmq_gc

__all__ = ["MEMORY_LIMIT_MB", "begin", "prepare", "reset", "verdict"]

#: a kernel whose resident memory grew by more than this since its snapshot is replaced
MEMORY_LIMIT_MB = 1024

_MISSING = object()
_OWN = frozenset({"__main__", __name__})  # IPython's user module (reset apart), and this module
_state: dict[str, Any] | None = None
_verdict = "{}"


def _same(a: Any, b: Any) -> bool:
    """Identity, or the same bound method (a new method object is made at each attribute access)."""
    return a is b or (isinstance(a, types.MethodType) and isinstance(b, types.MethodType) and a == b)


def _importable(names: list[str]) -> list[str]:
    """The names that look like importable module names (dotted identifiers)."""
    return [n for n in names if re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", n)]


def _shell() -> Any:
    return get_ipython()


def _threads() -> set[int]:
    return {t.ident for t in threading.enumerate() if t.is_alive() and t.ident is not None}


def _fds() -> dict[str, str]:
    """Open file descriptors that are files or sockets (``/proc`` only; empty elsewhere)."""
    found = {}
    with contextlib.suppress(OSError):
        for fd in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/self/fd/{fd}")
                if target.startswith(("/", "socket:")) and not target.startswith("/dev/"):
                    found[fd] = target
    return found


def _kernel_ports() -> set[int]:
    """The ports of this kernel's channels (shell, iopub, stdin, control, heartbeat); empty outside one."""
    with contextlib.suppress(Exception):  # outside a kernel there is no connection file
        info = get_connection_info(unpack=True)
        return {int(value) for key, value in info.items() if key.endswith("_port")}
    return set()


def _channel_sockets(ports: set[int]) -> set[str]:
    """``socket:[inode]`` of the TCP connections to ``ports`` (``/proc`` only; empty elsewhere).

    A kernel's clients connect its channels; zmq makes (and remakes) those connections in the
    background, so one may be accepted after the snapshot: it is the kernel's, not the report's.

    Examples
    --------
    >>> _channel_sockets(set())
    set()
    """
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6") if ports else ():
        with contextlib.suppress(OSError, ValueError, IndexError), open(table) as handle:
            next(handle, None)  # the header
            for line in handle:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) in ports:
                    found.add(f"socket:[{fields[9]}]")
    return found


def _children() -> list[int]:
    """Child processes still running (``/proc`` only; empty elsewhere)."""
    pids = []
    with contextlib.suppress(OSError):
        for task in os.listdir("/proc/self/task"):
            with contextlib.suppress(OSError), open(f"/proc/self/task/{task}/children") as handle:
                pids += [int(p) for p in handle.read().split()]
    alive = []
    for pid in pids:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/stat") as handle:
            if handle.read().rsplit(")", 1)[1].split()[0] != "Z":  # zombies are reaped below
                alive.append(pid)
    with contextlib.suppress(ChildProcessError, OSError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    return alive


def _rss_mb() -> float:
    with contextlib.suppress(OSError, ValueError, IndexError), open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    return 0.0


def _loggers() -> dict[str, tuple]:
    loggers = {"": logging.getLogger()}
    loggers.update((name, item) for name, item in logging.Logger.manager.loggerDict.items()
                   if isinstance(item, logging.Logger))
    return {name: (item, item.level, list(item.handlers), item.propagate, item.disabled)
            for name, item in loggers.items()}


def _pandas_options() -> dict[str, Any]:
    """Every pandas option and its value (walking the public ``pandas.options``)."""
    if "pandas" not in sys.modules:
        return {}
    import pandas as pd  # lazy: only once a report loaded pandas (importing it would change the kernel)

    values: dict[str, Any] = {}

    def walk(node: Any, prefix: str) -> None:
        for name in dir(node):
            with contextlib.suppress(Exception):
                value = getattr(node, name)
                if type(value).__name__ == "DictWrapper":
                    walk(value, f"{prefix}{name}.")
                else:
                    values[f"{prefix}{name}"] = value

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        walk(pd.options, "")
    return values


def _libraries() -> dict[str, Any]:
    """Library defaults a report may change (only of libraries already imported)."""
    found: dict[str, Any] = {"pandas": _pandas_options()}
    if "plotly.io" in sys.modules:
        pio = sys.modules["plotly.io"]
        found["plotly"] = (pio.templates.default, pio.renderers.default)
    if "numpy" in sys.modules:
        np = sys.modules["numpy"]
        found["numpy"] = (np.random.get_state(), np.geterr(), np.get_printoptions())
    if "matplotlib" in sys.modules:
        found["matplotlib"] = dict(sys.modules["matplotlib"].rcParams)
    return found


def _ipython(shell: Any) -> dict[str, Any]:
    if shell is None:
        return {}
    formatters = shell.display_formatter.formatters
    return {
        "events": {name: list(callbacks) for name, callbacks in shell.events.callbacks.items()},
        "formatters": {key: (dict(f.type_printers), dict(f.deferred_printers), f.enabled)
                       for key, f in formatters.items()},
        "active_types": list(shell.display_formatter.active_types),
        "ast_transformers": list(shell.ast_transformers),
        "input_transformers_post": list(shell.input_transformers_post),
        "compiler_flags": shell.compile.flags,  # ``from __future__`` imports of earlier cells
    }


def _signals() -> dict[int, Any]:
    handlers = {}
    for signum in signal.valid_signals():
        with contextlib.suppress(ValueError, OSError):
            handler = signal.getsignal(signum)
            if handler is not None:  # None: set outside Python, cannot be put back from here
                handlers[signum] = handler
    return handlers


def _umask() -> int:
    value = os.umask(0o022)
    os.umask(value)
    return value


def prepare(imports: list[str] | None = None) -> None:
    """Import ``imports`` (modules earlier reports needed), warm up, take the snapshot.

    Called once per kernel, before its first report. Names that cannot be imported are skipped.
    """
    global _state
    for name in _importable(list(imports or [])):
        with contextlib.suppress(Exception):
            __import__(name)
    shell = _shell()
    if shell is not None:  # what the kernel loads lazily, loaded before the snapshot, not in a report:
        shell.reset(new_session=True)  # what a reset imports
    with contextlib.suppress(Exception):  # the thread of zmq's zero-copy sends (large outputs)
        if not zmq_gc.is_alive():
            zmq_gc.start()
    _state = {
        "modules": {name: (module, dict(vars(module))) for name, module in list(sys.modules.items())
                    if name not in _OWN and module is not None and hasattr(module, "__dict__")},
        "environ": dict(os.environ),
        "sys": {"path": list(sys.path), "meta_path": list(sys.meta_path),
                "path_hooks": list(sys.path_hooks), "argv": list(sys.argv),
                "recursionlimit": sys.getrecursionlimit()},
        "warnings": list(warnings.filters),
        "signals": _signals(),
        "umask": _umask(),
        "locale": locale.setlocale(locale.LC_ALL),
        "loggers": _loggers(),
        "logging_disabled": __import__("logging").root.manager.disable,
        "libraries": _libraries(),
        "ipython": _ipython(shell),
        "threads": _threads(),
        "fds": _fds(),
        "ports": _kernel_ports(),
        "rss": _rss_mb(),
    }
    gc.collect()
    gc.freeze()  # the kernel's own objects are never traversed again: a collection after a report
    # (IPython's reset does one) only looks at what the report made


def begin(cwd: str) -> None:
    """Before a report: work in ``cwd``."""
    os.chdir(cwd)


def _put_back_modules(saved: dict[str, tuple]) -> None:
    """Put back every module's globals (and the modules a report removed from ``sys.modules``)."""
    for name, (module, names) in saved.items():
        if sys.modules.get(name) is not module:
            sys.modules[name] = module  # removed or replaced by the report
        current = vars(module)
        if current.keys() == names.keys() and all(map(operator.is_, current.values(), names.values())):
            continue  # untouched (the common case, checked at C speed)
        for key in [k for k in current if k not in names]:
            del current[key]
        for key, value in names.items():
            if not _same(current.get(key, _MISSING), value):
                current[key] = value


def _put_back_process(state: dict[str, Any]) -> None:
    if dict(os.environ) != state["environ"]:
        tz = os.environ.get("TZ")
        os.environ.clear()
        os.environ.update(state["environ"])
        if os.environ.get("TZ") != tz and hasattr(time, "tzset"):
            time.tzset()
    sys.path[:] = state["sys"]["path"]
    sys.meta_path[:] = state["sys"]["meta_path"]
    sys.path_hooks[:] = state["sys"]["path_hooks"]
    sys.argv[:] = state["sys"]["argv"]
    sys.setrecursionlimit(state["sys"]["recursionlimit"])
    if warnings.filters != state["warnings"]:
        warnings.resetwarnings()  # tells the warnings machinery that the filters changed
        warnings.filters[:] = state["warnings"]
    random.seed()  # as a fork does (a new kernel draws other numbers than the warm server)
    for signum, handler in state["signals"].items():
        with contextlib.suppress(ValueError, OSError, TypeError):
            if signal.getsignal(signum) is not handler:
                signal.signal(signum, handler)
    os.umask(state["umask"])
    with contextlib.suppress(locale.Error):
        if locale.setlocale(locale.LC_ALL) != state["locale"]:
            locale.setlocale(locale.LC_ALL, state["locale"])
    for logger, level, handlers, propagate, disabled in state["loggers"].values():
        logger.setLevel(level)
        logger.handlers[:] = handlers
        logger.propagate, logger.disabled = propagate, disabled
    logging.disable(state["logging_disabled"])


def _put_back_libraries(saved: dict[str, Any]) -> None:
    if saved.get("pandas"):
        import pandas as pd  # lazy: saved only when a report had loaded it

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for key, value in _pandas_options().items():
                if key in saved["pandas"] and not _equal(value, saved["pandas"][key]):
                    with contextlib.suppress(Exception):
                        pd.set_option(key, saved["pandas"][key])
    if "plotly" in saved:
        pio = sys.modules["plotly.io"]
        template, renderer = saved["plotly"]
        if pio.templates.default != template:  # setting it validates the template: only when changed
            pio.templates.default = template
        if pio.renderers.default != renderer:
            pio.renderers.default = renderer
    if "numpy" in saved:
        np = sys.modules["numpy"]
        state, errors, printing = saved["numpy"]
        np.random.set_state(state)
        np.seterr(**errors)
        np.set_printoptions(**printing)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if "matplotlib" in saved:
        params = sys.modules["matplotlib"].rcParams
        changed = {k: v for k, v in saved["matplotlib"].items() if not _equal(params.get(k), v)}
        if changed:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                params.update(changed)


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # arrays and the like: compared by identity
        return a is b


def _put_back_ipython(shell: Any, saved: dict[str, Any]) -> None:
    if shell is None or not saved:
        return
    shell.reset(new_session=True)  # namespace, In/Out, "_" names, execution count back to 1
    for name, callbacks in saved["events"].items():
        shell.events.callbacks[name][:] = callbacks
    for key, formatter in shell.display_formatter.formatters.items():
        if key in saved["formatters"]:
            printers, deferred, enabled = saved["formatters"][key]
            formatter.type_printers.clear()
            formatter.type_printers.update(printers)
            formatter.deferred_printers.clear()
            formatter.deferred_printers.update(deferred)
            formatter.enabled = enabled
    shell.display_formatter.active_types = list(saved["active_types"])
    shell.ast_transformers[:] = saved["ast_transformers"]
    shell.input_transformers_post[:] = saved["input_transformers_post"]
    shell.compile.flags = saved["compiler_flags"]


def reset() -> str:
    """After a report: put everything back, then check; return (and keep) the JSON verdict.

    The verdict is ``{"fit": bool, "reasons": [...], "new_modules": [...]}``.
    """
    global _verdict
    if _state is None:
        _verdict = json.dumps({"fit": False, "reasons": ["no snapshot"], "new_modules": []})
        return _verdict
    state = _state
    _put_back_ipython(_shell(), state["ipython"])
    _put_back_modules(state["modules"])  # first: the libraries' own functions, as they were
    _put_back_process(state)
    _put_back_libraries(state["libraries"])
    new_modules = [name for name in sys.modules if name not in state["modules"] and name not in _OWN]
    reasons = []
    if new_modules:
        reasons.append(f"modules loaded: {', '.join(sorted(new_modules)[:10])}"
                       + (f" (+{len(new_modules) - 10})" if len(new_modules) > 10 else ""))
    fds, threads = _fds(), _threads()
    if set(fds) - set(state["fds"]) or threads - state["threads"]:
        gc.collect()  # objects of the report in reference cycles still hold files or threads
        fds, threads = _fds(), _threads()
    opened = sorted(target for fd, target in fds.items() if state["fds"].get(fd) != target)
    if any(target.startswith("socket:") for target in opened):
        channels = _channel_sockets(state["ports"])
        opened = [target for target in opened if target not in channels]
    if opened:
        reasons.append(f"open files: {', '.join(opened[:5])}")
    running = [t.name for t in threading.enumerate() if t.ident in threads - state["threads"]]
    if running:
        reasons.append(f"threads running: {', '.join(running[:5])}")
    children = _children()
    if children:
        reasons.append(f"child processes running: {', '.join(map(str, children[:5]))}")
    grown = _rss_mb() - state["rss"]
    if grown > MEMORY_LIMIT_MB:
        reasons.append(f"memory grew by {grown:.0f} MB")
    _verdict = json.dumps({"fit": not reasons, "reasons": reasons, "new_modules": sorted(new_modules)})
    return _verdict


def verdict() -> str:
    """The verdict of the last :func:`reset` (read by the engine through ``user_expressions``)."""
    return _verdict
