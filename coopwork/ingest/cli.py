"""``coopwork ingest FILE --survey XLSFORM --wave WAVE``: the command-line face of :func:`ingest_file`.

Contract (``DESIGN.md``): exit 0 when the file was ingested, even with quarantined rows; a file
that cannot be read or does not match the survey raises :class:`~coopwork.errors.IngestError`,
which ``coopwork.cli`` prints as one message (exit 2, nothing written). With ``--json``, stdout
holds exactly one JSON object (:meth:`IngestResult.to_dict`); the human summary, in French and
English, always goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..i18n import command_lang, t
from ..progress import say
from ..survey.roles import role_lines, roles_from_options
from .pipeline import ingest_file

__all__ = ["main", "role_summary", "summary_lines"]


def summary_lines(result: dict, *, file: str, lang: str) -> list[str]:
    """The human summary of an ingest in ``lang`` (one sentence per line).

    Examples
    --------
    >>> result = {"rows_read": 3, "accepted": 2, "quarantined": 1, "duplicates": 0, "relations": 4,
    ...           "wave": "2025", "issues": 0, "issues_file": "x.csv", "already_ingested": False,
    ...           "processed_dir": "data/processed/s"}
    >>> summary_lines(result, file="export.csv", lang="en")[0]
    'export.csv: 3 rows read, 2 accepted, 1 quarantined, 0 duplicates, 4 ties; wave 2025.'
    """
    notes = [t("ingest_readers.language_dropped", lang, language=code, count=len(cells),
               cells="; ".join(cells)) for code, cells in (result.get("dropped_languages") or {}).items()]
    if result.get("already_ingested"):
        return [*notes, t("ingest.already", lang, file=file)]
    if result["duplicates"] == result["rows_read"] and not result.get("absent"):
        return [*notes, t("ingest.nothing_new", lang, file=file, rows_read=result["rows_read"],
                          wave=result["wave"])]
    lines = [*notes, t("ingest.summary", lang, file=file, **{k: result[k] for k in (
        "rows_read", "accepted", "quarantined", "duplicates", "relations", "wave")})]
    for name, rows in (result.get("repeat_rows") or {}).items():
        lines.append(t("ingest_readers.repeat_summary", lang, repeat=name, **rows))
    if result.get("missing_repeats"):
        lines.append(t("ingest_readers.repeats_missing", lang, repeats=", ".join(result["missing_repeats"])))
    if result.get("updated"):
        lines.append(t("ingest.summary_updated", lang, updated=result["updated"]))
    if result.get("absent"):
        lines.append(t("ingest.summary_absent", lang, absent=result["absent"]))
    if result["issues"]:
        lines.append(t("ingest.issues", lang, issues=result["issues"], issues_file=result["issues_file"]))
    else:
        lines.append(t("ingest.no_issue", lang))
    if result["quarantined"]:
        lines.append(t("ingest.quarantine_hint", lang))
    lines.append(t("ingest.stored", lang, folder=result["processed_dir"]))
    return lines


def role_summary(result: dict, *, form: str | Path, lang: str) -> list[str]:
    """Lines saying which roles and identifiers were inferred (none when the form declares them all).

    Examples
    --------
    >>> role_summary({"roles": {"role:territory": "zone|form"}, "content_identifiers": {}},
    ...              form="f.xlsx", lang="en")
    []
    """
    lines = role_lines(result.get("roles") or {}, form=form, lang=lang)
    for name, kind in (result.get("content_identifiers") or {}).items():
        lines.append(t("ingest_readers.content_identifier", lang, name=name,
                       kind=t(f"ingest_readers.kind_{kind}", lang)))
    return lines


def main(args: argparse.Namespace) -> int:
    """Run ``coopwork ingest``; return the exit code (errors propagate to ``coopwork.cli``)."""
    roles = roles_from_options(getattr(args, "territory_question", None), getattr(args, "role", None) or ())
    result = ingest_file(args.file, survey=args.survey, wave=args.wave,
                         territory=getattr(args, "territory", None),
                         fmt=getattr(args, "format", "auto") or "auto",
                         mapping=getattr(args, "mapping", None),
                         workspace=getattr(args, "workspace", ".") or ".",
                         roles=roles, identifiers=getattr(args, "identifier", None) or (),
                         partial=bool(getattr(args, "partial_read", False))).to_dict()
    name = Path(args.file).name
    lang = command_lang(args)
    say("\n".join([*role_summary(result, form=args.survey, lang=lang),
                   *summary_lines(result, file=name, lang=lang)]))
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0

