"""Statistics against textbook formulas and scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from coopwork.analysis.stats import (
    contingency_test,
    effective_n,
    mean_interval,
    welch_interval,
    wilson_interval,
)


@pytest.mark.parametrize(("x", "n"), [(0, 10), (1, 10), (5, 10), (10, 10), (17, 43), (3, 4), (120, 400)])
def test_wilson_matches_the_textbook_formula(x, n, wilson):
    low, high = wilson_interval(x, n)
    expected = wilson(x, n)
    assert float(low) == pytest.approx(max(expected[0], 0.0), abs=1e-12)
    assert float(high) == pytest.approx(min(expected[1], 1.0), abs=1e-12)


def test_wilson_vectorised_and_empty_base(wilson):
    low, high = wilson_interval(np.array([2, 0]), np.array([8, 0]))
    assert low[0] == pytest.approx(wilson(2, 8)[0])
    assert np.isnan(low[1]) and np.isnan(high[1])


def test_wilson_other_confidence(wilson):
    low, _ = wilson_interval(4, 20, confidence=0.9)
    assert float(low) == pytest.approx(wilson(4, 20, z=sps.norm.ppf(0.95))[0])


def test_effective_n():
    w = np.array([0.5, 1.0, 2.0, 2.0, np.nan])
    assert effective_n(w) == pytest.approx(5.5**2 / (0.25 + 1 + 4 + 4))


def test_mean_interval_matches_scipy():
    x = np.array([12.0, 40.0, 55.5, 60.0, 81.0, np.nan])
    n, mean, sd, low, high = mean_interval(x)
    clean = x[~np.isnan(x)]
    ref = sps.t.interval(0.95, len(clean) - 1, loc=clean.mean(), scale=sps.sem(clean))
    assert (n, mean, sd) == (5, pytest.approx(clean.mean()), pytest.approx(clean.std(ddof=1)))
    assert (low, high) == (pytest.approx(ref[0]), pytest.approx(ref[1]))
    assert mean_interval([7.0])[3:] == (pytest.approx(float("nan"), nan_ok=True),) * 2
    assert mean_interval([])[0] == 0


def test_welch_interval_matches_scipy():
    a = np.array([40.0, 52.0, 61.0, 47.5])
    b = np.array([55.0, 70.0, 66.0, 90.0, 72.0, 58.0])
    change, low, high, dof = welch_interval(a, b)
    ref = sps.ttest_ind(b, a, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert change == pytest.approx(b.mean() - a.mean())
    assert (low, high) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert dof == pytest.approx(ref.df)
    assert np.isnan(welch_interval([1.0], [2.0, 3.0])[1])


def test_chi_square_on_a_large_table_matches_scipy():
    table = np.array([[20, 15, 30], [25, 30, 12], [10, 22, 18]])
    result = contingency_test(table)
    statistic, pvalue, dof, expected = sps.chi2_contingency(table)
    assert result["method"] == "chi2"
    assert result["statistic"] == pytest.approx(statistic)
    assert result["pvalue"] == pytest.approx(pvalue)
    assert result["dof"] == dof and result["n"] == table.sum()
    assert result["min_expected"] == pytest.approx(expected.min())


def test_two_by_two_with_small_expected_counts_uses_fisher():
    table = np.array([[7, 1], [2, 6]])
    result = contingency_test(table)
    odds, pvalue = sps.fisher_exact(table)
    assert result["method"] == "fisher"
    assert result["pvalue"] == pytest.approx(pvalue) and result["statistic"] == pytest.approx(odds)


def test_two_by_two_with_large_counts_uses_yates_chi_square():
    table = np.array([[30, 20], [18, 32]])
    result = contingency_test(table)
    assert result["method"] == "chi2"
    assert result["pvalue"] == pytest.approx(sps.chi2_contingency(table, correction=True)[1])


def test_small_larger_table_uses_a_reproducible_permutation_test():
    table = np.array([[6, 1, 0], [1, 5, 1], [0, 2, 6]])
    first = contingency_test(table, seed=3, resamples=1999)
    again = contingency_test(table, seed=3, resamples=1999)
    assert first["method"] == "chi2_monte_carlo" and first == again
    assert first["statistic"] == pytest.approx(sps.chi2_contingency(table)[0])
    # independent reference: scipy's own permutation test of the same statistic
    rows = np.repeat(np.arange(3), table.sum(axis=1))
    cols = np.concatenate([np.repeat(np.arange(3), r) for r in table])

    row_hot = np.eye(3)[rows]

    def statistic(c, axis=-1):
        observed = np.einsum("nr,...nc->...rc", row_hot, np.eye(3)[c])
        total = c.shape[-1]
        expected = observed.sum(-1, keepdims=True) * observed.sum(-2, keepdims=True) / total
        return ((observed - expected) ** 2 / expected).sum(axis=(-2, -1))

    ref = sps.permutation_test((cols,), statistic, permutation_type="pairings", n_resamples=1999,
                               alternative="greater", vectorized=True, random_state=11)
    assert first["pvalue"] == pytest.approx(ref.pvalue, abs=0.01)


def test_degenerate_tables_give_no_test():
    assert contingency_test([[5, 0], [7, 0]])["method"] == "none"  # one column is empty
    assert math.isnan(contingency_test([[3, 4]])["pvalue"])
