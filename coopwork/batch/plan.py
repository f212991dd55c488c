"""What a batch run must execute, decided by the digests of the results (never by file times).

A territory's report only formats its results (:mod:`coopwork.results`), so it depends on:

- ``results`` — the digest of the territory's results (their content: it changes exactly when
  what the report shows changes, including the comparison with the other territories);
- ``notebook`` — the notebook's cells (type, source, tags; not outputs nor editor metadata);
- ``parameters`` — wave, lang, min_count (and the territory);
- ``coopwork`` — the installed coopwork version.

The *key* of a task hashes the four. The last successful key of every territory is kept in
``<workspace>/.coopwork/runs/<notebook-stem>.json``; a territory is skipped when its key is
unchanged and its report is still on disk. The synthesis notebook reads the synthesis results,
whose key covers every territory's results.

Examples
--------
>>> task_key({"results": "ab", "notebook": "cd"}) == task_key({"notebook": "cd", "results": "ab"})
True
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..results.fingerprint import key

__all__ = ["ALL_TERRITORIES", "RunState", "Task", "notebook_hash", "task_key"]

# the ``territory`` value of a notebook that covers every territory (the synthesis)
ALL_TERRITORIES = "*"


def _sha(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def notebook_hash(notebook: Any) -> str:
    """SHA-256 of what a notebook *does*: its cells' types, sources and tags.

    Saving a notebook again in Jupyter (outputs, execution counts, widths) does not change it.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    >>> again = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", execution_count=4)])
    >>> notebook_hash(nb) == notebook_hash(again), len(notebook_hash(nb))
    (True, 64)
    >>> as_json = {"cells": [{"cell_type": "code", "source": ["x ", "= 1"], "metadata": {}}]}
    >>> notebook_hash(as_json) == notebook_hash(nb)
    True
    """
    def source(cell: Any) -> str:  # a list of lines in the file, one string once read by nbformat
        text = cell.get("source", "")
        return "".join(text) if isinstance(text, list) else text

    cells = [[cell.get("cell_type"), source(cell), sorted(cell.get("metadata", {}).get("tags", []))]
             for cell in notebook.get("cells", [])]
    return key(cells)


def task_key(inputs: dict[str, Any]) -> str:
    """The key of a task: one hash of its inputs (``results``, ``notebook``, ``parameters``, ``coopwork``)."""
    return key(inputs)


@dataclass
class Task:
    """One notebook execution for one territory (or for all, ``territory == "*"``).

    ``parameters`` are injected by papermill; ``inputs`` and ``key`` decide incremental skips;
    ``output`` is the final ``.ipynb`` path (the ``.html`` sits next to it).
    """

    territory: str
    notebook: str
    parameters: dict[str, Any]
    inputs: dict[str, Any]
    key: str
    output: str
    failed_dir: str
    cwd: str
    timeout: float | None = 600
    label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        """The notebook's file name without extension."""
        return Path(self.notebook).stem


class RunState:
    """The last known result of every territory for one notebook (JSON in ``.coopwork/runs``).

    Each entry is ``{"key", "inputs", "finished_at", "seconds"}`` of the last success plus
    ``"status"`` (``ok``/``failed``) and ``"error"`` of the last attempt.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.entries: dict[str, dict[str, Any]] = {}
        if self.path.is_file():
            try:
                self.entries = json.loads(self.path.read_text(encoding="utf-8")).get("territories", {})
            except (OSError, ValueError):  # a damaged state only costs a rerun
                self.entries = {}

    def is_fresh(self, task: Task) -> bool:
        """True when the task's key is the last successful one and its report exists."""
        entry = self.entries.get(task.territory) or {}
        return (entry.get("status") == "ok" and entry.get("key") == task.key
                and Path(task.output).is_file())

    def record(self, task: Task, *, ok: bool, finished_at: str, seconds: float,
               error: dict[str, Any] | None = None) -> None:
        """Remember the outcome of a task."""
        entry = dict(self.entries.get(task.territory) or {})
        if ok:
            entry.update(key=task.key, inputs=task.inputs, finished_at=finished_at,
                         seconds=round(seconds, 3), status="ok", error=None)
        else:
            entry.update(status="failed", error=error, failed_at=finished_at)
        entry["label"] = task.label or task.territory
        self.entries[task.territory] = entry

    def save(self) -> None:
        """Write the state atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"territories": self.entries}, indent=1, ensure_ascii=False,
                                  sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)
