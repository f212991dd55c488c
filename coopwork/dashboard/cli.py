"""Command-line handlers of ``coopwork serve`` and ``coopwork journal`` (options in :mod:`coopwork.cli`)."""

from __future__ import annotations

import argparse
import sys

from ..i18n import t
from ..progress import say

__all__ = ["main", "journal_main"]


def main(args: argparse.Namespace) -> int:
    """``coopwork serve``: prepare the dashboards, start Voilà, print one URL per dashboard."""
    from .serve import is_loopback, prepare, start, stop, wait_until_listening

    lang = getattr(args, "lang", "fr")
    plan = prepare(args.workspace, host=args.host, port=args.port, token=args.token,
                   territory=args.territory, expect=args.expect, lang=lang,
                   min_count=getattr(args, "min_count", 3), database=getattr(args, "database", None))
    process = start(plan)
    try:
        wait_until_listening(plan.host, plan.port, process=process)
        say(t("dashboard.serve_urls", lang))
        for name, url in plan.urls.items():
            print(f"{name}\t{url}", flush=True)
        if plan.territory and plan.expect:
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
