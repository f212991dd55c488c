"""Which wave: one rule for every consumer (coopwork.waves)."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from coopwork import waves

WAVE_IDS = st.lists(st.sampled_from(["2024", "2025", "2026", "2025-b", "vague1", "vague2"]), max_size=8)


@given(WAVE_IDS)
def test_current_is_the_last_in_order_and_previous_the_one_before(ids):
    order = waves.ordered(ids)
    assert order == sorted(set(ids))
    assert waves.current(ids) == (order[-1] if order else None)
    for index, wave in enumerate(order):
        assert waves.previous(ids, wave) == (order[index - 1] if index else None)


def test_missing_values_are_no_wave():
    assert waves.ordered(["2025", None, float("nan"), pd.NA]) == ["2025"]


def test_the_results_and_the_fingerprint_follow_the_rule():
    from coopwork.results.fingerprint import Fingerprint

    fp = Fingerprint("s", "c", {}, {"a": ["2024", "2025"], "_all": ["2024", "2025", "2026"]})
    assert fp.current_wave("a") == waves.current(["2024", "2025"]) == "2025"
    assert fp.current_wave(None) == "2026"
    assert fp.previous_wave("a", "2025") == waves.previous(["2024", "2025"], "2025") == "2024"
