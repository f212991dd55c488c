"""``coopwork export``: the command-line shell over :func:`coopwork.export.export_all`.

``coopwork export (--territory T … | --all) [--wave W] [--lang fr|en] [--min-count K]
[--workspace DIR] [--json]`` writes the static site, workbooks, placemats, network files
and notes into ``<workspace>/data/exports/<survey_id>/``. ``coopwork export --data [--format
sav|dta|csv] [--wave W] [--territory T …] [--lang L]`` writes the pseudonymised answers of a wave
instead (:mod:`coopwork.export.data`, into ``…/data/<wave>/``). With ``--json`` exactly one JSON
object is printed on stdout (``site``, ``index``, ``territories``, ``files``, ``placemats``,
``warnings``); progress and messages go to stderr.

This module is the shell (``docs/architecture.md``, layer table): it decides what runs before the
export. The batch reports in another language than the export's are run again in that language
(:func:`coopwork.batch.run_batch`) before :func:`~coopwork.export.export_all`, which only reads the
reports folder; a report that could not be run is a warning and is not published.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..batch import run_batch
from ..errors import CoopworkError, ExportError
from ..i18n import command_lang, t
from ..paths import ALL
from ..progress import say
from ..workspace import open_workspace
from .data import write_data
from .pipeline import export_all
from .reports import stale_reports

__all__ = ["main", "reports_in_language"]


def main(args: argparse.Namespace) -> int:
    """Run ``coopwork export``; return the exit code (errors propagate as CoopworkError)."""
    lang = command_lang(args)
    territories = None if getattr(args, "all", False) else (args.territory or None)
    if getattr(args, "data", False):
        return _data(args, territories, lang)
    if territories is None and not getattr(args, "all", False):
        raise ExportError("export.needs_target", lang=lang)
    rerun = reports_in_language(args.workspace, territories, lang=lang, wave=args.wave,
                                min_count=args.min_count)
    result = export_all(args.workspace, territories=territories, wave=args.wave, lang=lang,
                        min_count=args.min_count, paper=args.paper)
    result.warnings[:0] = rerun
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


def reports_in_language(workspace, territories: list[str] | None, *, lang: str, wave: str | None,
                        min_count: int) -> list[str]:
    """Run again, in ``lang``, the batch reports of ``territories`` (default: every territory; and the
    synthesis) that were run in another language; return the warnings of those that could not be
    (the export then leaves them out)."""
    ws = open_workspace(workspace)
    wanted = list(territories) if territories else (ws.territories or [ALL])
    warnings = []
    for stem, places in stale_reports(ws, wanted, lang=lang).items():
        named = [p for p in places if p]
        try:
            ran = run_batch(ws.root, territories=named or None, notebook=f"{stem}.ipynb", wave=wave,
                            lang=lang, min_count=min_count, show_progress=False)
        except CoopworkError as err:
            warnings.append(t("export.warn_report_language", lang, notebook=stem, error=err.render(lang)))
            continue
        for failure in ran.failed:
            warnings.append(t("export.warn_report_language", lang, notebook=stem,
                              error=f"{failure['territory']}: {failure.get('ename') or ''}"))
    return warnings
