"""Small statistics used by the builders: Wilson intervals, weights, tests of association, means.

Pure numpy/scipy on arrays; the builders (summary, crosstab, indicators) turn them into
tables. scipy.stats is imported inside the functions that need it: it costs 1.5 s, which
``import coopwork.analysis`` (``coopwork survey show``, ``coopwork codebook``) must not pay.

Examples
--------
>>> low, high = wilson_interval(8, 20)
>>> round(float(low), 4), round(float(high), 4)
(0.2188, 0.6134)
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

__all__ = [
    "contingency_test",
    "effective_n",
    "mean_interval",
    "welch_interval",
    "wilson_interval",
]


@cache
def _z(confidence: float) -> float:
    """Normal quantile of a two-sided interval (cached: scipy's ppf costs ~1 ms per call)."""
    from scipy.stats import norm  # lazy: scipy.stats, 1.5 s (see the module's note)

    return float(norm.ppf(0.5 + confidence / 2))


def wilson_interval(count: object, base: object, *,
                    confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion ``count / base`` (on the 0–1 scale).

    Better than the normal ("Wald") interval for small samples and proportions near 0 or 1,
    the usual case in a territory of 20 organisations. ``base`` may be a weighted effective
    size (not an integer). Where ``base`` is 0 or NA, both bounds are NaN.

    Parameters
    ----------
    count, base
        Scalars or arrays of the same shape.
    confidence
        Confidence level (default 95 %).

    Returns
    -------
    (low, high)
        Two float arrays (0-d for scalars).

    Examples
    --------
    >>> low, high = wilson_interval([0, 5], [10, 5])
    >>> low.round(3).tolist(), high.round(3).tolist()
    ([0.0, 0.566], [0.278, 1.0])
    """
    n = np.asarray(base, dtype=float)
    x = np.asarray(count, dtype=float)
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denominator = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
        low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


def effective_n(weights: Sequence[float] | np.ndarray) -> float:
    """Kish's effective sample size ``(Σw)² / Σw²`` (NA weights ignored).

    Used as the base of confidence intervals of weighted proportions.

    Examples
    --------
    >>> effective_n([1, 1, 1, 1]), round(effective_n([1, 1, 1, 3]), 3)
    (4.0, 3.0)
    """
    w = np.asarray(weights, dtype=float)
    w = w[~np.isnan(w)]
    total = w.sum()
    squares = (w**2).sum()
    return float(total**2 / squares) if squares > 0 else 0.0


def mean_interval(values: Sequence[float] | np.ndarray, *, confidence: float = 0.95
                  ) -> tuple[int, float, float, float, float]:
    """Mean and Student-t interval of ``values`` (NaN ignored).

    Returns
    -------
    (n, mean, sd, low, high)
        ``sd`` is the sample standard deviation (ddof=1); with fewer than 2 values the
        interval bounds (and sd) are NaN.

    Examples
    --------
    >>> n, mean, sd, low, high = mean_interval([50, 60, 70])
    >>> n, mean, sd, round(low, 2), round(high, 2)
    (3, 60.0, 10.0, 35.16, 84.84)
    """
    from scipy.stats import t as student  # lazy: scipy.stats, 1.5 s (see the module's note)

    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return 0, float("nan"), float("nan"), float("nan"), float("nan")
    mean = float(x.mean())
    if n < 2:
        return n, mean, float("nan"), float("nan"), float("nan")
    sd = float(x.std(ddof=1))
    half = float(student.ppf(0.5 + confidence / 2, n - 1)) * sd / np.sqrt(n)
    return n, mean, sd, float(mean - half), float(mean + half)


def welch_interval(before: Sequence[float] | np.ndarray, after: Sequence[float] | np.ndarray, *,
                   confidence: float = 0.95) -> tuple[float, float, float, float]:
    """Difference of means ``mean(after) - mean(before)`` with a Welch (unequal variances) interval.

    Returns
    -------
    (change, low, high, dof)
        NaN bounds when a side has fewer than 2 values or both variances are 0.

    Examples
    --------
    >>> change, low, high, dof = welch_interval([40, 50, 60], [55, 65, 75, 85])
    >>> change, round(low, 2), round(high, 2), round(dof, 2)
    (20.0, -2.32, 42.32, 4.96)
    """
    from scipy.stats import t as student  # lazy: scipy.stats, 1.5 s (see the module's note)

    a = np.asarray(before, dtype=float)
    b = np.asarray(after, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if a.size == 0 or b.size == 0:
        return float("nan"), float("nan"), float("nan"), float("nan")
    change = float(b.mean() - a.mean())
    if a.size < 2 or b.size < 2:
        return change, float("nan"), float("nan"), float("nan")
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = np.sqrt(va + vb)
    if se == 0:
        return change, float("nan"), float("nan"), float("nan")
    dof = float((va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1)))
    half = float(student.ppf(0.5 + confidence / 2, dof)) * se
    return change, float(change - half), float(change + half), dof


def _chi2_statistic(observed: np.ndarray) -> float:
    expected = observed.sum(axis=1, keepdims=True) * observed.sum(axis=0, keepdims=True) / observed.sum()
    return float(((observed - expected) ** 2 / expected).sum())


def contingency_test(observed: Sequence[Sequence[float]] | np.ndarray, *, seed: int = 0,
                     resamples: int = 4999) -> dict[str, object]:
    """Test of association on a contingency table, choosing the test the table allows.

    Rows and columns that are all zero are dropped first. Then:

    - fewer than 2 non-empty rows or columns: no test (``method="none"``, p-value NaN);
    - 2 × 2 table with an expected count under 5: **Fisher's exact test**
      (``scipy.stats.fisher_exact``, two-sided; ``statistic`` is the odds ratio);
    - larger table where more than 20 % of expected counts are under 5, or one is under 1
      (Cochran's rule): the chi-square approximation is unreliable, so a **Monte-Carlo
      permutation test** of the chi-square statistic (``method="chi2_monte_carlo"``,
      ``resamples`` permutations with a fixed ``seed``: reproducible);
    - otherwise Pearson's **chi-square** test (``scipy.stats.chi2_contingency``, with Yates'
      continuity correction on 2 × 2 tables, scipy's default).

    Returns
    -------
    dict
        ``method`` ("chi2", "fisher", "chi2_monte_carlo" or "none"), ``statistic``, ``dof``,
        ``pvalue``, ``n`` (total count), ``min_expected``.

    Examples
    --------
    >>> result = contingency_test([[8, 2], [1, 5]])
    >>> result["method"], round(result["pvalue"], 4)
    ('fisher', 0.035)
    """
    from scipy.stats import chi2_contingency, fisher_exact  # lazy: scipy.stats, 1.5 s (see the module's note)

    table = np.asarray(observed, dtype=float)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0] if table.size else table
    n = float(table.sum()) if table.size else 0.0
    result: dict[str, object] = {"method": "none", "statistic": float("nan"), "dof": 0,
                                 "pvalue": float("nan"), "n": round(n), "min_expected": float("nan")}
    if table.ndim != 2 or table.shape[0] < 2 or table.shape[1] < 2:
        return result
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / n
    dof = (table.shape[0] - 1) * (table.shape[1] - 1)
    result.update(dof=dof, min_expected=float(expected.min()))
    small = (expected < 5).mean()
    if table.shape == (2, 2) and expected.min() < 5:
        odds, pvalue = fisher_exact(np.rint(table).astype(int))
        result.update(method="fisher", statistic=float(odds), pvalue=float(pvalue))
        return result
    if small > 0.2 or expected.min() < 1:
        counts = np.rint(table).astype(int)
        rows = np.repeat(np.arange(counts.shape[0]), counts.sum(axis=1))
        cols = np.concatenate([np.repeat(np.arange(counts.shape[1]), r) for r in counts])
        statistic = _chi2_statistic(counts.astype(float))
        rng = np.random.default_rng(seed)
        shape = counts.shape
        expected_cells = expected.ravel()
        exceed, done = 0, 0
        while done < resamples:  # batches of permutations, vectorised
            size = min(1000, resamples - done)
            permuted = rng.permuted(np.broadcast_to(cols, (size, cols.size)), axis=1)
            flat = rows[None, :] * shape[1] + permuted + (np.arange(size) * counts.size)[:, None]
            simulated = np.bincount(flat.ravel(), minlength=size * counts.size).reshape(size, -1)
            chi2 = ((simulated - expected_cells) ** 2 / expected_cells).sum(axis=1)
            exceed += int((chi2 >= statistic - 1e-9).sum())
            done += size
        result.update(method="chi2_monte_carlo", statistic=statistic,
                      pvalue=(exceed + 1) / (resamples + 1))
        return result
    statistic, pvalue, dof, _ = chi2_contingency(table)
    result.update(method="chi2", statistic=float(statistic), pvalue=float(pvalue), dof=int(dof))
    return result
