"""Numeric distributions: boxes from published statistics only, histogram bins under disclosure control."""

from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopwork.analysis.disclosure import hidden_label
from coopwork.analysis.summary import summarise
from coopwork.figures import to_figure
from coopwork.figures.distributions import box_chart, histogram_chart
from coopwork.figures.theme import escape
from tests.strategies import examples

from ._data import synthetic_responses
from .conftest import subtitle


def test_boxes_by_territory_match_numpy_quartiles_and_hide_small_groups(sample_survey, render):
    responses = synthetic_responses(sample_survey)
    summary = summarise(responses, sample_survey, "salaries", by="_territory", lang="fr")
    figure = box_chart(summary, survey=sample_survey, lang="fr")
    fig = to_figure(figure)
    assert fig.layout.title.text == f"<b>{sample_survey.label('salaries', 'fr')}</b>"
    sizes = responses["_territory"].value_counts()
    boxes = [trace for trace in fig.data if trace.type == "box"]
    drawn = {trace.x[0].replace("<br>", " "): trace for trace in boxes}
    assert len(fig.data) == len(boxes) + 1  # one invisible trace keeps every group on the axis
    published = 0
    for place, answers in responses.groupby("_territory"):
        values = answers["salaries"].dropna().astype(float).to_numpy()
        row = summary[summary["_territory"] == place].iloc[0]
        if row["suppressed"]:  # the two-respondent territory ("< 3"), and a second one to protect it
            assert row["_territory_label"] not in drawn
            assert [a.text for a in fig.layout.annotations if a.x.replace("<br>", " ") ==
                    row["_territory_label"]] == [escape(hidden_label(row["rule"], lang="fr"))]
            continue
        box = drawn[row["_territory_label"]]
        published += 1
        assert box.q1[0] == pytest.approx(np.percentile(values, 25))
        assert box.median[0] == pytest.approx(np.median(values))
        assert box.q3[0] == pytest.approx(np.percentile(values, 75))
        assert (box.lowerfence[0], box.upperfence[0]) == pytest.approx((values.min(), values.max()))
        assert box.mean[0] == pytest.approx(values.mean())
        assert box.boxpoints is False  # no individual answer in the figure
    assert published >= 1 and len(drawn) == published
    assert summary.loc[summary["_territory"] == sizes.idxmin(), "suppressed"].all()
    assert f"n = {responses['salaries'].notna().sum()} répondants" in subtitle(fig)
    render(figure)


def test_box_figure_holds_no_individual_value():
    summary = pd.DataFrame({"question": "x", "n": pd.array([5], dtype="Int64"), "base": 5, "missing": 0,
                            "mean": [23.0], "min": [1.0], "q1": [10.0], "median": [20.0], "q3": [30.0],
                            "max": [60.0], "suppressed": [False], "display": ["23"]})
    fig = to_figure(box_chart(summary, lang="en"))
    assert fig.data[0].y is None  # plotly gets the statistics, not the answers
    assert fig.data[0].x == ("All",)
    assert "23" not in str(fig.data[1])  # the axis-keeping trace holds no value


def _counted(values: list[float], bar) -> list[int]:
    """An independent count of the answers under each bar, from the bounds it carries (numpy's rule:
    ``[low, high)``, the last bin closed; the outliers' bars open: below the first, above the last)."""
    bounds = [tuple(b) for b in bar.customdata]
    last = max(i for i, (lo, hi) in enumerate(bounds) if lo is not None and hi is not None)

    def under(i: int, v: float) -> bool:
        lo, hi = bounds[i]
        if lo is None:
            return v < hi
        if hi is None:
            return v > lo
        return lo <= v < hi or (i == last and v == hi)

    return [sum(under(i, v) for v in values) for i in range(len(bounds))]


def test_histogram_counts_match_an_independent_count_and_small_bins_are_hidden(sample_survey, render):
    values = [1, 2, 2, 3, 4, 4, 5, 5, 5, 12, 13, 14, 40]
    responses = pd.DataFrame({"salaries": pd.array(values, dtype="Int64")})
    figure = histogram_chart(responses, sample_survey, "salaries", bins=4, lang="fr")
    fig = to_figure(figure)
    bar = fig.data[0]
    # whole numbers in bins of a whole width; 40, far from the rest, in a bar of its own
    assert bar.ids == ("0–4", "5–9", "10–14", "> 14")
    assert _counted(values, bar) == [6, 3, 3, 1]
    # the bin of 1 is hidden, and the smallest other non-empty one too: the total would reveal it
    assert bar.y == (6.0, None, 3.0, None)
    # the bin of 1 reads "< 3"; the other holds 3: it is hidden to protect it, and says so
    assert [a.text for a in fig.layout.annotations] == ["masqué", "&lt; 3"]
    assert "« masqué » : masqué pour que les totaux" in subtitle(fig)
    assert subtitle(fig).startswith("n = 13 répondants")
    assert fig.layout.xaxis.ticktext == ("0", "5", "10", "&gt; 14")
    render(figure)
    values = [1, 1, 1, 4, 4, 4, 4, 7, 7, 7]
    fig = to_figure(histogram_chart(pd.DataFrame({"salaries": values}), sample_survey, "salaries", bins=3))
    assert list(fig.data[0].y) == [3.0, 4.0, 3.0] == _counted(values, fig.data[0])
    assert not fig.layout.annotations


def test_histogram_of_decimals_keeps_numpy_s_bins(sample_survey):
    values = [0.5, 1.25, 2.0, 2.5, 3.75, 4.0, 4.5, 5.0, 6.25]
    question = next(q.name for q in sample_survey.top_level if q.type == "decimal")
    fig = to_figure(histogram_chart(pd.DataFrame({question: values}), sample_survey, question, bins=3))
    counts, edges = np.histogram(values, bins=3)
    assert list(fig.data[0].x) == pytest.approx(((edges[:-1] + edges[1:]) / 2).tolist())
    assert list(fig.data[0].y) == counts.astype(float).tolist() == _counted(values, fig.data[0])


def test_a_year_far_from_the_others_does_not_squeeze_them(sample_survey):
    """"Année de création" started near 1810: one old organisation gets a bar of its own, apart."""
    years = [1810, *[1990 + (i * 7) % 34 for i in range(60)]]
    fig = to_figure(histogram_chart(pd.DataFrame({"salaries": years}), sample_survey, "salaries"))
    bar = fig.data[0]
    assert bar.ids[0] == "< 1990" and bar.y[0] is None  # alone, so hidden: "< 3"
    assert min(bar.x[1:]) > 1985 and bar.x[0] > 1975  # the axis starts near the others, not in 1810
    counted = _counted(years, bar)
    assert counted[0] == 1 and sum(counted) == len(years)
    shown = [y for y in bar.y if y is not None]
    assert [c for c, y in zip(counted, bar.y, strict=True) if y is not None] == shown
    texts = fig.layout.xaxis.ticktext
    assert texts[0] == "&lt; 1990" and all("\u202f" not in t and "," not in t for t in texts)  # not 1 990


def test_counts_have_whole_axes_and_bins(sample_survey):
    """A count of partners: bins of a whole width, an axis of whole counts (not 0.67 wide, 0.2 a tick)."""
    values = [0, 1, 1, 2, 2, 2, 3, 4]
    fig = to_figure(histogram_chart(pd.DataFrame({"salaries": values}), sample_survey, "salaries"))
    bar = fig.data[0]
    assert all(float(w).is_integer() for w in bar.width)
    assert all(float(v).is_integer() for v in fig.layout.xaxis.tickvals)
    assert fig.layout.yaxis.dtick >= 1 and float(fig.layout.yaxis.dtick).is_integer()


def test_a_histogram_whose_every_bin_is_hidden_says_so_instead_of_drawing(sample_survey):
    values = [1, 2, 10, 11, 20, 21]  # three bins of two answers: every one reads "< 3"
    fig = to_figure(histogram_chart(pd.DataFrame({"salaries": values}), sample_survey, "salaries", bins=3))
    assert len(fig.data) == 0
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
    assert [a.text for a in fig.layout.annotations] == [
        "Chaque tranche compte moins de 3 réponses ou en protège une qui en compte moins : "
        "aucune ne peut être montrée."]


def test_histogram_of_too_few_answers_shows_nothing(sample_survey):
    two = pd.DataFrame({"salaries": pd.array([7, 9], dtype="Int64")})
    fig = to_figure(histogram_chart(two, sample_survey, "salaries"))
    assert len(fig.data) == 0
    assert subtitle(fig) == "Moins de 3 réponses : rien n'est affiché."
    assert "7" not in json.dumps(fig.to_plotly_json()["data"])


@settings(max_examples=examples(60), deadline=None)
@given(values=st.lists(st.integers(-50, 3000), min_size=3, max_size=80)
       | st.lists(st.floats(-1e4, 1e4, allow_nan=False, width=32), min_size=3, max_size=80),
       lang=st.sampled_from(["fr", "en"]))
def test_any_answers_fall_each_in_one_bar_and_hidden_bars_say_why(sample_survey, values, lang):
    """Generated answers: every answer is under exactly one bar (outliers' bars included), a shown bar
    holds what it says, a hidden one reads "< 3" only when it holds 1 or 2; counts on whole axes."""
    question = "salaries" if all(float(v).is_integer() for v in values) else next(
        q.name for q in sample_survey.top_level if q.type == "decimal")
    fig = histogram_chart(pd.DataFrame({question: values}), sample_survey, question, lang=lang)
    data, layout = fig["data"], fig["layout"]
    if not data:  # nothing can be shown: a sentence says so, no axis is drawn
        assert layout["xaxis"]["visible"] is False and len(layout["annotations"]) == 1
        return
    bar = to_figure(fig).data[0]
    counted = _counted(values, bar)
    assert sum(counted) == len(values)
    hidden = iter(a["text"] for a in layout["annotations"])
    for held, shown in zip(counted, bar.y, strict=True):
        if shown is not None:
            assert shown == held
        else:
            label = html.unescape(next(hidden))
            assert label == ("< 3" if 1 <= held < 3 else hidden_label("secondary", lang=lang)), (held, label)
    assert float(layout["yaxis"]["dtick"]).is_integer()
    if question == "salaries":
        assert all(float(w).is_integer() for w in bar.width)
