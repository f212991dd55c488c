"""The cross-territory synthesis of a wave, built from the territories' own results.

Nothing is recomputed from the responses here: every number is read from the results of the
territories (:mod:`coopwork.results.views`), so the synthesis shows exactly what each
territory's page shows. Tables (tidy, every one protected):

``overview``
    one row per territory: ``territory``, ``label``, ``wave``, ``respondents``, ``nodes``,
    ``edges``, ``density``, ``reciprocity``, ``communities``, ``suppressed``, ``display``.
``scores_all``
    each territory's dimension scores: ``dimension``, ``dimension_label``, ``group`` (the
    territory id), ``group_label``, ``n``, ``mean``, ``ci_low``, ``ci_high``, ``suppressed``,
    ``display``.
``practices_all``
    every territory's forms of cooperation (the ``practices`` table of each, with ``_territory``).
``practices_where``
    one row per form of cooperation: ``dimension``, ``question``, ``option``, ``label``,
    ``territories`` (where at least ``min_count`` organisations practise it), ``n``,
    ``suppressed``, ``display``.
``changes``
    one row per territory and measure between its previous wave and this one: ``territory``,
    ``measure``, ``unit`` (``points`` of a dimension's 0–100 score, ``share`` 0–1 or ``ties`` per
    organisation for a network measure), ``wave_before``, ``wave_after``, ``before``, ``after``,
    ``difference``, ``n``, ``suppressed``, ``display`` (the difference in the row's unit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..analysis.disclosure import protect, small
from ..i18n import t
from ..values import format_number
from .tables import decode, encode

if TYPE_CHECKING:
    pass

__all__ = ["UNIT_DECIMALS", "synthesis_tables"]

_NETWORK_MEASURES = ("density", "mean_degree", "reciprocity")
#: the unit each change is counted in (``unit`` column), and the decimals it is written with: a
#: dimension's score moves in points of a 0–100 scale, a network measure in its own unit
_UNITS = {"score": "points", "density": "share", "mean_degree": "ties", "reciprocity": "share"}
UNIT_DECIMALS = {"points": 1, "share": 3, "ties": 1}


def _table(result: dict, name: str) -> pd.DataFrame | None:
    data = result["tables"].get(name)
    return decode(data) if data is not None else None


def _overview(results: dict[str, dict], *, lang: str, min_count: int) -> pd.DataFrame:
    rows = []
    for territory, result in results.items():
        row = {
            "territory": territory,
            "label": result["territory_label"],
            "wave": result["wave"],
            "respondents": result["respondents"]["n"] if not result["respondents"]["suppressed"] else 1,
        }
        network = _table(result, "network")
        if network is not None and len(network):
            row.update(
                {k: network[k].iloc[0] for k in ("nodes", "edges", "density", "reciprocity", "communities")}
            )
        rows.append(row)
    types = {
        "territory": "str",
        "label": "str",
        "wave": "str",
        "respondents": "Int64",
        "nodes": "Int64",
        "edges": "Int64",
        "density": "Float64",
        "reciprocity": "Float64",
        "communities": "Int64",
    }
    table = pd.DataFrame(rows, columns=list(types)).astype(types)
    return protect(table, count="respondents", min_count=min_count, lang=lang)


def _scores(results: dict[str, dict]) -> pd.DataFrame:
    columns = [
        "dimension",
        "dimension_label",
        "group",
        "group_label",
        "n",
        "mean",
        "ci_low",
        "ci_high",
        "suppressed",
        "display",
    ]
    frames = []
    for territory, result in results.items():
        scores = _table(result, "scores")
        if scores is not None and len(scores):
            mine = scores[scores["group"] == "territory"]
            frames.append(mine.assign(group=territory, group_label=result["territory_label"])[columns])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def _practices_where(practices: pd.DataFrame, *, lang: str, min_count: int) -> pd.DataFrame:
    keys = ["dimension", "question", "option", "label"]
    if practices.empty:
        empty = pd.DataFrame(columns=[*keys, "territories", "n"]).astype(
            {"territories": "Int64", "n": "Int64"}
        )
        return protect(empty, min_count=min_count, lang=lang)
    shown = practices[~practices["suppressed"].astype(bool)].copy()
    counts = pd.to_numeric(shown["n"], errors="coerce").fillna(0).to_numpy(dtype=float)
    shown["present"] = (counts > 0) & ~small(counts, min_count)
    base = practices[keys].drop_duplicates().reset_index(drop=True)
    counted = (
        shown[shown["present"]]
        .groupby(keys, sort=False)
        .agg(territories=("present", "sum"), n=("n", "sum"))
        .reset_index()
    )
    table = base.merge(counted, on=keys, how="left")
    table["territories"] = table["territories"].fillna(0).astype("Int64")
    table["n"] = table["n"].fillna(0).astype("Int64")
    table = table.sort_values(
        ["dimension", "question", "territories"], ascending=[True, True, False], kind="stable"
    ).reset_index(drop=True)
    return protect(table, count="n", min_count=min_count, lang=lang)


def _changes(results: dict[str, dict], *, lang: str, min_count: int) -> pd.DataFrame:
    rows = []
    for territory, result in results.items():
        before = result.get("previous_wave")
        change = _table(result, "change")
        if before is None:
            continue
        for row in change.itertuples() if change is not None else []:
            rows.append(
                {
                    "territory": territory,
                    "measure": str(row.dimension_label),
                    "unit": _UNITS["score"],
                    "wave_before": before,
                    "wave_after": result["wave"],
                    "before": row.mean_from,
                    "after": row.mean_to,
                    "n": row.n_from
                    if pd.isna(row.n_to)
                    else row.n_to
                    if pd.isna(row.n_from)
                    else min(row.n_from, row.n_to),
                }
            )
        stats = [_table(result, "network_previous"), _table(result, "network")]
        if all(s is not None and len(s) for s in stats):
            for measure in _NETWORK_MEASURES:
                rows.append(
                    {
                        "territory": territory,
                        "measure": t(f"export.measure_{measure}", lang),
                        "unit": _UNITS[measure],
                        "wave_before": before,
                        "wave_after": result["wave"],
                        "before": stats[0][measure].iloc[0],
                        "after": stats[1][measure].iloc[0],
                        # a wave whose network is hidden hides the change too (NA is suppressed)
                        "n": pd.NA
                        if any(x["suppressed"].iloc[0] for x in stats)
                        else min(int(x["respondents"].iloc[0]) for x in stats),
                    }
                )
    types = {
        "territory": "str",
        "measure": "str",
        "unit": "str",
        "wave_before": "str",
        "wave_after": "str",
        "before": "Float64",
        "after": "Float64",
        "n": "Int64",
    }
    table = pd.DataFrame(rows, columns=list(types)).astype(types)
    table["difference"] = table["after"] - table["before"]

    def show(row: pd.Series, lang: str) -> str:  # in the unit of its row
        digits = UNIT_DECIMALS.get(row["unit"], 1)
        difference = row["difference"]
        if pd.isna(difference):
            return "—"
        sign = "+" if difference > 0 else ""
        return sign + format_number(difference, decimals=digits, lang=lang)

    # a change rests on both waves: hidden when either has fewer than min_count respondents
    return protect(table, count="n", min_count=min_count, lang=lang, display=show)


def synthesis_tables(results: dict[str, dict], *, lang: str, min_count: int) -> dict[str, dict]:
    """The synthesis tables (see the module docstring), encoded for a results file.

    Parameters
    ----------
    results
        Territory id → its results in the wave.
    """
    practices = [
        p.assign(_territory=tid) for tid, r in results.items() if (p := _table(r, "practices")) is not None
    ]
    practices_all = pd.concat(practices, ignore_index=True) if practices else pd.DataFrame()
    tables = {
        "overview": _overview(results, lang=lang, min_count=min_count),
        "scores_all": _scores(results),
        "practices_all": practices_all,
        "practices_where": _practices_where(practices_all, lang=lang, min_count=min_count),
        "changes": _changes(results, lang=lang, min_count=min_count),
    }
    return {name: encode(table) for name, table in tables.items()}
