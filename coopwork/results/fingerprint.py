"""The one fingerprint of a workspace's inputs: content hashes, never file sizes or times.

Results, batch reports, dashboards and exports all decide whether something is stale by
comparing keys built from this fingerprint (:func:`key`), so they agree on what changed.

:func:`fingerprint` reads the processed tables once and hashes

- every **slice** (wave × territory) of ``responses``, ``relations`` and ``repeats/*``: the
  sorted row hashes of that slice, so appending rows of *another* territory or wave leaves a
  slice unchanged, and re-ingesting the same rows in another order changes nothing;
- every **wave**: the slices of all its territories (what a comparison with the other
  territories reads);
- the XLSForm (labels, choices, roles) and the free-text codebook, byte for byte.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"_wave": "2025", "_territory": ["a", "b", "a"], "x": [1, 2, 3]})
>>> one = slice_digests({"responses": table})
>>> two = slice_digests({"responses": pd.concat([table, table.assign(_territory="c")])})
>>> one[("2025", "a")] == two[("2025", "a")], ("2025", "c") in two
(True, True)
>>> slice_digests({"responses": table.iloc[::-1]}) == one
True
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from ..workspace import Workspace

__all__ = ["Fingerprint", "file_digest", "fingerprint", "key", "slice_digests"]


def key(*parts: Any) -> str:
    """One SHA-256 (hex) of any JSON-serialisable parts: the key of a result, a report, a bundle.

    Examples
    --------
    >>> key("a", {"b": 1}) == key("a", {"b": 1}) != key("a", {"b": 2})
    True
    """
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_digest(path: str | Path | None) -> str:
    """SHA-256 of a file's bytes; ``""`` when there is no such file."""
    if path is None or not Path(path).is_file():
        return ""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _canonical(table: pd.DataFrame) -> pd.DataFrame:
    """One dtype per kind of column, so that storage details (``str``/``string``/object text,
    s/ms/ns time resolution) do not change a hash."""
    import pandas as pd

    casts: dict[str, str] = {}
    for column, dtype in table.dtypes.items():
        if isinstance(dtype, pd.DatetimeTZDtype):
            casts[column] = f"datetime64[ns, {dtype.tz}]"
        elif pd.api.types.is_datetime64_dtype(dtype):
            casts[column] = "datetime64[ns]"
        elif pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
            casts[column] = "string"
    return table.astype(casts) if casts else table


def slice_digests(tables: dict[str, pd.DataFrame]) -> dict[tuple[str, str], str]:
    """SHA-256 of each (wave, territory) slice across ``tables``, independent of row order.

    Parameters
    ----------
    tables
        Table name → processed table with ``_wave`` and ``_territory`` columns.

    Returns
    -------
    dict
        ``(wave, territory)`` → hex digest; rows without a wave are left out, rows without a
        territory (a form without a territory question) are the slice ``(wave, "")``: the
        synthesis of all respondents reads them.
    """
    import pandas as pd

    parts: dict[tuple[str, str], list[str]] = {}
    for name in sorted(tables):
        table = _canonical(tables[name])
        if table.empty or not {"_wave", "_territory"} <= set(table.columns):
            continue
        schema = key(name, [[str(c), str(t)] for c, t in table.dtypes.items()])
        frame = pd.DataFrame(
            {
                "w": table["_wave"].astype("string").to_numpy(),
                "t": table["_territory"].astype("string").fillna("").to_numpy(),
                "h": pd.util.hash_pandas_object(table, index=False).to_numpy(),
            }
        ).dropna()
        for (wave, territory), group in frame.groupby(["w", "t"], sort=True):
            rows = group["h"].sort_values().to_numpy()
            digest = hashlib.sha256(schema.encode() + rows.tobytes()).hexdigest()
            parts.setdefault((str(wave), str(territory)), []).append(digest)
    return {slice_: key(*digests) for slice_, digests in sorted(parts.items())}


@dataclass(frozen=True)
class Fingerprint:
    """Content hashes of a workspace's inputs (see the module docstring)."""

    survey: str
    codebook: str
    slices: dict[tuple[str, str], str] = field(default_factory=dict)

    def slice(self, wave: str | None, territory: str) -> str:
        """Digest of one territory's rows in one wave (``""`` when it has none)."""
        return self.slices.get((str(wave), territory), "") if wave is not None else ""

    def wave(self, wave: str | None) -> str:
        """Digest of every territory's rows in ``wave`` (what a comparison reads)."""
        return key(*[(t, d) for (w, t), d in self.slices.items() if w == wave])


def fingerprint(workspace: Workspace) -> Fingerprint:
    """The fingerprint of an open workspace (reads its processed tables once)."""
    import pandas as pd

    folder = workspace.processed_dir
    tables = {"responses": workspace.responses(), "relations": workspace.relations()}
    for path in sorted((folder / "repeats").glob("*.parquet")):
        tables[f"repeats/{path.stem}"] = pd.read_parquet(path)
    codebook = workspace.surveys_dir / f"codebook_{workspace.survey_id}.yml"
    return Fingerprint(
        survey=file_digest(workspace.survey_path),
        codebook=file_digest(codebook),
        slices=slice_digests(tables),
    )
