"""The one fingerprint of a workspace's inputs: content hashes, never file sizes or times.

Results, batch reports, dashboards and exports all decide whether something is stale by
comparing keys built from this fingerprint (:func:`key`), so they agree on what changed.

:func:`fingerprint` reads the processed tables once and hashes

- every **slice** (wave × territory) of ``responses``, ``relations`` and ``repeats/*``: the
  sorted row hashes of that slice, so appending rows of *another* territory or wave leaves a
  slice unchanged, and re-ingesting the same rows in another order changes nothing;
- every **wave**: the slices of all its territories (what a comparison with the other
  territories reads);
- the XLSForm (labels, choices, roles) and the free-text codebook, byte for byte;

and records which waves each territory answered in (:attr:`Fingerprint.waves_of`), from which
:meth:`Fingerprint.current_wave` and :meth:`Fingerprint.previous_wave` decide what a territory's
results show.

Reading the tables costs pandas and a pass over every row. A run that finds nothing changed must
not pay it: :func:`fingerprint` first hashes the bytes of the input files (the processed tables,
the XLSForm, the codebook) and, when they are the ones of the last fingerprint, reads that
fingerprint back from ``.coopwork/cache/fingerprint-<survey>.json`` without importing pandas.

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

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import waves
from ..fileio import write_json
from ..paths import ALL, name_for
from ..version import __version__

if TYPE_CHECKING:
    import pandas as pd

    from ..workspace import Workspace

__all__ = ["FINGERPRINT_VERSION", "Fingerprint", "file_digest", "fingerprint", "key", "slice_digests",
           "waves_by_territory"]


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
    import pandas as pd  # lazy: a run with nothing to do imports no pandas (fingerprint read back)

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
    import pandas as pd  # lazy: a run with nothing to do imports no pandas (fingerprint read back)

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


#: changes when what a fingerprint holds or how it is computed changes (part of its cache's key)
FINGERPRINT_VERSION = 3


def waves_by_territory(responses: pd.DataFrame) -> dict[str, list[str]]:
    """Territory → the waves it answered in, in order; ``"_all"`` → every wave (rows without a
    territory too: a form without a territory question has one report of all its respondents).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"_territory": ["a", "b", "a", None], "_wave": ["2026", "2025", "2025", "2027"]})
    >>> waves_by_territory(table)
    {'a': ['2025', '2026'], 'b': ['2025'], '_all': ['2025', '2026', '2027']}
    """
    pairs = responses[["_territory", "_wave"]].dropna().drop_duplicates()
    out = {str(k): waves.ordered(v) for k, v in pairs.groupby("_territory")["_wave"]}
    out[ALL] = waves.ordered(responses["_wave"].dropna())
    return out


@dataclass(frozen=True)
class Fingerprint:
    """Content hashes of a workspace's inputs, and the waves of each territory (see the module docstring).

    Examples
    --------
    >>> fp = Fingerprint("s", "c", {("2025", "a"): "d1"}, {"a": ["2024", "2025"], "_all": ["2024", "2025"]})
    >>> fp.current_wave("a"), fp.previous_wave("a", "2025"), fp.previous_wave(None, "2024")
    ('2025', '2024', None)
    >>> Fingerprint.from_json(fp.to_json()) == fp
    True
    """

    survey: str
    codebook: str
    slices: dict[tuple[str, str], str] = field(default_factory=dict)
    waves_of: dict[str, list[str]] = field(default_factory=dict)

    def slice(self, wave: str | None, territory: str) -> str:
        """Digest of one territory's rows in one wave (``""`` when it has none)."""
        return self.slices.get((str(wave), territory), "") if wave is not None else ""

    def wave(self, wave: str | None) -> str:
        """Digest of every territory's rows in ``wave`` (what a comparison reads)."""
        return key(*[(t, d) for (w, t), d in self.slices.items() if w == wave])

    @property
    def territories(self) -> list[str]:
        """Territories that answered, sorted."""
        return sorted(t for t in self.waves_of if t != ALL)

    def current_wave(self, territory: str | None) -> str | None:
        """The wave a territory's results show when none is asked: its own latest wave."""
        return waves.current(self.waves_of.get(territory or ALL, []))

    def previous_wave(self, territory: str | None, wave: str) -> str | None:
        """The territory's latest wave before ``wave`` (the one "what changed" compares with)."""
        return waves.previous(self.waves_of.get(territory or ALL, []), wave)

    def to_json(self) -> dict:
        """A JSON-ready form (read back by :meth:`from_json`)."""
        return {"survey": self.survey, "codebook": self.codebook,
                "slices": [[w, t, d] for (w, t), d in self.slices.items()], "waves_of": self.waves_of}

    @classmethod
    def from_json(cls, data: dict) -> Fingerprint:
        """The fingerprint :meth:`to_json` wrote."""
        return cls(survey=data["survey"], codebook=data["codebook"],
                   slices={(w, t): d for w, t, d in data["slices"]},
                   waves_of={t: list(w) for t, w in data["waves_of"].items()})


def _input_files(workspace: Workspace) -> dict[str, str]:
    """SHA-256 of the bytes of every file a fingerprint reads (name relative to the workspace → digest)."""
    folder = workspace.processed_dir
    paths = [folder / "responses.parquet", folder / "relations.parquet",
             *sorted((folder / "repeats").glob("*.parquet")), workspace.survey_path,
             workspace.surveys_dir / f"codebook_{workspace.survey_id}.yml"]
    files = {"coopwork": f"{__version__}/{FINGERPRINT_VERSION}"}
    for path in paths:
        inside = path.is_relative_to(workspace.root)
        files[path.relative_to(workspace.root).as_posix() if inside else str(path)] = file_digest(path)
    return files


def fingerprint(workspace: Workspace) -> Fingerprint:
    """The fingerprint of an open workspace: read back when its input files did not change, else
    computed from the tables (one pass) and kept for the next time."""
    files = _input_files(workspace)
    cache = workspace.state_dir / "cache" / f"fingerprint-{name_for(workspace.survey_id)}.json"
    try:
        kept = json.loads(cache.read_text(encoding="utf-8"))
        if kept.get("files") == files:
            return Fingerprint.from_json(kept["fingerprint"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    computed = _compute(workspace)
    with contextlib.suppress(OSError):  # a read-only workspace: computed every time
        write_json(cache, {"files": files, "fingerprint": computed.to_json()})
    return computed


def _compute(workspace: Workspace) -> Fingerprint:
    """The fingerprint read from the tables themselves."""
    import pandas as pd  # lazy: a run with nothing to do imports no pandas (fingerprint read back)

    folder = workspace.processed_dir
    responses = workspace.responses()
    tables = {"responses": responses, "relations": workspace.relations()}
    for path in sorted((folder / "repeats").glob("*.parquet")):
        tables[f"repeats/{path.stem}"] = pd.read_parquet(path)
    codebook = workspace.surveys_dir / f"codebook_{workspace.survey_id}.yml"
    return Fingerprint(
        survey=file_digest(workspace.survey_path),
        codebook=file_digest(codebook),
        slices=slice_digests(tables),
        waves_of=waves_by_territory(responses),
    )
