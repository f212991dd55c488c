"""protect() and visible_label(): the one place that decides what is published."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopwork.analysis.disclosure import format_number, hidden_label, protect, visible_label
from coopwork.i18n import LANGS
from tests.strategies import examples


def test_primary_suppression_blanks_every_numeric_column_and_keeps_true_zeros():
    table = pd.DataFrame({"option": ["a", "b", "c", "d"], "n": [1, 2, 3, 0],
                          "percent": [10.0, 20.0, 30.0, 0.0], "label": ["A", "B", "C", "D"]})
    out = protect(table)
    assert out["suppressed"].tolist() == [True, True, False, False]
    assert out["display"].tolist() == ["< 3", "< 3", "3", "0"]
    assert out.loc[:1, "n"].isna().all() and out.loc[:1, "percent"].isna().all()
    assert out["label"].tolist() == ["A", "B", "C", "D"]  # keys and labels are kept
    assert table["n"].tolist() == [1, 2, 3, 0]  # input untouched


def test_min_count_is_configurable_and_shown_in_display():
    out = protect(pd.DataFrame({"n": [4, 5]}), min_count=5, lang="en")
    assert out["display"].tolist() == ["< 5", "5"]


def test_missing_count_is_suppressed():
    out = protect(pd.DataFrame({"n": pd.array([pd.NA, 7], dtype="Int64")}))
    assert out["suppressed"].tolist() == [True, False]


def test_the_missing_column_follows_the_threshold_rule_too():
    """Rule 6: "1 or 2 did not answer" is a count of respondents like any other."""
    table = pd.DataFrame({"option": list("abcde"), "n": [10, 10, 10, 10, 10], "base": [20] * 5,
                          "missing": pd.array([0, 1, 2, 3, pd.NA], dtype="Int64")})
    out = protect(table, base=["base", "missing"])
    assert out["suppressed"].tolist() == [False] * 5  # the rows stay shown
    assert out["missing"].tolist()[0] == 0 and out["missing"].tolist()[3] == 3
    assert out["missing"].isna().tolist() == [False, True, True, False, True]
    assert protect(table, min_count=1)["missing"].tolist()[1:3] == [1, 2]  # threshold off: shown
    assert protect(table.rename(columns={"missing": "gone"}), other_counts=["gone"])["gone"].isna().sum() == 3


def test_small_group_hides_its_zeros_too():
    table = pd.DataFrame({"group": ["g", "g", "h", "h"], "n": [2, 0, 5, 0], "base": [2, 2, 5, 5]})
    out = protect(table, base="base")
    assert out["suppressed"].tolist() == [True, True, False, False]
    assert out["base"].isna().tolist() == [True, True, False, False]


def test_dominance_rule():
    table = pd.DataFrame({"n": [10, 10, 10], "total": [100.0, 100.0, 0.0], "largest": [86.0, 85.0, 0.0]})
    out = protect(table, dominance=0.85)
    assert out["suppressed"].tolist() == [True, False, False]
    assert out["total"].isna().tolist() == [True, False, False]


def test_secondary_suppression_hides_the_next_smallest_cell_in_each_line():
    # 3 × 3 table; a single small cell (x, a) = 1.
    cells = pd.DataFrame({"row": list("xxxyyyzzz"), "column": list("abcabcabc"),
                          "n": [1, 4, 9, 5, 6, 7, 8, 10, 12]})
    out = protect(cells, margins=["row", "column"])
    hidden = set(zip(out.loc[out["suppressed"], "row"], out.loc[out["suppressed"], "column"], strict=True))
    # row x: smallest other cell is (x, b) = 4; column a: (y, a) = 5; then row y has one: (y, b) = 6
    # column b then has (x, b) and (y, b): two; column c none → done.
    assert hidden == {("x", "a"), ("x", "b"), ("y", "a"), ("y", "b")}
    # No line of the result has exactly one suppressed cell: totals cannot reveal a cell.
    for key in ("row", "column"):
        assert (out.groupby(key)["suppressed"].sum() != 1).all()


def test_secondary_suppression_on_a_single_line():
    out = protect(pd.DataFrame({"n": [20, 1, 6, 8]}), margins=[None])
    assert out["suppressed"].tolist() == [False, True, True, False]


def test_earlier_suppression_is_kept():
    table = protect(pd.DataFrame({"n": [1, 5]}))
    again = protect(table.assign(n=[9, 5]))
    assert again["suppressed"].tolist() == [True, False]


def test_display_function_and_language():
    table = pd.DataFrame({"n": [12], "percent": [33.333]})
    out = protect(table,
                  display=lambda row, lang: f"{row['n']} ({format_number(row['percent'], lang=lang)} %)")
    assert out["display"].tolist() == ["12 (33 %)"]


def test_missing_count_column_is_a_programming_error():
    with pytest.raises(KeyError, match="count column"):
        protect(pd.DataFrame({"x": [1]}))


@pytest.mark.parametrize(("consent", "expected"), [
    ("oui", "Coop A"), ("yes", "Coop A"), ("Oui ", "Coop A"), (True, "Coop A"),
    ("non", None), ("no", None), (None, None), (pd.NA, None), (np.nan, None), ("peut-être", None),
])
def test_visible_label(consent, expected):
    assert visible_label("Coop A", consent=consent) == expected


def test_visible_label_placeholder_in_both_languages():
    assert visible_label("Coop A", consent="non", lang="fr") == "organisation anonyme"
    assert visible_label("Coop A", consent="non", lang="en") == "anonymous organisation"
    assert visible_label(None, consent="oui") is None


def test_each_suppressed_cell_records_the_rule_that_fired():
    table = pd.DataFrame({"group": ["g", "g", "h", "h", "h", "h"], "n": [2, 0, 1, 12, 10, 30],
                          "base": [2, 2, 53, 53, 53, 53],
                          "total": [0.0, 0.0, 0.0, 0.0, 100.0, 0.0],
                          "largest": [0.0, 0.0, 0.0, 0.0, 90.0, 0.0]})
    out = protect(table, base="base", dominance=0.85, margins=["group"])
    # g: 2 is below 3 and its zero hides in a group of 2; h: 1 is below 3 and 10 is dominated, so
    # h has two hidden cells and its total gives neither away: no secondary suppression
    assert out["rule"].tolist() == ["min_count", "small_group", "min_count", "", "dominance", ""]
    single = protect(pd.DataFrame({"n": [20, 1, 6, 8]}), margins=[None])
    assert single["rule"].tolist() == ["", "min_count", "secondary", ""]


def test_an_earlier_rule_is_kept_and_shown_rows_have_none():
    first = protect(pd.DataFrame({"n": [5, 5], "total": [10.0, 10.0], "largest": [9.0, 1.0]}),
                    dominance=0.85)
    again = protect(first.drop(columns="display"), count="n")
    assert again["rule"].tolist() == ["dominance", ""]
    assert again["suppressed"].tolist() == [True, False]


@settings(max_examples=examples(60), deadline=None)
@given(counts=st.lists(st.integers(0, 40), min_size=1, max_size=12), min_count=st.integers(2, 6),
       lang=st.sampled_from(LANGS), margin=st.booleans())
def test_a_hidden_cell_reads_lt_k_only_when_it_holds_fewer_than_k(counts, min_count, lang, margin):
    """Issue 24: a cell hidden to protect another may hold more than the threshold; it must never read
    "< 3". Whatever the table, each hidden cell's label is its rule's, and "< k" is true of its count."""
    table = pd.DataFrame({"option": [f"o{i}" for i in range(len(counts))], "n": counts})
    out = protect(table, min_count=min_count, margins=[None] if margin else None, lang=lang)
    small = hidden_label("min_count", min_count=min_count, lang=lang)
    for held, (_, row) in zip(counts, out.iterrows(), strict=True):
        if not row["suppressed"]:
            assert row["display"] == format_number(held, lang=lang)
            continue
        assert row["display"] == hidden_label(row["rule"], min_count=min_count, lang=lang)
        if held >= min_count:  # hidden to protect another: never "< k"
            assert row["rule"] == "secondary" and row["display"] != small
        if row["display"] == small:
            assert 1 <= held < min_count
