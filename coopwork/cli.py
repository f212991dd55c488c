"""The ``coopwork`` command: a thin argparse shell over the library.

Each subcommand's work lives in the library; this module only parses options,
calls ``<area>.cli.main(args)`` and turns a :class:`~coopwork.errors.CoopworkError`
into one clear message on stderr with exit code 2 (never a traceback). Set
``COOPWORK_DEBUG=1`` to see tracebacks of unexpected errors.

Subcommands (contracts in ``docs/architecture.md`` and the README):

- ``coopwork demo`` — write the sample survey and seeded synthetic data, ingest, run.
- ``coopwork ingest FILE --survey XLSFORM --wave WAVE`` — read, validate, pseudonymise, store.
- ``coopwork survey draft EXPORT`` — infer a draft XLSForm from an export.
- ``coopwork run`` — execute the notebooks for each territory (incremental, parallel).
- ``coopwork serve`` — start the Voilà dashboards.
- ``coopwork journal`` — moderate and export the journal of interpretations.
- ``coopwork export`` — static site, workbooks, placemats, network files; ``--data``: the
  pseudonymised answers for SPSS, Stata or R.
- ``coopwork check`` — re-verify the disclosure rules on every published file.
- ``coopwork codebook export|import`` — the free-text themes as a REFI-QDA codebook (``.qdc``).
- ``coopwork lab`` / ``coopwork new-notebook`` — the researcher's side.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from .errors import CoopworkError, disk_full
from .i18n import LANGS, command_lang, lang_choices, t, user_lang
from .threshold import DEFAULT_MIN_COUNT, min_count_option
from .version import __version__

__all__ = ["main", "build_parser", "command_parsers"]

# subcommand → "module:function" called with the parsed arguments, returning an exit code
_HANDLERS = {
    "demo": "coopwork.demo.cli:main",
    "ingest": "coopwork.ingest.cli:main",
    "survey": "coopwork.ingest.survey_cli:survey_main",
    "run": "coopwork.batch.cli:main",
    "serve": "coopwork.dashboard.cli:main",
    "journal": "coopwork.journal.cli:main",
    "export": "coopwork.export.cli:main",
    "check": "coopwork.export.check:main",
    "codebook": "coopwork.analysis.qdc:main",
    "lab": "coopwork.lab:lab_main",
    "new-notebook": "coopwork.lab:new_notebook_main",
}


_FORMATS = ["auto", "kobo", "odk", "limesurvey", "googleforms", "qualtrics", "surveycto", "surveymonkey",
            "csv", "xlsx"]


def _roles(p: argparse.ArgumentParser) -> None:
    p.add_argument("--territory-question", metavar="NAME",
                   help="the question holding the territory ('none': the export has none)")
    p.add_argument("--role", action="append", default=[], metavar="ROLE=NAME",
                   help="the question of a role (organisation, org_type, partner, name_consent, weight)")
    p.add_argument("--identifier", action="append", default=[], metavar="NAME",
                   help="a question to pseudonymise as a direct identifier (repeatable)")


def _workspace(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workspace", default=".", metavar="DIR",
                        help="workspace folder holding surveys/ and data/ (default: .)")


def _journal_place(parser: argparse.ArgumentParser, *, default: bool = False) -> None:
    """``--workspace`` and ``--database`` of ``coopwork journal``, accepted before or after the action.

    The action's copies default to "not given" (``SUPPRESS``) so they never undo a value given
    before the action.
    """
    unset = {} if default else {"default": argparse.SUPPRESS}
    parser.add_argument("--workspace", metavar="DIR", **({"default": "."} if default else unset),
                        help="workspace folder holding surveys/ and data/ (default: .)")
    parser.add_argument("--database", metavar="URL", **({"default": None} if default else unset),
                        help="database URL (default: sqlite in the workspace)")


def _lang_option(parser: argparse.ArgumentParser) -> None:
    """The one ``--lang`` option of every command (default: ``COOPWORK_LANG``, else French)."""
    parser.add_argument("--lang", type=lang_choices, metavar="LANG",
                        default=user_lang(),
                        help=f"language of messages, reports and dashboards: {', '.join(LANGS)} "
                             "(default: $COOPWORK_LANG, else fr)")


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help="print exactly one JSON object on stdout (messages go to stderr)")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (also used to document the CLI in the README)."""
    return _build()[0]


def command_parsers() -> dict[str, argparse.ArgumentParser]:
    """The parser of each command, or of each action of a command that has actions, by its words.

    Each of them takes the one ``--lang`` option.

    Examples
    --------
    >>> parsers = command_parsers()
    >>> "run" in parsers, "journal list" in parsers, "journal" in parsers
    (True, True, False)
    """
    return _build()[1]


def _build() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(
        prog="coopwork",
        description="Workbench for participatory action research on territorial cooperation. "
                    "Atelier pour la recherche-action sur les coopérations territoriales.")
    parser.add_argument("--version", action="version", version=f"coopwork {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    actions: dict[argparse.ArgumentParser, argparse.Action] = {}  # commands that have actions

    p = sub.add_parser("demo", help="generate the sample workspace, ingest it and run the reports")
    _workspace(p)
    p.add_argument("--territories", type=int, default=6, metavar="N",
                   help="number of synthetic territories (default 6)")
    p.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    p.add_argument("--no-run", action="store_true", help="stop after ingestion")
    p.add_argument("--serve", action="store_true", help="then start the dashboards (what `make demo` does)")
    p.add_argument("--host", default="127.0.0.1", help="with --serve: address to listen on")
    p.add_argument("--port", type=int, default=8866, help="with --serve: port")
    p.add_argument("--no-browser", action="store_true", help="with --serve: do not open a browser")
    _json(p)

    p = sub.add_parser("ingest",
                       help="ingest a survey export (Kobo, ODK, LimeSurvey, Google Forms, CSV, XLSX)")
    p.add_argument("file", metavar="FILE", help="the export to ingest")
    p.add_argument("--survey", required=True, metavar="XLSFORM", help="the survey's XLSForm")
    p.add_argument("--wave", required=True, metavar="WAVE", help="wave id, e.g. 2025 or w1")
    p.add_argument("--territory", metavar="T",
                   help="territory of every row (when the export has no territory question)")
    p.add_argument("--format", default="auto",
                   choices=_FORMATS,
                   help="export format (default: detected)")
    p.add_argument("--mapping", metavar="FILE", help="column mapping file (LimeSurvey codes → XLSForm names)")
    p.add_argument("--partial-read", action="store_true",
                   help="read an export that matches the form only in part (most columns or questions "
                        "unmatched, sheets that are no repeat group): what is left out is listed in the "
                        "issues file instead of stopping")
    _roles(p)
    _workspace(p)
    _json(p)

    p = sub.add_parser("survey", help="survey definitions: draft an XLSForm from an export")
    survey_sub = actions[p] = p.add_subparsers(dest="survey_command", metavar="ACTION", required=True)
    d = survey_sub.add_parser("draft", help="write a draft XLSForm inferred from an export")
    d.add_argument("export", metavar="EXPORT", help="a LimeSurvey, Google Forms or other export")
    d.add_argument("--output", "-o", metavar="XLSFORM",
                   help="where to write the draft (default: surveys/<name>_draft.xlsx)")
    d.add_argument("--format", default="auto",
                   choices=_FORMATS)
    _workspace(d)
    s = survey_sub.add_parser("show", help="list the questions of an XLSForm by dimension, and its roles")
    s.add_argument("xlsform", metavar="XLSFORM")
    _json(s)
    a = survey_sub.add_parser("annotate", help="write the roles of a form to <form>.coopwork.yml "
                                               "(the deployed form is not changed)")
    a.add_argument("xlsform", metavar="XLSFORM")
    _roles(a)
    a.add_argument("--not-identifier", action="append", default=[], metavar="NAME",
                   help="a question that is not a direct identifier (repeatable)")

    p = sub.add_parser("run", help="execute the per-territory notebooks (incremental, parallel)")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--territory", action="append", metavar="T", help="territory to run (repeatable)")
    target.add_argument("--all", action="store_true", help="every territory (the default)")
    p.add_argument("--wave", metavar="W", help="wave to report on (default: the latest)")
    p.add_argument("--notebook", metavar="PATH",
                   help="notebook to run (default: notebooks/territory_report.ipynb)")
    p.add_argument("--jobs", type=int, metavar="N", help="parallel workers (default: number of cores)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--timeout", type=float, default=600, metavar="SECONDS",
                   help="per-territory time limit (default 600)")
    p.add_argument("--force", action="store_true", help="rerun even when nothing changed")
    p.add_argument("--min-count", type=min_count_option, default=DEFAULT_MIN_COUNT, metavar="K",
                   help=f"disclosure threshold, a whole number ≥ 1 (default {DEFAULT_MIN_COUNT})")
    _workspace(p)
    _json(p)

    p = sub.add_parser("serve", help="start the Voilà dashboards")
    _workspace(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for a workshop room)")
    p.add_argument("--port", type=int, default=8866)
    p.add_argument("--token", help="access token (default: generated when --host is not loopback)")
    p.add_argument("--territory", metavar="T", help="workshop mode: the territory of the session")
    p.add_argument("--expect", type=int, default=0, metavar="N",
                   help="workshop mode: participants expected (kernels preheated)")
    p.add_argument("--min-count", type=min_count_option, default=DEFAULT_MIN_COUNT, metavar="K",
                   help=f"disclosure threshold, a whole number ≥ 1 (default {DEFAULT_MIN_COUNT})")
    p.add_argument("--database", metavar="URL",
                   help="journal database (default: SQLite in the workspace; postgresql:// accepted)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")

    p = sub.add_parser("journal", help="moderate and export the journal of interpretations")
    _journal_place(p, default=True)
    jsub = actions[p] = p.add_subparsers(dest="journal_command", metavar="ACTION", required=True)
    j = jsub.add_parser("list", help="list notes")
    _journal_place(j)
    j.add_argument("--territory")
    j.add_argument("--all", action="store_true", help="include hidden notes")
    for action in ("hide", "restore"):
        j = jsub.add_parser(action, help=f"{action} notes (moderation): one or more note numbers")
        _journal_place(j)
        j.add_argument("note_ids", type=int, nargs="+", metavar="NOTE_ID")
    j = jsub.add_parser("export", help="export notes as CSV or Markdown")
    _journal_place(j)
    j.add_argument("--territory")
    j.add_argument("--format", choices=["csv", "md"], default="md")
    j.add_argument("--output", "-o")

    p = sub.add_parser("export", help="static reports, workbooks, placemats and network files; "
                                      "--data: the answers for SPSS, Stata or R")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--territory", action="append", metavar="T")
    target.add_argument("--all", action="store_true")
    p.add_argument("--data", action="store_true",
                   help="write the pseudonymised answers and ties of a wave instead (labelled)")
    p.add_argument("--format", default="sav", choices=["sav", "dta", "csv"],
                   help="with --data: SPSS .sav (default), Stata .dta or CSV with a codebook")
    p.add_argument("--wave", metavar="W")
    p.add_argument("--min-count", type=min_count_option, default=DEFAULT_MIN_COUNT, metavar="K",
                   help=f"disclosure threshold, a whole number ≥ 1 (default {DEFAULT_MIN_COUNT})")
    p.add_argument("--paper", choices=["A4", "A3"], default="A4", help="placemat paper size (default A4)")
    _workspace(p)
    _json(p)

    p = sub.add_parser("check", help="re-verify the disclosure rules on every published file")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--territory", action="append", metavar="T", help="territory to check (repeatable)")
    target.add_argument("--all", action="store_true", help="every published file (the default)")
    _workspace(p)
    _json(p)

    p = sub.add_parser("codebook", help="the free-text themes codebook as REFI-QDA (.qdc)")
    codebook_sub = actions[p] = p.add_subparsers(dest="codebook_command", metavar="ACTION", required=True)
    c = codebook_sub.add_parser("export", help="write the codebook as a REFI-QDA .qdc file")
    c.add_argument("--output", "-o", metavar="FILE", help="the .qdc file (default: surveys/<survey>.qdc)")
    _workspace(c)
    c = codebook_sub.add_parser("import", help="read a .qdc file as the codebook")
    c.add_argument("file", metavar="FILE", help="the .qdc file")
    c.add_argument("--output", "-o", metavar="FILE", help="the YAML codebook (default: the survey's)")
    _workspace(c)

    p = sub.add_parser("lab", help="open JupyterLab on the workspace")
    _workspace(p)
    p.add_argument("--port", type=int, default=8888)
    p.add_argument("--no-browser", action="store_true")

    p = sub.add_parser("new-notebook", help="start a new analysis notebook from the template")
    p.add_argument("name", metavar="NAME")
    _workspace(p)
    leaves = {}
    for name, command in sub.choices.items():  # every command (or each action of it) takes --lang
        leaves.update({f"{name} {action}": leaf for action, leaf in actions[command].choices.items()}
                      if command in actions else {name: command})
    for leaf in leaves.values():
        _lang_option(leaf)
    return parser, leaves


def _check_ids(args: argparse.Namespace) -> None:
    """Refuse a ``--wave`` or ``--territory`` that could not be a file name (exit 2, one sentence)."""
    from .paths import check_id  # lazy: paths and words, 5 to 12 ms that `coopwork --help` needs not
    lang = getattr(args, "lang", None)
    for what in ("wave", "territory"):
        value = getattr(args, what, None)
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                check_id(item, what=what, lang=lang)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    lang = command_lang(args)
    before = os.environ.get("COOPWORK_LANG")
    os.environ["COOPWORK_LANG"] = lang  # the modules that speak without a lang argument (ingest, demo)
    try:
        return _run(args, lang)
    finally:
        if before is None:
            os.environ.pop("COOPWORK_LANG", None)
        else:
            os.environ["COOPWORK_LANG"] = before


def _run(args: argparse.Namespace, lang: str) -> int:
    """Call the command's handler; turn a CoopworkError into one sentence in ``lang`` and exit code 2."""
    module_name, function_name = _HANDLERS[args.command].split(":")
    try:
        _check_ids(args)
        handler = getattr(importlib.import_module(module_name), function_name)  # lazy: this command only
        return int(handler(args) or 0)
    except CoopworkError as err:
        print(f"coopwork {args.command}: {err.render(lang)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(t("core.interrupted", lang), file=sys.stderr)
        return 130
    except OSError as err:
        if not disk_full(err) or os.environ.get("COOPWORK_DEBUG"):
            return _unexpected(lang)
        # every writer is atomic (temporary file, then rename; a staging folder for exports): say so
        folder = Path(getattr(args, "workspace", None) or ".").resolve()
        print(t("core.disk_full", lang, command=args.command, folder=folder), file=sys.stderr)
        return 2
    except Exception:
        return _unexpected(lang)


def _unexpected(lang: str) -> int:
    """A bug, not the user's mistake: one sentence and the traceback's last line (called in ``except``)."""
    if os.environ.get("COOPWORK_DEBUG"):
        raise  # the exception the caller is handling
    print(t("core.unexpected", lang), file=sys.stderr)
    print("".join(traceback.format_exc(limit=-1).splitlines(keepends=True)[-1:]), file=sys.stderr)
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
