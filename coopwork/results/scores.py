"""Dimension-score comparisons of every territory of a wave at once (linear in the territories).

:func:`compare_all` gives, for each territory, the same protected table as
:func:`coopwork.analysis.indicators.compare_scores` (territory, the other territories pooled,
all territories), from one pass of sums over the wave's scores instead of one pass per
territory.

Examples
--------
>>> import pandas as pd
>>> from coopwork.analysis.indicators import compare_scores
>>> scores = pd.DataFrame({"_submission_id": list("abcdefg"), "_wave": "2025",
...                        "_territory": ["t1"] * 3 + ["t2"] * 4, "dimension": "trust",
...                        "score": [50.0, 75.0, 100.0, 25.0, 50.0, 50.0, 75.0]})
>>> fast = compare_all(scores, lang="en")["t1"]
>>> slow = compare_scores(scores, territory="t1", lang="en")
>>> fast["display"].tolist() == slow["display"].tolist() == ['75', '50', '61']
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.stats import t as student

from ..analysis.disclosure import protect
from ..analysis.indicators import dimension_label
from ..i18n import t
from ..threshold import DEFAULT_MIN_COUNT
from ..values import format_number

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["compare_all"]

#: the columns of a comparison and their dtypes (those of ``compare_scores``)
_COLUMNS = {**dict.fromkeys(("dimension", "dimension_label", "group", "group_label"), "str"), "n": "Int64",
            **dict.fromkeys(("mean", "sd", "ci_low", "ci_high"), "Float64")}


def _intervals(n: np.ndarray, total: np.ndarray, squares: np.ndarray) -> tuple[np.ndarray, ...]:
    """Mean, sd (ddof=1) and 95 % Student-t interval from counts, sums and sums of squares."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / n, np.nan)
        variance = np.where(n > 1, (squares - n * mean**2) / (n - 1), np.nan)
        sd = np.sqrt(np.clip(variance, 0, None))
        half = student.ppf(0.975, np.where(n > 1, n - 1, np.nan)) * sd / np.sqrt(n)
    return mean, sd, mean - half, mean + half


def compare_all(
    scores: pd.DataFrame, *, min_count: int = DEFAULT_MIN_COUNT, lang: str = "fr",
    config: Mapping | None = None,
) -> dict[str, pd.DataFrame]:
    """Each territory against the others and all, dimension by dimension, protected.

    Parameters
    ----------
    scores
        :func:`~coopwork.analysis.indicators.dimension_scores` of **one** wave.
    min_count, lang, config
        As for :func:`~coopwork.analysis.indicators.compare_scores`.

    Returns
    -------
    dict
        Territory id → the table :func:`~coopwork.analysis.indicators.compare_scores` returns.
    """
    scored = scores[scores["score"].notna() & scores["_territory"].notna()]
    values = scored["score"].astype(float)
    sums = (
        pd.DataFrame(
            {
                "dimension": scored["dimension"].astype(str),
                "territory": scored["_territory"].astype(str),
                "n": 1,
                "total": values,
                "squares": values**2,
            }
        )
        .groupby(["dimension", "territory"], sort=False)
        .sum()
    )
    dimensions = list(dict.fromkeys(scores["dimension"].astype(str)))
    everyone = sums.groupby(level="dimension").sum().reindex(dimensions, fill_value=0)
    labels = {d: dimension_label(d, lang, config) for d in dimensions}
    out = {}
    for territory in sorted(scores["_territory"].dropna().astype(str).unique()):
        mine = (
            sums.xs(territory, level="territory")
            if territory in sums.index.get_level_values("territory")
            else everyone.iloc[0:0]
        ).reindex(dimensions, fill_value=0)
        groups = {"territory": mine, "others": everyone - mine, "all": everyone}
        rows = []
        for group, part in groups.items():
            n = part["n"].to_numpy(dtype=float)
            mean, sd, low, high = _intervals(
                n, part["total"].to_numpy(float), part["squares"].to_numpy(float)
            )
            label = t(f"analysis.group_{group}", lang, territory=territory)
            rows.append(
                pd.DataFrame(
                    {
                        "dimension": dimensions,
                        "dimension_label": [labels[d] for d in dimensions],
                        "group": group,
                        "group_label": label,
                        "n": n.astype(int),
                        "mean": mean,
                        "sd": sd,
                        "ci_low": low,
                        "ci_high": high,
                        "_order": range(len(dimensions)),
                    }
                )
            )
        table = (
            pd.concat(rows, ignore_index=True)
            .sort_values("_order", kind="stable")
            .drop(columns="_order")
            .reset_index(drop=True)
            .astype(_COLUMNS)
        )
        table = table.fillna({c: pd.NA for c in ("mean", "sd", "ci_low", "ci_high")})
        out[territory] = protect(
            table,
            count="n",
            min_count=min_count,
            margins=["dimension"],
            lang=lang,
            display=lambda row, lang: format_number(row["mean"], lang=lang),
        )
    return out
