"""What a batch run must execute, decided by content hashes (never by file times).

A territory's report depends on four inputs; each is reduced to a SHA-256:

- ``data`` — the territory's slice of the processed tables: the rows of ``responses``,
  ``relations`` and ``repeats/*`` whose ``_territory`` is that territory (row hashes, sorted,
  so that rows appended for *other* territories change nothing), plus the tables' schema and
  the XLSForm (labels appear in the reports);
- ``notebook`` — the notebook's cells (type, source, tags; not outputs nor editor metadata);
- ``parameters`` — wave, lang, min_count (and the territory);
- ``coopwork`` — the installed coopwork version.

The *key* of a task hashes the four. The last successful key of every territory is kept in
``<workspace>/.coopwork/runs/<notebook-stem>.json``; a territory is skipped when its key is
unchanged and its report is still on disk. The synthesis notebook depends on every territory.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"_territory": ["a", "b", "a"], "x": [1, 2, 3]})
>>> one = slice_hashes({"responses": table})
>>> two = slice_hashes({"responses": pd.concat([table, table.assign(_territory="c")])})
>>> sorted(one), one["a"] == two["a"], one["b"] == two["b"]
(['a', 'b'], True, True)
>>> shuffled = slice_hashes({"responses": table.iloc[::-1]})
>>> as_object = slice_hashes({"responses": table.astype({"_territory": object})})
>>> shuffled == one == as_object
True
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "ALL_TERRITORIES",
    "RunState",
    "Task",
    "data_hashes",
    "notebook_hash",
    "slice_hashes",
    "task_key",
    "territory_dir",
]

# the ``territory`` value of a notebook that covers every territory (the synthesis)
ALL_TERRITORIES = "*"


def _sha(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def slice_hashes(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """SHA-256 of each territory's rows across ``tables`` (independent of row order).

    Parameters
    ----------
    tables
        Table name → processed table holding a ``_territory`` column.

    Returns
    -------
    dict
        Territory → hex digest; a territory absent from a table contributes nothing for it.
    """
    parts: dict[str, list[str]] = {}
    for name in sorted(tables):
        table = _canonical(tables[name])
        if "_territory" not in table.columns or table.empty:
            continue
        schema = _sha(json.dumps([[str(c), str(t)] for c, t in table.dtypes.items()]))
        rows = pd.util.hash_pandas_object(table, index=False).to_numpy()
        territory = table["_territory"].astype("string").fillna("").to_numpy()
        frame = pd.DataFrame({"t": territory, "h": rows})
        for key, group in frame.groupby("t", sort=True):
            values = group["h"].sort_values().to_numpy()
            parts.setdefault(str(key), []).append(_sha(name, schema, values.tobytes()))
    return {territory: _sha(*digests) for territory, digests in sorted(parts.items())}


def _canonical(table: pd.DataFrame) -> pd.DataFrame:
    """One dtype per kind of column, so that storage details (``str``/``string``/object text,
    s/ms/ns time resolution) do not change a hash."""
    casts: dict[str, str] = {}
    for column, dtype in table.dtypes.items():
        if isinstance(dtype, pd.DatetimeTZDtype):
            casts[column] = f"datetime64[ns, {dtype.tz}]"
        elif pd.api.types.is_datetime64_dtype(dtype):
            casts[column] = "datetime64[ns]"
        elif pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
            casts[column] = "string"
    return table.astype(casts) if casts else table


def _processed_tables(processed_dir: Path) -> dict[str, pd.DataFrame]:
    tables: dict[str, pd.DataFrame] = {}
    for name in ("responses", "relations"):
        path = processed_dir / f"{name}.parquet"
        if path.is_file():
            tables[name] = pd.read_parquet(path)
    for path in sorted((processed_dir / "repeats").glob("*.parquet")):
        tables[f"repeats/{path.stem}"] = pd.read_parquet(path)
    return tables


def file_hash(path: str | Path) -> str:
    """SHA-256 of a file's bytes ("" when it does not exist)."""
    path = Path(path)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def data_hashes(processed_dir: str | Path, *, survey_path: str | Path | None = None) -> dict[str, str]:
    """Per-territory data hashes of a processed folder, plus ``"*"`` for all territories.

    The survey's XLSForm is part of every hash (its labels are printed in the reports).
    """
    survey = file_hash(survey_path) if survey_path else ""
    slices = slice_hashes(_processed_tables(Path(processed_dir)))
    hashes = {territory: _sha(survey, digest) for territory, digest in slices.items()}
    hashes[ALL_TERRITORIES] = _sha(survey, *[f"{t}={d}" for t, d in sorted(slices.items())])
    return hashes


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
    """
    cells = [[cell.get("cell_type"), cell.get("source", ""),
              sorted(cell.get("metadata", {}).get("tags", []))] for cell in notebook.get("cells", [])]
    return _sha(json.dumps(cells, ensure_ascii=False, sort_keys=True))


def task_key(inputs: dict[str, Any]) -> str:
    """The key of a task: one hash of its inputs (``data``, ``notebook``, ``parameters``, ``coopwork``)."""
    return _sha(json.dumps(inputs, sort_keys=True, default=str))


_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def territory_dir(territory: str) -> str:
    """A folder name for a territory id (ids that are not safe file names get a short hash).

    Examples
    --------
    >>> territory_dir("pays_de_morlaix"), territory_dir("Pays basque / Iparralde")
    ('pays_de_morlaix', 'Pays_basque___Iparralde-38350bee')
    """
    safe = _SAFE.sub("_", territory).strip(".") or "_"
    if safe != territory:
        safe = f"{safe[:80]}-{_sha(territory)[:8]}"
    return safe


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
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"territories": self.entries}, indent=1, ensure_ascii=False,
                                  sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)
