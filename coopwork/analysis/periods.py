"""Dates and times counted by period: the periods follow the spread of the answers.

:func:`periods` turns the answers to a date, datetime or time question into one period each —
a **day** when the answers span a month at most, a **month** up to three years, else a
**year**; a time of day by **hour** — with every period between the first and the last answer
(empty ones included, so that a gap shows). The summary counts them like the options of a single
choice (:func:`coopwork.analysis.summary.prepare`), under the same disclosure control: a period of
1 or 2 answers is hidden.

Examples
--------
>>> import pandas as pd
>>> found = periods(pd.Series(pd.to_datetime(["2024-01-15", "2024-03-02", None])), "date")
>>> found.options, found.chosen.sum(axis=0).tolist()
(['2024-01', '2024-02', '2024-03'], [1, 0, 1])
>>> found.label("2024-03", "en"), found.label("2024-03", "fr")
('Mar 2024', 'mars 2024')
>>> periods(pd.Series(["08:30:00.000+01:00", "17:05", None]), "time").options[:2]
['08', '09']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..i18n import t

__all__ = ["Periods", "period_label", "periods"]

#: a time of day as exported (``08:30``, ``08:30:00.000+01:00``): its hour
_HOUR = re.compile(r"^\s*(\d{1,2})[:h]")
#: the longest spread counted by day, by month (in days)
_BY_DAY, _BY_MONTH = 31, 3 * 366


@dataclass(frozen=True)
class Periods:
    """The periods of a question's answers: their keys in time order, each answer's period as a
    boolean matrix (rows × periods; a row without a readable answer has none), and their names."""

    unit: str  # "day", "month", "year" or "hour"
    options: list[str]
    chosen: np.ndarray

    @property
    def label(self) -> Callable[[str, str], str]:
        """``(key, lang) -> name`` of a period."""
        return period_label


def period_label(key: str, lang: str) -> str:
    """The name of a period key in ``lang``: ``2024``, ``mars 2024`` / ``Mar 2024``, ``14 mars 2024``,
    ``08 h`` / ``08:00``.

    Examples
    --------
    >>> period_label("2024-03-14", "en"), period_label("08", "fr"), period_label("2024", "de")
    ('14 Mar 2024', '08 h', '2024')
    """
    parts = key.split("-")
    if len(parts) == 1 and len(key) == 2:
        return t("analysis.period_hour", lang, hour=key)
    if len(parts) == 1:
        return key
    month = t("analysis.months", lang).split(",")[int(parts[1]) - 1].strip()
    if len(parts) == 2:
        return t("analysis.period_month", lang, month=month, year=parts[0])
    return t("analysis.period_day", lang, day=str(int(parts[2])), month=month, year=parts[0])


def _hours(values: pd.Series) -> pd.Series:
    def hour(value: object) -> float:
        match = _HOUR.match(str(value)) if isinstance(value, str) else None
        return float(match.group(1)) if match and int(match.group(1)) < 24 else np.nan

    return values.map(hour, na_action="ignore").astype(float)


def periods(values: pd.Series, kind: str) -> Periods:
    """The period of each answer (see the module docstring).

    Parameters
    ----------
    values
        The answers: datetimes (as stored for date and datetime questions) or, for a time
        question, texts such as ``08:30:00.000+01:00``.
    kind
        The question type: ``date``, ``datetime`` or ``time``.
    """
    if kind == "time":
        hours = _hours(values).to_numpy(dtype=float)
        known = ~np.isnan(hours)
        low, high = (int(hours[known].min()), int(hours[known].max())) if known.any() else (0, -1)
        options = [f"{h:02d}" for h in range(low, high + 1)]
        keys = np.array([f"{int(h):02d}" if ok else "" for h, ok in zip(hours, known, strict=True)],
                        dtype=object)
        return Periods("hour", options, _one_hot(keys, options))
    stamps = pd.to_datetime(values, errors="coerce")
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    known = stamps.notna().to_numpy(dtype=bool)
    if not known.any():
        return Periods("month", [], np.zeros((len(values), 0), dtype=bool))
    first, last = stamps[known].min(), stamps[known].max()
    span = (last - first).days
    unit, freq, fmt = (("day", "D", "%Y-%m-%d") if span <= _BY_DAY
                       else ("month", "M", "%Y-%m") if span <= _BY_MONTH else ("year", "Y", "%Y"))
    spread = pd.period_range(first.to_period(freq), last.to_period(freq), freq=freq)
    options = [p.strftime(fmt) for p in spread]
    keys = np.where(known, stamps.dt.strftime(fmt).fillna("").to_numpy(dtype=object), "")
    return Periods(unit, options, _one_hot(keys, options))


def _one_hot(keys: np.ndarray, options: list[str]) -> np.ndarray:
    column = {key: i for i, key in enumerate(options)}
    chosen = np.zeros((len(keys), len(options)), dtype=bool)
    for row, key in enumerate(keys):
        if key in column:
            chosen[row, column[key]] = True
    return chosen
