"""Run one :class:`~coopwork.batch.plan.Task`: execute, then publish atomically or keep apart.

The same function runs in the local workers and on Dask workers. papermill writes the executed
notebook (with its provenance in ``metadata.coopwork.provenance``, added before it is written)
to a temporary file in the report's folder; on success it and its HTML rendering replace the
previous report atomically (``os.replace``), so a reader never sees half a report. On failure
nothing published is touched: the last good report stays, and the failed execution goes to
``_failed/<territory>/`` with ``error.json``.

Examples
--------
>>> outcome = {"territory": "t1", "ok": False, "error": {"cell": 2, "ename": "KeyError", "evalue": "'x'"}}
>>> error_line(outcome)
"cell 2: KeyError: 'x'"
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path
from typing import Any

from .html import write_html
from .plan import Task
from .provenance import provenance

__all__ = ["error_line", "run_task"]


def error_line(outcome: dict[str, Any]) -> str:
    """``cell N: Name: value`` for a failed outcome."""
    error = outcome.get("error") or {}
    where = f"cell {error['cell']}: " if error.get("cell") is not None else ""
    return f"{where}{error.get('ename')}: {error.get('evalue')}"


def _tmp(path: Path) -> Path:
    """``.<name>.<pid>.<thread>.tmp<suffix>`` beside ``path`` (papermill wants ``.ipynb`` at the end)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp{path.suffix}")


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def run_task(task: Task, *, slot: Any = None) -> dict[str, Any]:
    """Execute ``task`` and write its outputs; return a JSON-ready outcome (never raises for cells).

    ``slot`` is the worker's :class:`~coopwork.batch.engine.KernelSlot` (None: a plain kernel).
    The outcome holds ``territory``, ``ok``, ``error`` (``cell``, ``source``, ``ename``,
    ``evalue``) or None, ``seconds``, ``finished_at`` and ``output``.
    """
    from .engine import execute  # lazy: papermill (2.5 s); batch.cli imports error_line for every run

    output = Path(task.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    html_path = output.with_suffix(".html")
    html_tmp, nb_tmp = _tmp(html_path), _tmp(output)
    finished: list[str] = []

    def finish(nb: Any) -> None:  # before papermill writes the notebook: what made it
        finished.append(_now())
        nb.metadata.setdefault("coopwork", {})["provenance"] = provenance(
            parameters=task.parameters, notebook_hash=task.inputs.get("notebook"),
            manifest_hash=task.extra.get("manifest_hash"), data_hash=task.inputs.get("results"),
            at=finished[-1])
        nb.metadata["coopwork"]["territory"] = task.territory
        nb.metadata["title"] = task.label or task.territory

    execution = execute(task.notebook, parameters=task.parameters, slot=slot, timeout=task.timeout,
                        cwd=task.cwd, output=nb_tmp, finish=finish)
    outcome: dict[str, Any] = {"territory": task.territory, "ok": execution.ok, "error": execution.error,
                               "seconds": round(execution.seconds, 3),
                               "finished_at": finished[-1] if finished else _now(), "output": task.output}
    nb = execution.notebook
    if execution.ok:
        try:
            write_html(nb, html_tmp, plotly_js=task.extra.get("plotly_js", "plotly.min.js"),
                       title=f"{task.label or task.territory} — {task.stem}")
            os.replace(html_tmp, html_path)
            os.replace(nb_tmp, output)
            return outcome
        except Exception as err:  # a report that cannot be rendered is a failure of that territory
            outcome.update(ok=False, error={"cell": None, "source": "", "ename": type(err).__name__,
                                            "evalue": str(err)[:500]})
    for leftover in (html_tmp, nb_tmp):
        leftover.unlink(missing_ok=True)
    failed_dir = Path(task.failed_dir)
    failed_dir.mkdir(parents=True, exist_ok=True)
    if nb is not None:
        import nbformat  # lazy: ~2 s, see execute above

        nbformat.write(nb, failed_dir / output.name)
    (failed_dir / f"{task.stem}.error.json").write_text(
        json.dumps({**outcome, "parameters": task.parameters}, indent=1, ensure_ascii=False, default=str),
        encoding="utf-8")
    outcome["failed_notebook"] = str(failed_dir / output.name) if nb is not None else None
    return outcome
