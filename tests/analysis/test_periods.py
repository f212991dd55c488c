"""Dates and times by period: the unit follows the spread, every period in between is shown, and
coarser units are there for the disclosure control."""

from __future__ import annotations

import pandas as pd
import pytest

from coopwork.analysis.periods import coarser, period_label, periods
from coopwork.i18n import LANGS


def _dates(*texts: str | None) -> pd.Series:
    return pd.Series(pd.to_datetime(list(texts)))


@pytest.mark.parametrize(("dates", "unit", "first"), [
    (("2024-03-01", "2024-03-20"), "day", "2024-03-01"),
    (("2024-01-15", "2025-06-02"), "month", "2024-01"),
    (("2015-05-01", "2024-06-30"), "year", "2015"),
])
def test_the_unit_follows_the_spread_and_every_period_in_between_is_there(dates, unit, first):
    found = periods(_dates(*dates, None), "date")
    assert found.unit == unit and found.options[0] == first
    assert found.chosen.sum(axis=0).sum() == 2 and not found.chosen[2].any()  # a missing date: no period
    assert found.chosen.shape[1] == len(found.options) and found.chosen[:, 1:-1].sum() == 0  # empty gaps


def test_coarser_units_keep_every_answer():
    found = periods(_dates("2024-01-05", "2024-02-20", "2024-05-01", "2024-12-31"), "date")
    units = []
    while found is not None:
        units.append(found.unit)
        assert found.chosen.sum() == 4
        found = coarser(found)
    assert units == ["month", "quarter", "year", "decade"]


def test_times_of_day_by_hour_then_blocks():
    found = periods(pd.Series(["06:30:00.000+01:00", "7h15", "23:59", "not a time", None]), "time")
    assert found.unit == "hour" and found.options[0] == "06" and found.options[-1] == "23"
    assert found.chosen.sum() == 3
    assert coarser(found).options == ["06-08", "09-11", "12-14", "15-17", "18-20", "21-23"]
    assert coarser(coarser(found)).options == ["06-11", "12-17", "18-23"]


@pytest.mark.parametrize("lang", LANGS)
def test_every_period_has_a_name_in_every_language(lang):
    for key in ("2024", "2024-03", "2024-03-14", "2024-Q2", "2010s", "08", "06-08"):
        assert period_label(key, lang) and "{" not in period_label(key, lang)
