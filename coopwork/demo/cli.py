"""``coopwork demo``: the sample workspace in one command.

Steps, each idempotent:

1. write ``<workspace>/surveys/cooperation_territoriale.xlsx`` (unless identical);
2. write the seeded synthetic Kobo exports into ``<workspace>/data/raw/`` (files whose content
   did not change are not touched);
3. ingest the two Kobo XLSX exports (``cooperation_territoriale_2025.xlsx`` → wave ``2025``,
   ``…_2026.xlsx`` → wave ``2026``; they carry the ``partenariats`` network sheet) with
   :func:`coopwork.ingest.ingest_file` — a second run adds nothing;
4. unless ``--no-run``, prepare the results the dashboards show, every wave, in one pass over
   every core (:func:`coopwork.results.store.prepare_all`), then execute the per-territory reports
   with :func:`coopwork.batch.run_batch`, which find their results ready (the reports' warm process
   has imported its libraries during the ingest).

Messages go to stderr in the user's language (``COOPWORK_LANG``, French by default);
``--json`` prints one JSON object on stdout::

    {"workspace", "survey", "territories", "seed", "files": [...],
     "ingested": [{"file", "wave", <ingest summary>}...], "run": {...} | null}
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

from ..dashboard import cli as dashboard_cli
from ..errors import CoopworkError
from ..i18n import command_lang, t, user_lang
from ..paths import raw_dir
from ..progress import say
from ..survey import load_survey
from ..threshold import DEFAULT_MIN_COUNT
from ..workspace import open_workspace
from .generate import WAVES, demo_files, ensure_survey, generate_demo

__all__ = ["main", "run_demo"]


def _component(module: str, name: str, step: str, folder: Path):
    """``module.name``, or a CoopworkError saying this installation lacks that step."""
    lang = user_lang()
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise CoopworkError("demo.missing_part", step=step, module=f"{module}.{name}",
                            hint="demo.missing_hint", folder=folder, lang=lang) from None


def _summary(result: object) -> dict:
    if hasattr(result, "to_dict"):
        return dict(result.to_dict())
    if isinstance(result, dict):
        return dict(result)
    return {"result": str(result)}


def run_demo(workspace: str | Path = ".", *, territories: int = 6, seed: int = 2026,
             run: bool = True, serving: bool = False) -> dict:
    """Write, ingest and (optionally) report on the sample workspace; return the summary dict.

    Parameters
    ----------
    workspace
        Folder of the workspace (created when missing).
    territories
        Number of synthetic territories (default 6).
    seed
        Random seed of the synthetic data.
    run
        Execute the per-territory notebooks after ingestion.
    serving
        The dashboards are served right after (``coopwork demo --serve``): no "next" line to say so.

    Raises
    ------
    CoopworkError
        When the ingestion or batch part of coopwork is not available, or when one of them
        refuses the data (their own errors propagate).
    """
    lang = user_lang()
    root = Path(workspace)
    root.mkdir(parents=True, exist_ok=True)
    survey_path = ensure_survey(root, territories=territories)
    say(t("demo.survey_written", lang, path=survey_path))
    say(t("demo.generating", lang, territories=territories, seed=seed))
    files = generate_demo(root, territories=territories, seed=seed)
    raw = raw_dir(root)
    say(t("demo.generated", lang, n=len(files), folder=raw))
    say(t("demo.fictional", lang))

    if run:  # the reports' warm process imports on the other core while the exports are ingested
        _component("coopwork.batch.warm", "warm_server", "rapports / reports", raw)()
    ingest_file = _component("coopwork.ingest", "ingest_file", "import / ingest", raw)
    survey = load_survey(survey_path)
    ingested = []
    for wave, path in zip(WAVES, demo_files(root, territories=territories)["xlsx"], strict=True):
        say(t("demo.ingesting", lang, wave=wave, file=path.name))
        summary = _summary(ingest_file(path, survey=survey, wave=wave, workspace=root, fmt="auto"))
        if summary.get("already_ingested") or summary.get("duplicates") == summary.get("rows_read"):
            # a second `make demo`: the same files, nothing new ("303 duplicates" read like an error)
            say(t("ingest.nothing_new", lang, file=path.name, rows_read=summary.get("rows_read", "?"),
                  wave=wave))
        else:
            counts = ("accepted", "quarantined", "duplicates", "relations")
            say(t("demo.ingested", lang, wave=wave, **{k: summary.get(k, "?") for k in counts}))
        ingested.append({"file": str(path), "wave": wave, **summary})

    ran = None
    if run:
        # the dashboards read the results: prepare every wave now so that `coopwork serve` starts at
        # once; first, in one pass over every core: the reports then find theirs ready
        prepare_all = _component("coopwork.results.store", "prepare_all", "tableaux de bord / dashboards",
                                 raw)
        say(t("demo.dashboards", lang))
        prepare_all(open_workspace(root, survey=survey_path))
        run_batch = _component("coopwork.batch", "run_batch", "rapports / reports", raw)
        say(t("demo.running", lang))
        ran = _summary(run_batch(root))
        say(t("demo.ran", lang, **{k: len(ran.get(k) or []) for k in ("executed", "skipped", "failed")}))
    else:
        say(t("demo.no_run", lang))
    if not serving:
        say(t("demo.next", lang, workspace=root))
    return {"workspace": str(root), "survey": str(survey_path), "territories": territories, "seed": seed,
            "files": [str(f) for f in files], "ingested": ingested, "run": ran}


def main(args: argparse.Namespace) -> int:
    """``coopwork demo [--workspace DIR] [--territories N] [--seed S] [--no-run] [--json] [--serve]``.

    With ``--serve`` the dashboards of the demo are then served (``coopwork serve`` with ``--host``,
    ``--port`` and ``--no-browser``), as ``make demo`` does.
    """
    serving = getattr(args, "serve", False)
    result = run_demo(args.workspace, territories=args.territories, seed=args.seed,
                      run=not args.no_run, serving=serving)
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
    failed = (result["run"] or {}).get("failed") or []
    if failed or not serving:
        return 1 if failed else 0
    options = {"token": None, "territory": None, "expect": 0, "min_count": DEFAULT_MIN_COUNT,
               "database": None}
    return dashboard_cli.main(argparse.Namespace(workspace=args.workspace, host=args.host, port=args.port,
                                                 no_browser=args.no_browser, lang=command_lang(args),
                                                 **options))
