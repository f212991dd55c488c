"""``coopwork export``: the command-line shell over :func:`coopwork.export.export_all`.

``coopwork export (--territory T … | --all) [--wave W] [--lang fr|en] [--min-count K]
[--workspace DIR] [--json]`` writes the static site, workbooks, placemats, network files
and notes into ``<workspace>/data/exports/<survey_id>/``. With ``--json`` exactly one JSON
object is printed on stdout (``site``, ``index``, ``territories``, ``files``, ``placemats``,
``warnings``); progress and messages go to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..i18n import t
from ..progress import say

__all__ = ["main"]


def main(args: argparse.Namespace) -> int:
    """Run ``coopwork export``; return the exit code (errors propagate as CoopworkError)."""
    from . import export_all

    lang = getattr(args, "lang", "fr") or "fr"
    territories = None if getattr(args, "all", False) else (args.territory or None)
    result = export_all(args.workspace, territories=territories, wave=args.wave, lang=lang,
                        min_count=args.min_count, paper=args.paper)
    for warning in result.warnings:
        say(t("export.cli_warning", lang, message=warning))
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        print(t("export.cli_done", lang, n=len(result.territories), files=len(result.files),
                site=result.site))
        print(t("export.cli_index", lang, index=result.index))
    sys.stdout.flush()
    return 0
