"""Cross-tabulation of two categorical variables, with Wilson intervals and a test of association.

Produces the *cross-tab table* (long form, one row per cell) read by the stacked bar figures
and the notebooks, and the result of :func:`association_test`.

Examples
--------
>>> import pandas as pd
>>> from coopwork.survey import Choice, Question, Survey
>>> yes_no = (Choice("oui", {"fr": "Oui"}), Choice("non", {"fr": "Non"}))
>>> kind = (Choice("scop", {"fr": "SCOP"}), Choice("asso", {"fr": "Association"}))
>>> survey = Survey("demo", "Démo", None, ["fr"], "fr", {
...     "org_type": Question("org_type", "select_one", {"fr": "Type"}, choices=kind),
...     "mutualise": Question("mutualise", "select_one", {"fr": "Mutualise"}, choices=yes_no)}, {})
>>> df = pd.DataFrame({"org_type": ["scop"] * 8 + ["asso"] * 7,
...                    "mutualise": ["oui"] * 5 + ["non"] * 3 + ["oui"] * 3 + ["non"] * 4})
>>> table = crosstab(df, survey, "org_type", "mutualise", lang="en")
>>> table.round(1)[["row", "column", "n", "percent", "ci_low", "ci_high", "display"]]
    row column  n  percent  ci_low  ci_high  display
0  scop    oui  5     62.5    30.6     86.3  5 (63%)
1  scop    non  3     37.5    13.7     69.4  3 (38%)
2  asso    oui  3     42.9    15.8     75.0  3 (43%)
3  asso    non  4     57.1    25.0     84.2  4 (57%)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import CoopworkError
from ..i18n import t
from ..survey import Survey
from .disclosure import DEFAULT_MIN_COUNT, format_number, format_percent, protect
from .selection import groups
from .stats import contingency_test, effective_n, wilson_interval
from .summary import weight_values

__all__ = ["association_test", "contingency", "crosstab"]

_NORMALIZE = ("row", "column", "all")


def _pairs(responses: pd.DataFrame, survey: Survey, row: str, column: str, lang: str
           ) -> tuple[pd.DataFrame, dict[str, str], dict[str, str], bool]:
    if row == column:
        raise CoopworkError("analysis_errors.cross_itself", name=row, column=column,
                            hint="analysis_errors.hint_cross_itself")
    rows = groups(responses, survey, row, lang=lang)
    cols = groups(responses, survey, column, lang=lang)
    pairs = rows.members.merge(cols.members, on="position", suffixes=("_row", "_column"))
    multiple = bool(rows.members["position"].duplicated().any()
                    or cols.members["position"].duplicated().any())
    return pairs, rows.labels, cols.labels, multiple


def contingency(responses: pd.DataFrame, survey: Survey, row: str, column: str, *, lang: str = "fr",
                weights: str | pd.Series | None = None) -> pd.DataFrame:
    """The (unprotected) contingency matrix: categories of ``row`` × categories of ``column``.

    For statistics only — never publish it: use :func:`crosstab`. Respondents missing either
    answer are left out; with ``weights`` the cells are sums of weights.

    Examples
    --------
    >>> import pandas as pd
    >>> from coopwork.survey import Choice, Question, Survey
    >>> c = (Choice("a", {"fr": "A"}), Choice("b", {"fr": "B"}))
    >>> questions = {q: Question(q, "select_one", choices=c) for q in "xy"}
    >>> survey = Survey("d", "D", None, ["fr"], "fr", questions, {})
    >>> contingency(pd.DataFrame({"x": ["a", "a", "b"], "y": ["b", "b", "a"]}), survey, "x", "y")
    y  a  b
    x
    a  0  2
    b  1  0
    """
    pairs, row_labels, column_labels, _ = _pairs(responses, survey, row, column, lang)
    w = weight_values(responses, weights)
    values = np.ones(len(pairs)) if w is None else w[pairs["position"].to_numpy()]
    matrix = (pd.DataFrame({"r": pairs["group_row"], "c": pairs["group_column"], "v": values})
              .pivot_table(index="r", columns="c", values="v", aggfunc="sum", fill_value=0)
              .reindex(index=list(row_labels), columns=list(column_labels), fill_value=0))
    if w is None:
        matrix = matrix.astype(int)
    matrix.index.name, matrix.columns.name = row, column
    return matrix


def crosstab(responses: pd.DataFrame, survey: Survey, row: str, column: str, *, normalize: str = "row",
             lang: str = "fr", weights: str | pd.Series | None = None,
             min_count: int = DEFAULT_MIN_COUNT) -> pd.DataFrame:
    """Cross-tabulate two categorical variables, every category of both shown.

    Parameters
    ----------
    responses
        Processed responses table (filtered as wanted).
    survey
        The survey (categories in choice order, labels).
    row, column
        select_one or select_multiple questions, ``"_territory"`` or ``"_wave"``. A respondent
        with several options of a select_multiple counts in each of them.
    normalize
        ``"row"`` (default: percentages within each row), ``"column"`` or ``"all"``.
    lang
        Language of the labels.
    weights
        Optional survey weights (column name or Series): ``n`` stays the unweighted count
        (it decides disclosure), ``n_weighted`` and ``percent_weighted`` are added.
    min_count
        Disclosure threshold.

    Returns
    -------
    pandas.DataFrame
        One row per cell, rows in the order of ``row``'s categories then ``column``'s:
        ``row``, ``row_label``, ``column``, ``column_label`` (category codes and labels),
        ``n`` (respondents in the cell), ``base`` (the denominator: row, column or grand total
        following ``normalize``, counted in respondents: with a select_multiple, a respondent
        counts once in the base and in each of their options, so row percentages may add up to
        more than 100 %), ``percent`` (``100 * n / base``), ``ci_low``, ``ci_high``
        (95 % Wilson interval, 0–100; weighted proportion with Kish's effective base when
        weighted), ``n_weighted``, ``percent_weighted`` (with weights), ``suppressed``,
        ``display`` (``"5 (83 %)"``). ``attrs``: ``row``, ``column``, ``row_question_label``,
        ``column_question_label``, ``normalize``, ``min_count``, ``lang``.

        Disclosure: cells of 1 or 2 respondents and cells whose denominator is under
        ``min_count`` are suppressed, then secondary suppression over rows and columns (row and
        column totals can be derived from the table and from the summaries). A row or a column
        counting fewer than ``min_count`` respondents is hidden whole, zeros included.
    """
    if normalize not in _NORMALIZE:
        raise CoopworkError("analysis_errors.normalize", value=normalize,
                            hint="analysis_errors.hint_one_of", choices=", ".join(map(str, _NORMALIZE)))
    pairs, row_labels, column_labels, _ = _pairs(responses, survey, row, column, lang)
    counts = contingency(responses, survey, row, column, lang=lang).to_numpy(dtype=float)
    w = weight_values(responses, weights)
    if w is not None:
        weighted = contingency(responses, survey, row, column, lang=lang,
                               weights=weights).to_numpy(dtype=float)
    r_codes, c_codes = list(row_labels), list(column_labels)
    shape = (len(r_codes), len(c_codes))
    # denominators count respondents (a select_multiple respondent once, not once per option)
    unique_pairs = {"row": pairs[["position", "group_row"]].drop_duplicates(),
                    "column": pairs[["position", "group_column"]].drop_duplicates()}
    row_resp = unique_pairs["row"].groupby("group_row").size().reindex(r_codes, fill_value=0).to_numpy()
    col_resp = unique_pairs["column"].groupby("group_column").size().reindex(c_codes, fill_value=0).to_numpy()
    everyone = pairs["position"].drop_duplicates().to_numpy()
    cells = {"row": np.broadcast_to(row_resp[:, None], shape),
             "column": np.broadcast_to(col_resp[None, :], shape),
             "all": np.full(shape, len(everyone))}
    base = cells[normalize].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(base > 0, 100 * counts / base, np.nan)
    low, high = wilson_interval(counts, base)
    table = pd.DataFrame({
        "row": pd.array(np.repeat(r_codes, len(c_codes)), dtype="str"),
        "row_label": pd.array(np.repeat(list(row_labels.values()), len(c_codes)), dtype="str"),
        "column": pd.array(np.tile(c_codes, len(r_codes)), dtype="str"),
        "column_label": pd.array(np.tile(list(column_labels.values()), len(r_codes)), dtype="str"),
        "n": pd.array(counts.ravel().astype(int), dtype="Int64"),
        "base": pd.array(base.ravel().astype(int), dtype="Int64"),
        "percent": pd.array(percent.ravel(), dtype="Float64"),
        "ci_low": pd.array(100 * low.ravel(), dtype="Float64"),
        "ci_high": pd.array(100 * high.ravel(), dtype="Float64"),
    })
    if w is not None:
        # weighted denominators and Kish's effective sizes over the respondents of each denominator
        sets = {"row": [unique_pairs["row"].loc[unique_pairs["row"]["group_row"] == r, "position"].to_numpy()
                        for r in r_codes],
                "column": [unique_pairs["column"].loc[unique_pairs["column"]["group_column"] == c,
                                                      "position"].to_numpy() for c in c_codes],
                "all": [everyone]}[normalize]
        sums = np.array([w[p].sum() for p in sets])
        effs = np.array([effective_n(w[p]) for p in sets])
        expand = {"row": lambda v: np.broadcast_to(v[:, None], shape),
                  "column": lambda v: np.broadcast_to(v[None, :], shape),
                  "all": lambda v: np.full(shape, v[0])}[normalize]
        wbase, eff_cells = expand(sums), expand(effs)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(wbase > 0, weighted / wbase, np.nan)
        wlow, whigh = wilson_interval(share * eff_cells, eff_cells)
        table["n_weighted"] = pd.array(weighted.ravel(), dtype="Float64")
        table["percent_weighted"] = pd.array(100 * share.ravel(), dtype="Float64")
        table["ci_low"] = pd.array(100 * wlow.ravel(), dtype="Float64")
        table["ci_high"] = pd.array(100 * whigh.ravel(), dtype="Float64")
    # a row or a column of fewer than min_count respondents is hidden whole, zeros included
    table["_row_total"] = pd.array(np.repeat(row_resp, len(c_codes)).astype(int), dtype="Int64")
    table["_column_total"] = pd.array(np.tile(col_resp, len(r_codes)).astype(int), dtype="Int64")
    first = protect(table, count="n", min_count=min_count, base="_row_total", lang=lang)
    out = protect(first.drop(columns="display"), count="n", min_count=min_count, base="_column_total",
                  margins=["row", "column"], lang=lang, display=_display)
    out = out.drop(columns=["_row_total", "_column_total"])
    out.attrs.update(row=row, column=column, normalize=normalize, min_count=min_count, lang=lang,
                     row_question_label=_label(survey, row, lang),
                     column_question_label=_label(survey, column, lang))
    return out


def _label(survey: Survey, name: str, lang: str) -> str:
    if name == "_territory":
        return t("analysis.territory", lang)
    if name == "_wave":
        return t("analysis.wave", lang)
    return survey.label(name, lang)


def _display(row: Mapping[str, object], lang: str) -> str:
    if pd.isna(row["percent"]):
        return format_number(row["n"], lang=lang)
    return f"{format_number(row['n'], lang=lang)} ({format_percent(row['percent'], lang=lang)})"


def association_test(
    responses: pd.DataFrame,
    survey: Survey,
    row: str,
    column: str,
    *,
    seed: int = 0,
    resamples: int = 4999,
    lang: str = "fr",
) -> dict[str, object]:
    """Is ``row`` associated with ``column``? The test the table allows, on unweighted counts.

    Chooses between Pearson's chi-square, Fisher's exact test (2 × 2 with an expected count
    under 5) and a seeded Monte-Carlo permutation chi-square (larger tables with small expected
    counts) — see :func:`~coopwork.analysis.stats.contingency_test`. Weights are not used: a
    design-based (Rao-Scott) test is out of scope, say so when reporting weighted tables.

    Returns
    -------
    dict
        ``method`` (``"chi2"``, ``"fisher"``, ``"chi2_monte_carlo"`` or ``"none"``),
        ``statistic``, ``dof``, ``pvalue``, ``n``, ``min_expected``, ``note`` (why no test or
        what to beware of, in ``lang``).
        With a select_multiple variable a respondent may count in several cells, which breaks
        the independence every test assumes: no test (``method="none"``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": list("aaaaaaaaabbbbbbb"), "y": list("aaaaaaaabbbbbbba")})
    >>> from coopwork.survey import Choice, Question, Survey
    >>> c = (Choice("a", {"fr": "A"}), Choice("b", {"fr": "B"}))
    >>> questions = {q: Question(q, "select_one", choices=c) for q in "xy"}
    >>> survey = Survey("d", "D", None, ["fr"], "fr", questions, {})
    >>> result = association_test(df, survey, "x", "y")
    >>> result["method"], round(result["pvalue"], 4)
    ('fisher', 0.0087)
    """
    _, _, _, multiple = _pairs(responses, survey, row, column, lang)
    matrix = contingency(responses, survey, row, column)
    if multiple:
        result = contingency_test(np.zeros((1, 1)))
        result.update(n=int(matrix.to_numpy().sum()))
        key = "analysis.test_multiple"
    else:
        result = contingency_test(matrix.to_numpy(), seed=seed, resamples=resamples)
        key = {"none": "analysis.test_none", "fisher": "analysis.test_fisher",
               "chi2_monte_carlo": "analysis.test_monte_carlo", "chi2": "analysis.test_chi2"}[
            str(result["method"])]
    result.update(note=t(key, lang))
    return result
