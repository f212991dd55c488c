"""Command-line handler of ``coopwork journal`` (options in :mod:`coopwork.cli`): moderation and
export of the journal of interpretations, for the researcher, in the command's language.

Examples
--------
>>> import argparse, tempfile
>>> folder = tempfile.mkdtemp()
>>> _ = Journal(workspace=folder).add("s", territory="t01", wave="w1", chart="trust", kind="see", text="ok")
>>> args = argparse.Namespace(database=None, workspace=folder, journal_command="list", territory=None,
...                           all=False, lang="en")
>>> main(args)  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
1 ... t01 w1 trust see ok
0
"""

from __future__ import annotations

import argparse
import sys

from ..i18n import command_lang, t
from ..progress import say
from .store import Journal, clean_text

__all__ = ["main"]


def main(args: argparse.Namespace) -> int:
    """``coopwork journal list|hide|restore|export``; messages and Markdown in ``--lang``."""
    lang = command_lang(args)
    journal = Journal(args.database, workspace=args.workspace)
    action = args.journal_command
    if action == "list":
        hidden = t("dashboard.hidden_flag", lang)
        for note in journal.notes(territory=args.territory, include_hidden=args.all).to_dict("records"):
            flag = f" [{hidden}]" if note["hidden"] else ""
            who = f" — {_line(note['display_name'])}" if note["display_name"] else ""
            print(f"{note['id']}\t{note['created_at']:%Y-%m-%d %H:%M}\t{_line(note['territory'])}\t"
                  f"{_line(note['wave'])}\t{_line(note['chart'])}\t{note['kind']}\t{_line(note['text'])}{who}{flag}")
        return 0
    if action in ("hide", "restore"):
        getattr(journal, action)(*args.note_ids)
        for note_id in args.note_ids:
            say(t(f"dashboard.note_{'hidden' if action == 'hide' else 'restored'}", lang, id=note_id))
        return 0
    if args.format == "csv":
        text = journal.to_csv(args.output, territory=args.territory)
    else:
        text = journal.to_markdown(args.output, lang=lang, territory=args.territory)
    if args.output:
        say(t("dashboard.export_written", lang, path=args.output))
    else:  # a CSV sent to stdout is usually redirected to a file a spreadsheet opens: same mark
        sys.stdout.write(("\ufeff" if args.format == "csv" else "") + text)
    return 0


def _line(value: object) -> str:
    """One terminal-safe line: notes stored by an older coopwork were not cleaned on the way in."""
    return " ".join(clean_text(str(value), multiline=False).split())
