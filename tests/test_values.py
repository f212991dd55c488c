"""coopwork.values: when a cell holds nothing, a plain value for a file, a number in a language."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

from coopwork.values import attribute, format_number, format_percent, missing


@pytest.mark.parametrize("value", [None, pd.NA, pd.NaT, float("nan"), np.nan, np.float64("nan")])
def test_what_holds_nothing(value):
    assert missing(value)
    assert attribute(value) is None
    assert format_number(value) == format_percent(value) == ""


@pytest.mark.parametrize("value", [0, 0.0, "", "x", False, [1, 2], np.array([1.0, np.nan])])
def test_what_holds_something(value):
    assert not missing(value)


def test_infinite_numbers_read_as_nothing():
    assert format_number(float("inf")) == format_number(-np.inf) == ""


def test_numbers_in_each_language_round_half_up():
    assert format_number(2.5) == "3" and format_number(0.125, decimals=2, lang="en") == "0.13"
    assert format_number(1234567, lang="fr") == "1\u202f234\u202f567"
    assert format_number(pd.array([7], dtype="Int64")[0], lang="en") == "7"
    assert format_percent(12.34, decimals=1, lang="fr") == "12,3\u202f%"


def test_attributes_are_plain_python_values():
    assert attribute(np.int64(4)) == 4 and type(attribute(np.int64(4))) is int
    assert attribute(np.bool_(True)) is True
    assert attribute(datetime.date(2025, 3, 1)) == "2025-03-01"
    assert attribute(pd.Timestamp("2025-03-01 10:30")) == "2025-03-01T10:30:00"
    assert attribute("Coop") == "Coop" and attribute([1, 2]) == [1, 2]
