"""``coopwork run``: execute the report notebooks for each territory.

Contract (DESIGN.md): ``--json`` prints exactly one JSON object on stdout with
``executed``, ``skipped``, ``failed`` (objects with ``territory``, ``cell``, ``ename``,
``evalue``…) and ``reports_dir``; the progress bar and the summary go to stderr; the exit
code is 1 when any territory failed (2, via the main CLI, when the run cannot start).

Examples
--------
>>> import argparse
>>> options(argparse.Namespace(territory=None, all=True, wave=None, notebook=None, jobs=2,
...         scheduler=None, timeout=600.0, force=False, lang="en", min_count=3, workspace="."))["jobs"]
2
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..i18n import command_lang, t
from ..progress import say
from ..threshold import DEFAULT_MIN_COUNT
from .runner import run_batch
from .task import error_line

__all__ = ["main", "options"]


def options(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments of :func:`~coopwork.batch.run_batch` from parsed options."""
    return {
        "territories": getattr(args, "territory", None) or None,
        "wave": getattr(args, "wave", None),
        "notebook": getattr(args, "notebook", None),
        "jobs": getattr(args, "jobs", None),
        "scheduler": getattr(args, "scheduler", None),
        "timeout": getattr(args, "timeout", 600) or None,
        "force": bool(getattr(args, "force", False)),
        "lang": command_lang(args),
        "min_count": getattr(args, "min_count", DEFAULT_MIN_COUNT),
    }


def main(args: argparse.Namespace) -> int:
    """Run the batch; print the summary (stderr) or one JSON object (stdout); 1 when anything failed."""
    kwargs = options(args)
    lang = kwargs["lang"]
    result = run_batch(getattr(args, "workspace", ".") or ".", **kwargs)
    if not result.executed and not result.failed:
        say(t("batch.nothing_to_do", lang))
    say(t("batch.summary", lang, executed=len(result.executed), skipped=len(result.skipped),
          failed=len(result.failed), reports_dir=result.reports_dir))
    for failure in result.failed:
        line = error_line({"error": failure})
        say(t("batch.failed_line", lang, territory=failure["territory"], error=line))
        if failure.get("failed_notebook"):
            say(f"    → {failure['failed_notebook']}")
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 1 if result.failed else 0
