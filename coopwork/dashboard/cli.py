"""Command-line handlers of ``coopwork serve`` and ``coopwork journal`` (options in :mod:`coopwork.cli`)."""

from __future__ import annotations

import argparse
import sys

from ..i18n import t
from ..progress import say

__all__ = ["main", "journal_main"]


def main(args: argparse.Namespace) -> int:
    """``coopwork serve``: prepare the dashboards, start Voilà, print one URL per dashboard."""
    import threading

    from .serve import is_loopback, prepare, start, stop, wait_until_listening, wait_until_ready

    lang = getattr(args, "lang", "fr")
    plan = prepare(args.workspace, host=args.host, port=args.port, token=args.token,
                   territory=args.territory, expect=args.expect, lang=lang,
                   min_count=getattr(args, "min_count", 3), database=getattr(args, "database", None))
    workshop = bool(plan.territory and plan.expect)
    # workshop mode: the server's log goes to a file that is copied to stderr, so that the links are
    # printed only once every preheated page has finished running
    log = plan.folder / "voila.log" if workshop else None
    if log is not None:
        log.write_text("", encoding="utf-8")
    process = start(plan, log=log)
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


def journal_main(args: argparse.Namespace) -> int:
    """``coopwork journal list|hide|restore|export``: moderation and export for the researcher."""
    from .journal import Journal

    journal = Journal(args.database, workspace=args.workspace)
    action = args.journal_command
    if action == "list":
        notes = journal.notes(territory=args.territory, include_hidden=args.all)
        for note in notes.to_dict("records"):
            flag = f" [{t('dashboard.hidden_flag', 'fr')}]" if note["hidden"] else ""
            who = f" — {note['display_name']}" if note["display_name"] else ""
            text = " ".join(note["text"].split())
            print(f"{note['id']}\t{note['created_at']:%Y-%m-%d %H:%M}\t{note['territory']}\t{note['wave']}\t"
                  f"{note['chart']}\t{note['kind']}\t{text}{who}{flag}")
        return 0
    if action in ("hide", "restore"):
        getattr(journal, action)(args.note_id)
        say(t(f"dashboard.note_{'hidden' if action == 'hide' else 'restored'}", "fr", id=args.note_id))
        return 0
    writer = journal.to_csv if args.format == "csv" else journal.to_markdown
    text = writer(args.output, territory=args.territory)
    if args.output:
        say(t("dashboard.export_written", "fr", path=args.output))
    else:
        sys.stdout.write(text)
    return 0
