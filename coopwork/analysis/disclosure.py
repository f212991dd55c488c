"""Disclosure control: the ONE function that decides what may be published.

Every table that leaves :mod:`coopwork.analysis` for a figure, a report, a dashboard or an
export passes through :func:`protect`. It adds two columns (see ``docs/architecture.md``):

``suppressed``
    bool, the row must not be shown;
``display``
    str, the text shown to people: the formatted value, or, when the row is suppressed, the label
    of the rule that hid it (:func:`hidden_label`): ``"< 3"`` (``"< {min_count}"``) for a cell
    hidden because it is small, ``"masqué"`` / ``"hidden"`` for a cell hidden to protect another
    (secondary) or by dominance — it may hold more than ``min_count``, so it must not say "< 3";
``rule``
    str, why the row is suppressed — the first rule that fired: ``min_count``, ``small_group``,
    ``dominance`` or ``secondary`` (see :data:`RULES`) — or ``""`` when it is shown;

and sets **every numeric column of a suppressed row to NA**, so that no builder downstream can
leak the value by mistake.

Rules, in the order they are applied
------------------------------------
1. **Primary suppression** (threshold rule): a row whose count is ``1 .. min_count - 1`` is
   suppressed. True zeros are shown as ``0`` (INSEE/Eurostat practice: a structural or
   observed zero reveals nothing about a person) — except in a group that is itself too small
   (rule 2). A missing count (NA) cannot be checked and is suppressed.
2. **Small groups**: with ``base=``, a row whose group size (the value of the ``base`` column, or
   the sum of several columns) is ``1 .. min_count - 1`` is suppressed whatever its count, zeros
   included, so a group of two respondents is never visible.
3. **Dominance rule** (1, 85 %): with ``dominance=0.85``, a sum cell where one unit contributes more
   than 85 % of the total is suppressed. It needs the per-cell total and largest contribution
   (columns ``total_column`` and ``largest_column``).
4. **Secondary suppression**: with ``margins=``, a table whose totals are published is protected
   against subtraction: in every *line* (a set of cells that add up to a published total) that
   has exactly one suppressed cell, the smallest other non-zero cell is suppressed too; this is
   repeated until no line has a single suppressed cell.
5. Rows already marked ``suppressed`` by an earlier call stay suppressed, with the rule that
   fired then.
6. **Other counts** published next to a shown row (``other_counts``, by default the ``missing``
   column: how many respondents the question applied to did not answer) follow the threshold
   rule too: a value of ``1 .. min_count - 1`` becomes NA (the row itself stays shown), so that
   "2 did not answer" is never published.

The ``rule`` column, with the thresholds of the results (``min_count`` and :data:`DOMINANCE`), is
the disclosure audit that every published output carries (:mod:`coopwork.results.audit`). The
rule also decides how the hidden cell reads (:func:`hidden_label`) and what the legend of a chart
or table says about its hidden cells (:func:`hidden_legend`): one place for every output.

Consent to be named (networks): :func:`visible_label` decides whether an organisation's name
may be shown; only an explicit *yes* does.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"option": ["a", "b", "c"], "n": [12, 2, 0]})
>>> protected = protect(table)
>>> protected[["option", "n", "suppressed", "display"]]
  option     n  suppressed display
0      a    12       False      12
1      b  <NA>        True     < 3
2      c     0       False       0
>>> protected["rule"].tolist()
['', 'min_count', '']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..i18n import t
from ..threshold import DEFAULT_MIN_COUNT, check_min_count
from ..values import format_number, format_percent  # how numbers read: the base layer's

__all__ = [
    "DEFAULT_MIN_COUNT",
    "DOMINANCE",
    "RULES",
    "format_number",
    "format_percent",
    "has_consent",
    "hidden_label",
    "hidden_legend",
    "is_small",
    "small",
    "protect",
    "visible_label",
]

#: Default dominance threshold: one unit must not make more than 85 % of a published sum.
DOMINANCE = 0.85

#: the rules that suppress a cell, in the order they are applied (the values of the ``rule`` column)
RULES = ("min_count", "small_group", "dominance", "secondary")
#: the rules of a cell hidden because it (or its group) is small: it holds 1 .. min_count - 1 units
SMALL_RULES = ("min_count", "small_group")

_YES = frozenset({"yes", "oui", "y", "o", "true", "1", "vrai", "si", "sí", "ja", "da", "sim"})

Display = str | Callable[[Mapping[str, object], str], str] | None


def has_consent(consent: object) -> bool:
    """True only for an explicit yes (``oui``, ``yes``, ``true``, ``1``…); NA, ``non``, anything else: False.

    Examples
    --------
    >>> has_consent("oui"), has_consent("non"), has_consent(None), has_consent(True)
    (True, False, False, True)
    """
    if consent is None or consent is pd.NA:
        return False
    if isinstance(consent, bool | np.bool_):
        return bool(consent)
    try:
        if pd.isna(consent):
            return False
    except (TypeError, ValueError):
        return False
    return str(consent).strip().lower() in _YES


def visible_label(name: object, *, consent: object, lang: str | None = None) -> str | None:
    """The label under which an organisation may appear in a published figure or table.

    Parameters
    ----------
    name
        The organisation's name (as pseudonymised/stored).
    consent
        The answer to the ``name_consent`` question. Only an explicit yes (``oui``, ``yes``,
        ``true``, ``1``…) lets the name be shown; ``non``, a missing answer or an unknown value
        keep the organisation anonymous — partners named by others, who were never asked,
        stay anonymous too.
    lang
        ``None`` (default): return ``None`` for an anonymous organisation, so the caller draws an
        unlabelled node. A language code: return the translated placeholder
        ("organisation anonyme" / "anonymous organisation").

    Returns
    -------
    str or None

    Examples
    --------
    >>> visible_label("Coop Alpha", consent="oui")
    'Coop Alpha'
    >>> visible_label("Coop Alpha", consent="non") is None
    True
    >>> visible_label("Coop Alpha", consent=None, lang="fr")
    'organisation anonyme'
    """
    missing_name = name is None or name is pd.NA or (isinstance(name, float) and np.isnan(name))
    if not missing_name and has_consent(consent):
        text = str(name).strip()
        if text:
            return text
    return None if lang is None else t("analysis.anonymous_organisation", lang)


def is_small(count: object, min_count: int = DEFAULT_MIN_COUNT) -> bool:
    """True for a count of ``1 .. min_count - 1`` respondents: one that must not be published.

    Examples
    --------
    >>> is_small(0), is_small(2), is_small(3), is_small(None)
    (False, True, False, False)
    """
    if count is None or pd.isna(count):
        return False
    return bool(small(np.array([float(count)]), min_count)[0])


def small(counts: np.ndarray, min_count: int = DEFAULT_MIN_COUNT) -> np.ndarray:
    """The one comparison that hides a count, on an array: ``1 .. min_count - 1`` (0 and NaN are not).

    Examples
    --------
    >>> small(np.array([0, 1, 2, 3, np.nan])).tolist()
    [False, True, True, False, False]
    """
    threshold = check_min_count(min_count)
    with np.errstate(invalid="ignore"):
        return (counts > 0) & (counts < threshold)


def hidden_label(rule: str, *, min_count: int = DEFAULT_MIN_COUNT, lang: str | None = "fr") -> str:
    """How a hidden cell reads, decided by the rule that hid it (the ``rule`` column of :func:`protect`).

    A cell hidden because it, or its group, is small reads ``"< 3"`` (the threshold in force): that
    is true of it. A cell hidden to protect another (``secondary``) or because one unit dominates its
    sum (``dominance``) may hold any number, so it reads ``"masqué"`` / ``"hidden"``; the legend
    (:func:`hidden_legend`) says why.

    Examples
    --------
    >>> hidden_label("min_count", lang="fr"), hidden_label("small_group", min_count=5, lang="en")
    ('< 3', '< 5')
    >>> hidden_label("secondary", lang="fr"), hidden_label("dominance", lang="en")
    ('masqué', 'hidden')
    """
    if rule in SMALL_RULES or rule not in RULES:  # an unknown or missing rule: the first rule's label
        return t("analysis.suppressed", lang, min_count=max(int(min_count), 1))
    return t("analysis.hidden_other", lang)


def hidden_legend(rules: object, *, min_count: int = DEFAULT_MIN_COUNT, lang: str | None = "fr") -> str:
    """What the legend of a chart or table says of its hidden cells: one sentence per label it shows.

    ``rules`` are the rules of its hidden cells (any iterable of the ``rule`` values; empty: no hidden
    cell, no sentence).

    Examples
    --------
    >>> hidden_legend(["min_count", "min_count"], lang="en")
    '"< 3": fewer than 3 answers, value hidden.'
    >>> for sentence in hidden_legend(["secondary", "min_count"], min_count=5, lang="en").split(". "):
    ...     print(sentence)
    "< 5": fewer than 5 answers, value hidden
    "hidden": hidden so that the totals do not reveal a smaller cell; it may hold 5 answers or more.
    >>> hidden_legend([], lang="fr")
    ''
    """
    found = {str(rule) if str(rule) in RULES else "min_count" for rule in rules}
    k = max(int(min_count), 1)
    label = t("analysis.hidden_other", lang)
    parts = []
    if found & set(SMALL_RULES):
        parts.append(t("analysis.legend_small", lang, min_count=k))
    if "secondary" in found:
        parts.append(t("analysis.legend_secondary", lang, label=label, min_count=k))
    if "dominance" in found:
        parts.append(t("analysis.legend_dominance", lang, label=label, share=round(DOMINANCE * 100)))
    return " ".join(parts)


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _default_display(count: str, lang: str) -> Callable[[Mapping[str, object], str], str]:
    def show(row: Mapping[str, object], lang: str = lang) -> str:
        value = row[count]
        decimals = 0 if pd.isna(value) or float(value).is_integer() else 1
        return format_number(value, decimals=decimals, lang=lang)

    return show


def _lines(table: pd.DataFrame, margins: Sequence[str | Sequence[str] | None]) -> list[np.ndarray]:
    """Positions of the cells of every line whose total is published."""
    lines: list[np.ndarray] = []
    for spec in margins:
        keys = _as_list(spec)
        if not keys:
            lines.append(np.arange(len(table)))
            continue
        codes = table.groupby(keys, dropna=False, sort=False).ngroup().to_numpy()
        order = np.argsort(codes, kind="stable")
        bounds = np.flatnonzero(np.diff(codes[order])) + 1
        lines.extend(np.split(order, bounds))
    return lines


def _secondary(counts: np.ndarray, suppressed: np.ndarray, lines: list[np.ndarray]) -> np.ndarray:
    suppressed = suppressed.copy()
    changed = True
    while changed:
        changed = False
        for line in lines:
            if len(line) < 2 or suppressed[line].sum() != 1:
                continue
            candidates = line[~suppressed[line]]
            values = counts[candidates]
            positive = candidates[values > 0]
            pool = positive if len(positive) else candidates
            # the smallest contribution is the cheapest cell to hide; ties → first in table order
            pick = pool[np.argmin(counts[pool])]
            suppressed[pick] = True
            changed = True
    return suppressed


def protect(
    table: pd.DataFrame,
    *,
    count: str = "n",
    min_count: int = DEFAULT_MIN_COUNT,
    value_columns: Sequence[str] | None = None,
    dominance: float | None = None,
    margins: Sequence[str | Sequence[str] | None] | None = None,
    lang: str = "fr",
    base: str | Sequence[str] | None = None,
    total_column: str = "total",
    largest_column: str = "largest",
    display: Display = None,
    other_counts: Sequence[str] = ("missing",),
) -> pd.DataFrame:
    """Mark the rows that must not be published, blank their numbers and add a ``display`` text.

    Parameters
    ----------
    table
        One row per published cell. Not modified.
    count
        Column holding the **unweighted** number of respondents behind the row.
    min_count
        Smallest count that may be shown (default 3). ``min_count=1`` switches primary
        suppression off (zeros and ones shown).
    value_columns
        Columns to set to NA on suppressed rows; default: every numeric column (counts,
        percentages, means, intervals, bases…). Non-numeric columns (labels, keys) are kept.
    dominance
        Dominance threshold, e.g. ``0.85``: a row where ``largest_column / total_column``
        exceeds it is suppressed. ``None`` (default): no dominance rule.
    margins
        The lines whose totals are published, each given by the column(s) that identify a line:
        ``["row", "column"]`` for a two-way table with row and column totals, ``[["group"]]`` for
        options summing to a group's base, ``[None]`` for a single line (the whole table).
        ``None`` (default): no secondary suppression.
    lang
        Language of the display texts.
    base
        Column (or columns, summed) giving the size of the group each row belongs to; rows of a
        group of ``1 .. min_count - 1`` respondents are suppressed, zeros included.
    total_column, largest_column
        Columns used by the dominance rule.
    display
        How to write a shown row: a column name (formatted as a number), or a function
        ``(row, lang) -> str`` where ``row`` is a mapping column → value. Default: the ``count``
        column.
    other_counts
        Further count columns published with the row (rule 6; default ``missing``, when the
        table has it): values of ``1 .. min_count - 1`` are set to NA.

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with ``suppressed`` (bool), ``display`` (str) and ``rule`` (str: the
        rule that hid the row, ``""`` when shown) columns and NA in the numeric columns of
        suppressed rows.

    Examples
    --------
    Secondary suppression in a two-way table with margins: the single small cell of each line
    would be recovered from the totals, so the next smallest cell is hidden too.

    >>> import pandas as pd
    >>> cells = pd.DataFrame({"row": ["x", "x", "y", "y"], "column": ["a", "b", "a", "b"],
    ...                       "n": [2, 10, 7, 9]})
    >>> protected = protect(cells, margins=["row", "column"])
    >>> protected["display"].tolist(), protected["rule"].tolist()
    (['< 3', 'masqué', 'masqué', 'masqué'], ['min_count', 'secondary', 'secondary', 'secondary'])

    Dominance on a sum (one organisation holds 90 % of the jobs):

    >>> sums = pd.DataFrame({"n": [5, 4], "total": [100.0, 40.0], "largest": [90.0, 12.0]})
    >>> protect(sums, dominance=0.85, display="total", lang="en")["display"].tolist()
    ['hidden', '40']
    """
    if count not in table.columns:
        raise KeyError(f"protect(): the table has no count column {count!r}")
    out = table.copy()
    counts = pd.to_numeric(out[count], errors="coerce").astype("Float64")
    count_values = counts.fillna(np.nan).to_numpy(dtype=float, na_value=np.nan)
    threshold = check_min_count(min_count)

    rules = np.full(len(out), "", dtype=object)
    if "suppressed" in out.columns:  # an earlier call's rule stays
        earlier = out["suppressed"].fillna(True).to_numpy(dtype=bool)
        before = (out["rule"].fillna("").astype(str).to_numpy(dtype=object) if "rule" in out.columns
                  else np.full(len(out), "min_count", dtype=object))
        rules[earlier] = np.where(before[earlier] == "", "min_count", before[earlier])

    def fire(mask: np.ndarray, rule: str) -> None:
        rules[mask & (rules == "")] = rule

    fire(np.isnan(count_values) | small(count_values, threshold), "min_count")
    if base is not None:
        size = out[_as_list(base)].apply(pd.to_numeric, errors="coerce").sum(axis=1, min_count=1)
        size_values = size.to_numpy(dtype=float, na_value=np.nan)
        fire(small(size_values, threshold), "small_group")
    if dominance is not None:
        total = pd.to_numeric(out[total_column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        largest = pd.to_numeric(out[largest_column], errors="coerce").to_numpy(dtype=float,
                                                                                na_value=np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(total > 0, largest / total, 0.0)
        fire(np.nan_to_num(share, nan=1.0) > dominance, "dominance")
    suppressed = rules != ""
    if margins:
        filled = np.nan_to_num(count_values, nan=0.0)
        fire(_secondary(filled, suppressed, _lines(out, margins)), "secondary")
        suppressed = rules != ""

    if value_columns is None:
        value_columns = [c for c in out.columns
                         if c not in {"suppressed", "display", "rule"}
                         and pd.api.types.is_numeric_dtype(out[c])
                         and not pd.api.types.is_bool_dtype(out[c])]
    mask = pd.Series(suppressed, index=out.index)
    for column in value_columns:
        series = out[column]
        if pd.api.types.is_integer_dtype(series) and not isinstance(series.dtype, pd.Int64Dtype):
            series = series.astype("Int64")
        elif pd.api.types.is_float_dtype(series) and not isinstance(series.dtype, pd.Float64Dtype):
            series = series.astype("Float64")
        out[column] = series.mask(mask)
    for column in other_counts:  # rule 6, after the group-size rule has read them
        if column in out.columns:
            values = pd.to_numeric(out[column], errors="coerce")
            out[column] = out[column].mask((values > 0) & (values < threshold))

    if display is None:
        display = _default_display(count, lang)
    elif isinstance(display, str):
        column = display
        display = lambda row, lang, _c=column: format_number(  # noqa: E731
            row[_c], decimals=0 if pd.isna(row[_c]) or float(row[_c]).is_integer() else 1, lang=lang)
    labels = {rule: hidden_label(rule, min_count=threshold, lang=lang) for rule in set(rules)}
    records = out.to_dict("records")  # plain dicts: much faster than iterrows
    texts = [labels[rule] if flag else display(row, lang)
             for flag, rule, row in zip(suppressed, rules, records, strict=True)]
    out["suppressed"] = pd.Series(suppressed, index=out.index, dtype=bool)
    out["display"] = pd.Series(texts, index=out.index, dtype="str")
    out["rule"] = pd.Series(rules, index=out.index, dtype="str")
    return out
