"""Command-line handlers of ``coopwork serve`` and ``coopwork journal`` (options in :mod:`coopwork.cli`)."""

from __future__ import annotations

import argparse
import signal
import sys

from ..i18n import command_lang, t
from ..progress import say
from ..threshold import DEFAULT_MIN_COUNT

__all__ = ["main", "journal_main"]


def main(args: argparse.Namespace) -> int:
    """``coopwork serve``: prepare the dashboards, start Voilà, print one URL per dashboard."""
    import threading

    from .serve import is_loopback, prepare, private_file, start, stop, wait_until_listening, wait_until_ready

    lang = command_lang(args)
    plan = prepare(args.workspace, host=args.host, port=args.port, token=args.token,
                   territory=args.territory, expect=args.expect, lang=lang,
                   min_count=getattr(args, "min_count", DEFAULT_MIN_COUNT),
                   database=getattr(args, "database", None))
    workshop = bool(plan.territory and plan.expect)
    # workshop mode: the server's log goes to a file that is copied to stderr, so that the links are
    # printed only once every preheated page has finished running
    log = plan.folder / "voila.log" if workshop else None
    if log is not None:
        private_file(log).write_text("", encoding="utf-8")
    process = start(plan, log=log)
    _stop_on_signals(lang)
    try:
        wait_until_listening(plan.host, plan.port, process=process)
        if log is not None:
            wait_until_ready(plan, log, process=process, echo=True)
            threading.Thread(target=_follow, args=(log, process), daemon=True).start()
        say(t("dashboard.serve_urls", lang))
        for name, url in plan.urls.items():
            print(f"{name}\t{url}", flush=True)
        if not is_loopback(plan.host):  # a room: the participants' link as a QR code, and a page to project
            from .join import join_plan, terminal_qr

            url, page = join_plan(plan, lang=lang)
            say(t("dashboard.serve_join", lang, url=page))
            print(terminal_qr(url), flush=True)
        if workshop:
            say(t("dashboard.serve_workshop", lang, n=plan.expect, territory=plan.territory))
        if plan.token:
            say(t("dashboard.serve_token", lang))
        say(t("dashboard.serve_stop", lang))
        if not args.no_browser and is_loopback(plan.host):
            import webbrowser

            webbrowser.open(next(iter(plan.urls.values())))
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop(process)


def _stop_on_signals(lang: str) -> None:
    """Make SIGTERM and SIGHUP stop the server like Ctrl+C does: Voilà and its kernels are shut down.

    Without this, ``kill`` (or closing the terminal) ends this process only, and Voilà keeps
    running with its kernels and the port. The handler raises ``KeyboardInterrupt`` in the main
    thread, so the ``finally`` of :func:`main` stops the server; further signals are ignored
    while it does.
    """
    # no SIGHUP on Windows
    stopping = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]

    def handler(signum, _frame) -> None:
        for other in (*stopping, signal.SIGINT):
            signal.signal(other, signal.SIG_IGN)
        say(t("dashboard.serve_stopping", lang, signal=signal.Signals(signum).name))
        raise KeyboardInterrupt

    for signum in stopping:
        signal.signal(signum, handler)


def _follow(log, process) -> None:
    """Copy the end of the server's log to stderr while the server runs."""
    import time

    with open(log, encoding="utf-8", errors="replace") as handle:
        handle.seek(0, 2)
        while process.poll() is None:
            line = handle.readline()
            if line:
                sys.stderr.write(line)
            else:
                time.sleep(0.5)


def _line(value: object) -> str:
    """One terminal-safe line: notes stored by an older coopwork were not cleaned on the way in."""
    from .journal import clean_text

    return " ".join(clean_text(str(value), multiline=False).split())


def journal_main(args: argparse.Namespace) -> int:
    """``coopwork journal list|hide|restore|export``: moderation and export for the researcher."""
    from .journal import Journal

    journal = Journal(args.database, workspace=args.workspace)
    action = args.journal_command
    if action == "list":
        notes = journal.notes(territory=args.territory, include_hidden=args.all)
        for note in notes.to_dict("records"):
            flag = f" [{t('dashboard.hidden_flag', 'fr')}]" if note["hidden"] else ""
            who = f" — {_line(note['display_name'])}" if note["display_name"] else ""
            print(f"{note['id']}\t{note['created_at']:%Y-%m-%d %H:%M}\t{_line(note['territory'])}\t"
                  f"{_line(note['wave'])}\t{_line(note['chart'])}\t{note['kind']}\t{_line(note['text'])}{who}{flag}")
        return 0
    if action in ("hide", "restore"):
        getattr(journal, action)(*args.note_ids)
        for note_id in args.note_ids:
            say(t(f"dashboard.note_{'hidden' if action == 'hide' else 'restored'}", "fr", id=note_id))
        return 0
    writer = journal.to_csv if args.format == "csv" else journal.to_markdown
    text = writer(args.output, territory=args.territory)
    if args.output:
        say(t("dashboard.export_written", "fr", path=args.output))
    else:  # a CSV sent to stdout is usually redirected to a file a spreadsheet opens: same mark
        sys.stdout.write(("\ufeff" if args.format == "csv" else "") + text)
    return 0
