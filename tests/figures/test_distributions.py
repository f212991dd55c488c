"""Numeric distributions: boxes from published statistics only, histogram bins under disclosure control."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from coopwork.analysis.disclosure import hidden_label
from coopwork.analysis.summary import summarise
from coopwork.figures import to_figure
from coopwork.figures.distributions import box_chart, histogram_chart
from coopwork.figures.theme import escape

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


def test_histogram_counts_match_numpy_and_small_bins_are_hidden(sample_survey, render):
    values = [1, 2, 2, 3, 4, 4, 5, 5, 5, 12, 13, 14, 40]
    responses = pd.DataFrame({"salaries": pd.array(values, dtype="Int64")})
    figure = histogram_chart(responses, sample_survey, "salaries", bins=4, lang="fr")
    fig = to_figure(figure)
    counts, edges = np.histogram(values, bins=4)
    assert counts.tolist() == [9, 3, 0, 1]
    bar = fig.data[0]
    assert list(bar.x) == pytest.approx(((edges[:-1] + edges[1:]) / 2).tolist())
    # the bin of 1 is hidden, and the smallest other non-empty one too: the total would reveal it
    assert bar.y == (9.0, None, 0.0, None)
    # the bin of 1 reads "< 3"; the other holds 3: it is hidden to protect it, and says so
    assert [a.text for a in fig.layout.annotations] == ["masqué", "&lt; 3"]
    assert "« masqué » : masqué pour que les totaux" in subtitle(fig)
    assert subtitle(fig).startswith("n = 13 répondants")
    render(figure)
    values = [1, 1, 1, 4, 4, 4, 4, 7, 7, 7]
    fig = to_figure(histogram_chart(pd.DataFrame({"salaries": values}), sample_survey, "salaries", bins=3))
    assert list(fig.data[0].y) == [3.0, 4.0, 3.0] == np.histogram(values, bins=3)[0].tolist()
    assert not fig.layout.annotations


def test_histogram_of_too_few_answers_shows_nothing(sample_survey):
    two = pd.DataFrame({"salaries": pd.array([7, 9], dtype="Int64")})
    fig = to_figure(histogram_chart(two, sample_survey, "salaries"))
    assert len(fig.data) == 0
    assert subtitle(fig) == "Moins de 3 réponses : rien n'est affiché."
    assert "7" not in json.dumps(fig.to_plotly_json()["data"])
