"""Dates and times counted by period: the periods follow the spread of the answers.

:func:`periods` turns the answers to a date, datetime or time question into one period each —
a **day** when the answers span a month at most, a **month** up to three years, else a
**year**; a time of day by **hour** — with every period between the first and the last answer
(empty ones included, so that a gap shows). The summary counts them like the options of a single
choice (:func:`coopwork.analysis.summary.prepare`), under the same disclosure control: a period of
1 or 2 answers is hidden. When that hides most periods, the results count the same answers by the
next, coarser unit of :data:`UNITS` (:func:`coarser`): quarters, years, decades; hours of the day
by blocks of three, then of six hours.

Examples
--------
>>> import pandas as pd
>>> found = periods(pd.Series(pd.to_datetime(["2024-01-15", "2024-03-02", None])), "date")
>>> found.unit, found.options, found.chosen.sum(axis=0).tolist()
('month', ['2024-01', '2024-02', '2024-03'], [1, 0, 1])
>>> found.label("2024-03", "en"), found.label("2024-03", "fr")
('Mar 2024', 'mars 2024')
>>> periods(pd.Series(["08:30:00.000+01:00", "17:05", None]), "time").options[:2]
['08', '09']
>>> coarser(found).options
['2024-Q1']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..i18n import t

__all__ = ["UNITS", "Periods", "coarser", "period_label", "periods"]

#: a time of day as exported (``08:30``, ``08:30:00.000+01:00``): its hour
_HOUR = re.compile(r"^\s*(\d{1,2})[:h]")
#: the longest spread counted by day, by month (in days)
_BY_DAY, _BY_MONTH = 31, 3 * 366
#: the units of the periods, finest first: dates, and times of day
UNITS = {"date": ("day", "month", "quarter", "year", "decade"), "time": ("hour", "hours3", "hours6")}
_FREQ = {"day": ("D", "%Y-%m-%d"), "month": ("M", "%Y-%m"), "quarter": ("Q", None), "year": ("Y", "%Y")}


@dataclass(frozen=True)
class Periods:
    """The periods of a question's answers: their keys in time order, each answer's period as a
    boolean matrix (rows × periods; a row without a readable answer has none), and their names."""

    unit: str
    options: list[str]
    chosen: np.ndarray
    values: pd.Series  # the answers read as datetimes (dates) or hours (times): to count them again

    @property
    def label(self) -> Callable[[str, str], str]:
        """``(key, lang) -> name`` of a period."""
        return period_label


def period_label(key: str, lang: str) -> str:
    """The name of a period key in ``lang``: ``2024``, ``mars 2024`` / ``Mar 2024``, ``14 mars 2024``,
    ``T1 2024`` / ``Q1 2024``, ``2010–2019``, ``08 h`` / ``08:00``, ``06 h–08 h`` / ``06:00–08:59``.

    Examples
    --------
    >>> period_label("2024-03-14", "en"), period_label("08", "fr"), period_label("2024", "de")
    ('14 Mar 2024', '08 h', '2024')
    >>> period_label("2024-Q2", "en"), period_label("2010s", "en"), period_label("06-08", "en")
    ('Q2 2024', '2010–2019', '6:00–8:59')
    """
    if key.endswith("s") and key[:-1].isdigit():  # a decade
        return f"{key[:-1]}–{int(key[:-1]) + 9}"
    if "-Q" in key:
        year, quarter = key.split("-Q")
        return t("analysis.period_quarter", lang, quarter=quarter, year=year)
    parts = key.split("-")
    if all(len(p) == 2 for p in parts):  # hours of the day
        if len(parts) == 1:
            return t("analysis.period_hour", lang, hour=key)
        return t("analysis.period_hours", lang, first=str(int(parts[0])), last=str(int(parts[1])))
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


def _by_hours(hours: pd.Series, unit: str) -> Periods:
    size = {"hour": 1, "hours3": 3, "hours6": 6}[unit]
    values = hours.to_numpy(dtype=float)
    known = ~np.isnan(values)
    starts = (values[known] // size * size).astype(int)
    low, high = (int(starts.min()), int(starts.max())) if known.any() else (0, -1)

    def key(start: int) -> str:
        return f"{start:02d}" if size == 1 else f"{start:02d}-{start + size - 1:02d}"

    options = [key(h) for h in range(low, high + 1, size)]
    keys = np.full(len(values), "", dtype=object)
    keys[known] = [key(int(s)) for s in starts]
    return Periods(unit, options, _one_hot(keys, options), hours)


def _by_dates(stamps: pd.Series, unit: str) -> Periods:
    known = stamps.notna().to_numpy(dtype=bool)
    if not known.any():
        return Periods(unit, [], np.zeros((len(stamps), 0), dtype=bool), stamps)
    first, last = stamps[known].min(), stamps[known].max()
    keys = np.full(len(stamps), "", dtype=object)
    if unit == "decade":
        options = [f"{d}s" for d in range(first.year // 10 * 10, last.year // 10 * 10 + 1, 10)]
        keys[known] = [f"{year // 10 * 10}s" for year in stamps[known].dt.year]
        return Periods(unit, options, _one_hot(keys, options), stamps)
    freq, fmt = _FREQ[unit]
    spread = pd.period_range(first.to_period(freq), last.to_period(freq), freq=freq)

    def name(period: pd.Period) -> str:
        return f"{period.year}-Q{period.quarter}" if unit == "quarter" else period.strftime(fmt)

    options = [name(p) for p in spread]
    keys[known] = [name(p) for p in stamps[known].dt.to_period(freq)]
    return Periods(unit, options, _one_hot(keys, options), stamps)


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
        return _by_hours(_hours(values), "hour")
    stamps = pd.to_datetime(values, errors="coerce")
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    known = stamps.notna().to_numpy(dtype=bool)
    span = (stamps[known].max() - stamps[known].min()).days if known.any() else 0
    unit = "day" if span <= _BY_DAY else "month" if span <= _BY_MONTH else "year"
    return _by_dates(stamps, unit)


def coarser(found: Periods) -> Periods | None:
    """The same answers by the next coarser unit of :data:`UNITS` (None after the coarsest).

    Examples
    --------
    >>> import pandas as pd
    >>> found = periods(pd.Series(pd.to_datetime(["2019-03-01", "2024-06-30"])), "date")
    >>> found.unit, coarser(found).unit, coarser(found).options, coarser(coarser(found))
    ('year', 'decade', ['2010s', '2020s'], None)
    """
    ladder = UNITS["time"] if found.unit.startswith("hour") else UNITS["date"]
    position = ladder.index(found.unit)
    if position + 1 >= len(ladder):
        return None
    unit = ladder[position + 1]
    return _by_hours(found.values, unit) if found.unit.startswith("hour") else _by_dates(found.values, unit)


def _one_hot(keys: np.ndarray, options: list[str]) -> np.ndarray:
    column = {key: i for i, key in enumerate(options)}
    chosen = np.zeros((len(keys), len(options)), dtype=bool)
    for row, key in enumerate(keys):
        if key in column:
            chosen[row, column[key]] = True
    return chosen
