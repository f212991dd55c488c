"""``coopwork export``: the command-line shell over :func:`coopwork.export.export_all`.

``coopwork export (--territory T … | --all) [--wave W] [--lang fr|en] [--min-count K]
[--workspace DIR] [--json]`` writes the static site, workbooks, placemats, network files
and notes into ``<workspace>/data/exports/<survey_id>/``. ``coopwork export --data [--format
sav|dta|csv] [--wave W] [--territory T …] [--lang L]`` writes the pseudonymised answers of a wave
instead (:mod:`coopwork.export.data`, into ``…/data/<wave>/``). With ``--json`` exactly one JSON
object is printed on stdout (``site``, ``index``, ``territories``, ``files``, ``placemats``,
``warnings``); progress and messages go to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..errors import ExportError
from ..i18n import command_lang, t
from ..progress import say

__all__ = ["main"]


def main(args: argparse.Namespace) -> int:
    """Run ``coopwork export``; return the exit code (errors propagate as CoopworkError)."""
    from . import export_all

    lang = command_lang(args)
    territories = None if getattr(args, "all", False) else (args.territory or None)
    if getattr(args, "data", False):
        return _data(args, territories, lang)
    if territories is None and not getattr(args, "all", False):
        raise ExportError("export.needs_target", lang=lang)
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


def _data(args: argparse.Namespace, territories: list[str] | None, lang: str) -> int:
    """``coopwork export --data``: the pseudonymised answers of a wave (:mod:`.data`)."""
    from ..workspace import open_workspace
    from .data import write_data

    written = write_data(open_workspace(args.workspace), wave=args.wave, territories=territories,
                         fmt=args.format, lang=lang)
    if args.json:
        print(json.dumps(written.as_dict(), ensure_ascii=False))
    else:
        print(t("export.data_done", lang, folder=written.folder,
                files=", ".join(p.name for p in written.files)))
        for cut in written.labels_cut:  # a format's limit shortened a label: say which, never silently
            key = "export.data_label_cut" if cut["value"] is None else "export.data_value_label_cut"
            print(t(key, lang, file=cut["file"], variable=cut["variable"], value=cut["value"],
                    limit=cut["limit"], label=cut["label"]), file=sys.stderr)
    sys.stdout.flush()
    return 0
