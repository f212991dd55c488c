"""Command-line handler of ``coopwork serve`` (options in :mod:`coopwork.cli`)."""

from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
import time
import webbrowser

from ..i18n import command_lang, t
from ..progress import say
from ..threshold import DEFAULT_MIN_COUNT
from .join import join_plan, terminal_qr
from .serve import (
    is_loopback,
    prepare,
    private_file,
    start,
    start_views,
    stop,
    wait_until_listening,
    wait_until_ready,
)

__all__ = ["ROUTINE", "main", "problems"]


def main(args: argparse.Namespace) -> int:
    """``coopwork serve``: prepare the dashboards, start Voilà, print one URL per dashboard at once.

    The terminal then shows the warm-up of a workshop's pool on one line and "ready: N pages warm",
    and afterwards only what goes wrong: the server's whole log is in ``voila.log`` next to the
    notebooks, the previous run's in ``voila.1.log`` (:func:`problems` picks what is worth the
    facilitator's eyes).
    """
    lang = command_lang(args)
    plan = prepare(args.workspace, host=args.host, port=args.port, token=args.token,
                   territory=args.territory, expect=args.expect, lang=lang,
                   min_count=getattr(args, "min_count", DEFAULT_MIN_COUNT),
                   database=getattr(args, "database", None))
    workshop = bool(plan.territory and plan.expect)
    log = plan.folder / "voila.log"
    if log.is_file():  # the previous run's log is kept beside (a restart in a workshop: what happened before)
        log.replace(log.with_name("voila.1.log"))
    private_file(log).write_text("", encoding="utf-8")
    process = start(plan, log=log)
    views = None
    _stop_on_signals(lang)
    try:
        wait_until_listening(plan.host, plan.port, process=process)
        threading.Thread(target=_follow, args=(log, process), daemon=True).start()
        say(t("dashboard.serve_urls", lang))
        for name, url in plan.urls.items():
            print(f"{name}\t{url}", flush=True)
        if not is_loopback(plan.host):  # a room: the participants' link as a QR code, and a page to project
            url, page = join_plan(plan, lang=lang)
            say(t("dashboard.serve_join", lang, url=page))
            print(terminal_qr(url), flush=True)
        if workshop:
            say(t("dashboard.serve_workshop", lang, n=plan.expect, territory=plan.territory))
        if plan.token:
            say(t("dashboard.serve_token", lang))
        say(t("dashboard.serve_stop", lang))
        if not args.no_browser and is_loopback(plan.host):
            webbrowser.open(next(iter(plan.urls.values())))
        if workshop:  # people may come in already: a page being prepared says so, then draws by itself
            _show_warm_up(plan, log, process, lang)
            views = start_views(plan, log=log)
        return _wait_interruptibly(process)
    except KeyboardInterrupt:
        return 0
    finally:
        if views is not None:
            stop(views, timeout=5)
        stop(process)


def _wait_interruptibly(process) -> int:
    """Wait for the server to end, waking often: Ctrl+C must stop it even when the signal lands on
    another thread of this process (the log follower). ``process.wait()`` blocks the main thread in
    the system until the server ends, and the signal's handler, which runs in the main thread, would
    wait with it (seen in every full test run: Ctrl+C ignored for over a minute)."""
    while (code := process.poll()) is None:
        time.sleep(0.2)
    return code


def _show_warm_up(plan, log, process, lang: str) -> None:
    """One line that counts the preheated pages ready (rewritten in place on a terminal), then "ready"."""
    terminal = sys.stderr.isatty()
    shown = [None]

    def show(ready: int, size: int) -> None:
        if terminal and (ready, size) != shown[0]:
            sys.stderr.write("\r\x1b[K" + t("dashboard.serve_warming", lang, ready=ready, size=size))
            sys.stderr.flush()
            shown[0] = (ready, size)

    ready = wait_until_ready(plan, log, process=process, on_progress=show)
    if terminal:
        sys.stderr.write("\r\x1b[K")
    say(t("dashboard.serve_warm", lang, n=ready))


def _stop_on_signals(lang: str) -> None:
    """Make Ctrl+C, SIGTERM and SIGHUP stop the server: Voilà and its kernels are shut down.

    Without this, ``kill`` (or closing the terminal) ends this process only, and Voilà keeps
    running with its kernels and the port; and a server started in the background by a script
    inherits SIGINT ignored, so ``kill -INT`` did nothing. The handler raises ``KeyboardInterrupt``
    in the main thread, so the ``finally`` of :func:`main` stops the server; further signals are
    ignored while it does.
    """
    # no SIGHUP on Windows
    stopping = [getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)]

    def handler(signum, _frame) -> None:
        for other in stopping:
            signal.signal(other, signal.SIG_IGN)
        say(t("dashboard.serve_stopping", lang, signal=signal.Signals(signum).name))
        raise KeyboardInterrupt

    for signum in stopping:
        signal.signal(signum, handler)


def _follow(log, process) -> None:
    """Copy to stderr what goes wrong in the server's log (:func:`problems`) while the server runs."""
    for line in _shown(_lines(log, process)):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def _lines(log, process):
    """The lines of the server's log as it writes them, until the server has stopped."""
    with open(log, encoding="utf-8", errors="replace") as handle:
        while process.poll() is None:
            line = handle.readline()
            if not line:
                time.sleep(0.5)
                continue
            yield line.rstrip("\n")


#: warnings that are a workshop server's routine (pages come and go, idle kernels are culled; after a restart
#: the pages' login cookies are from the previous server, and they log in again with their link's token)
ROUTINE = ("Culling '", "Kernel does not exist", "Replaying ", "Restoring connection for",
           "Got events for closed stream", "Clearing invalid/expired login cookie")
#: the last line of what asyncio reports when the server wrote to a page that had just gone (a phone that
#: fell asleep, a tab closed or reloaded): routine too
CLOSED = ("WebSocketClosedError", "StreamClosedError")
_LEVELS = (" WARNING | ", " ERROR | ", " CRITICAL | ")
_UNRETRIEVED = "Task exception was never retrieved"  # asyncio's report of a task that failed unheard


def _record(line: str) -> bool:
    """Whether ``line`` starts an entry of the log (not the continuation of a traceback)."""
    return (line.startswith(("[", _UNRETRIEVED, "coopwork dashboard error")) or line.startswith(ROUTINE)
            or re.match(r"\d{3} (?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) ", line) is not None)


def _problem(line: str, after_problem: bool) -> tuple[bool, bool]:
    """(show this line?, is the next one a continuation of a problem?) for one line of the log."""
    if line.startswith("["):  # a line of the server's own log: "[WorkshopVoila] LEVEL | message"
        shown = any(level in line for level in _LEVELS) and not any(text in line for text in ROUTINE)
        return shown, shown
    access = re.match(r"(\d{3}) (?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) ", line)
    if access:  # tornado's access log: only the server's own failures
        return access.group(1).startswith("5"), False
    if line.startswith(ROUTINE):
        return False, False
    if line.startswith(("coopwork dashboard error", "Traceback (most recent call last)", _UNRETRIEVED)):
        return True, True
    return after_problem, after_problem  # a traceback or message continued, or a kernel's chatter


def _shown(lines):
    """The lines worth the facilitator's eyes, in order. asyncio's report of an unheard task failure is
    held until its end: dropped when it ends in a closed page connection (:data:`CLOSED`)."""
    after_problem = False
    held: list[str] = []
    for line in lines:
        if held and not _record(line):
            held.append(line)
            continue
        if held:
            last = next((h for h in reversed(held) if h.strip()), "")
            if not any(closed in last for closed in CLOSED):
                yield from held
            held, after_problem = [], False
        if line.startswith(_UNRETRIEVED):
            held = [line]
            continue
        keep, after_problem = _problem(line, after_problem)
        if keep:
            yield line
    last = next((h for h in reversed(held) if h.strip()), "")
    if held and not any(closed in last for closed in CLOSED):
        yield from held


def problems(text: str) -> list[str]:
    """The lines of a server log that ``coopwork serve`` copies to the terminal.

    Examples
    --------
    >>> log = '''[WorkshopVoila] Kernel started: 8bab
    ... [WorkshopVoila] WARNING | Culling 'idle' kernel 'python3' (8bab) with 0 connections
    ... 404 GET /api/kernels/8bab (127.0.0.1): Kernel does not exist: 8bab
    ... Task exception was never retrieved
    ... Traceback (most recent call last):
    ... tornado.websocket.WebSocketClosedError
    ... Got events for closed stream <zmq.eventloop.zmqstream.ZMQStream object at 0x7f99>
    ... [WorkshopVoila] ERROR | Uncaught exception GET /voila/render/t01.ipynb
    ...     Traceback (most recent call last):
    ...     OSError: disk full
    ... 500 GET /voila/render/t01.ipynb (127.0.0.1) 12.00ms
    ... [WorkshopVoila] coopwork: 3 of 20 preheated pages ready for t01.ipynb'''
    >>> for line in problems(log):
    ...     print(line[:44])
    [WorkshopVoila] ERROR | Uncaught exception G
        Traceback (most recent call last):
        OSError: disk full
    500 GET /voila/render/t01.ipynb (127.0.0.1)
    """
    return list(_shown(text.splitlines()))
