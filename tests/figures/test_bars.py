"""Bar and stacked bar charts of summaries: values, order, n in hover, gaps for suppressed cells."""

from __future__ import annotations

import pandas as pd
import pytest

from coopwork.analysis.summary import summarise
from coopwork.figures import to_figure
from coopwork.figures.bars import bar_chart
from coopwork.figures.theme import PALETTE

from ._data import synthetic_responses
from .conftest import subtitle


def _summary() -> pd.DataFrame:
    """A hand-made summary of org_type: 57 respondents answered, 3 did not, 'scic' has 2 (suppressed)."""
    return pd.DataFrame({
        "question": "org_type",
        "option": ["association", "scop", "scic", "collectivite"],
        "label": ["Association", "SCOP", "SCIC", "Collectivité"],
        "n": pd.array([30, 15, pd.NA, 10], dtype="Int64"),
        "base": pd.array([57, 57, pd.NA, 57], dtype="Int64"),
        "missing": pd.array([3, 3, pd.NA, 3], dtype="Int64"),
        "percent": pd.array([30 / 57 * 100, 15 / 57 * 100, pd.NA, 10 / 57 * 100], dtype="Float64"),
        "ci_low": pd.array([40.0, 16.0, pd.NA, 9.0], dtype="Float64"),
        "ci_high": pd.array([65.0, 39.0, pd.NA, 29.0], dtype="Float64"),
        "suppressed": [False, False, True, False],
        "display": ["30 (53 %)", "15 (26 %)", "< 3", "10 (18 %)"],
    })


def test_bar_values_order_and_hover(sample_survey, render):
    figure = bar_chart(_summary(), survey=sample_survey, lang="fr")
    fig = to_figure(figure)
    bar = fig.data[0]
    assert bar.y == ("Association", "SCOP", "SCIC", "Collectivité")  # choice order, first on top
    assert fig.layout.yaxis.autorange == "reversed"
    assert bar.x == pytest.approx((30 / 57 * 100, 15 / 57 * 100, None, 10 / 57 * 100))
    assert bar.customdata == (30, 15, None, 10)
    # Wilson intervals as whiskers, none for the suppressed cell
    assert bar.error_x.array == pytest.approx((65 - 3000 / 57, 39 - 1500 / 57, None, 29 - 1000 / 57))
    assert bar.error_x.arrayminus == pytest.approx((3000 / 57 - 40, 1500 / 57 - 16, None, 1000 / 57 - 9))
    assert bar.marker.color == PALETTE[0]
    assert bar.hovertext[0] == "Association : 52,6\u202f% (30 sur 57)"
    assert fig.layout.title.text == "<b>Type d'organisation</b>"  # the question, from the survey
    assert subtitle(fig).startswith("n = 57 répondants · 3 sans réponse")
    render(figure)


def test_suppressed_cell_is_a_labelled_gap_not_a_value(sample_survey):
    fig = to_figure(bar_chart(_summary(), survey=sample_survey, lang="fr"))
    bar = fig.data[0]
    assert bar.x[2] is None and bar.customdata[2] is None
    assert bar.hovertext[2] == "SCIC : &lt; 3"
    # the column of values, right of the plot: a percentage, or why the cell is hidden
    values = [(a.y, a.text) for a in fig.layout.annotations if a.name == "cw-value"]
    assert values == [("Association", "53\u202f%"), ("SCOP", "26\u202f%"), ("SCIC", "&lt; 3"),
                      ("Collectivité", "18\u202f%")]
    assert "moins de 3 réponses" in subtitle(fig)


def test_english_labels_and_number_format(sample_survey):
    fig = to_figure(bar_chart(_summary(), survey=sample_survey, lang="en"))
    assert fig.layout.title.text == "<b>Type of organisation</b>"
    assert subtitle(fig).startswith("n = 57 respondents · 3 without answer")
    assert fig.data[0].hovertext[0] == "Association: 52.6% (30 of 57)"
    assert fig.layout.separators == ".,"


def test_several_questions_need_a_choice():
    two = pd.concat([_summary(), _summary().assign(question="other")], ignore_index=True)
    with pytest.raises(ValueError, match="pass question="):
        bar_chart(two)
    assert len(to_figure(bar_chart(two, question="other")).data[0].x) == 4


def test_stacked_bars_by_group_from_summarise(sample_survey, render):
    responses = synthetic_responses(sample_survey, sizes=(30, 25, 12))
    summary = summarise(responses, sample_survey, "consent_nom", by="_territory", lang="fr")
    figure = bar_chart(summary, survey=sample_survey, lang="fr")
    fig = to_figure(figure)
    assert fig.layout.barmode == "stack"
    labels = sample_survey.choice_labels("consent_nom", "fr")
    assert [trace.name for trace in fig.data] == list(labels.values())
    groups = list(dict.fromkeys(summary["_territory_label"]))
    assert list(fig.layout.yaxis.categoryarray) == groups  # every territory shown, form order
    drawn = 0
    for trace, (_, rows) in zip(fig.data, summary.groupby("option", sort=False), strict=True):
        assert trace.name == rows["label"].iloc[0]
        expected = [None if s or pd.isna(p) else float(p)
                    for p, s in zip(rows["percent"], rows["suppressed"], strict=True)]
        assert list(trace.x) == pytest.approx(expected)
        assert trace.marker.color in PALETTE
        drawn += sum(x is not None for x in trace.x)
    assert drawn >= 4  # the three answering territories have bars
    for group in groups[:3]:  # each bar adds up to 100 % (single choice)
        assert sum(t.x[t.y.index(group)] or 0 for t in fig.data) == pytest.approx(100)
    base = sum(summary.groupby("_territory")["base"].max().dropna())
    assert base == 67 - responses["consent_nom"].isna().sum()
    assert f"n = {base} répondants" in subtitle(fig)
    render(figure)


def test_a_two_respondent_territory_shows_no_value(sample_survey):
    responses = synthetic_responses(sample_survey)
    assert responses["_territory"].value_counts().min() == 2
    tiny = responses["_territory"].value_counts().idxmin()
    for question in ("org_type", "consent_nom", "secteurs"):
        summary = summarise(responses, sample_survey, question, by="_territory", lang="fr")
        fig = to_figure(bar_chart(summary, survey=sample_survey, lang="fr"))
        small = summary.loc[summary["_territory"] == tiny, "_territory_label"].iloc[0]
        for trace in fig.data:
            assert all(x is None for x, y in zip(trace.x, trace.y, strict=True) if y == small)
            assert all(c is None for c, y in zip(trace.customdata, trace.y, strict=True) if y == small)
            hovers = [h for h, y in zip(trace.hovertext, trace.y, strict=True) if y == small]
            assert hovers and all(h.endswith("&lt; 3") for h in hovers)


def test_select_multiple_is_grouped_and_says_totals_may_exceed_100(sample_survey):
    responses = synthetic_responses(sample_survey)
    summary = summarise(responses, sample_survey, "secteurs", lang="en")
    fig = to_figure(bar_chart(summary, survey=sample_survey, lang="en"))
    assert "totals may exceed 100%" in subtitle(fig)
    assert sum(x for x in fig.data[0].x if x is not None) > 100
    by = summarise(responses, sample_survey, "secteurs", by="_territory", lang="en")
    assert to_figure(bar_chart(by, survey=sample_survey, lang="en")).layout.barmode == "group"


def test_overall_summary_through_summarise_matches_a_hand_count(sample_survey):
    responses = synthetic_responses(sample_survey)
    summary = summarise(responses, sample_survey, "org_type", lang="fr")
    fig = to_figure(bar_chart(summary, survey=sample_survey, lang="fr"))
    answered = responses["org_type"].dropna()
    counts = answered.value_counts()
    for option, x, n in zip(summary["option"], fig.data[0].x, fig.data[0].customdata, strict=True):
        if counts.get(option, 0) in (1, 2):
            assert x is None and n is None
        elif x is not None:
            assert n == counts.get(option, 0)
            assert x == pytest.approx(100 * counts.get(option, 0) / len(answered))
    assert f"n = {len(answered)} répondants" in subtitle(fig)


def test_weighted_summary_draws_weighted_percentages_with_unweighted_counts(sample_survey):
    import numpy as np

    responses = synthetic_responses(sample_survey)
    responses = responses.assign(poids=np.where(responses["org_type"] == "scop", 3.0, 1.0))
    summary = summarise(responses, sample_survey, "org_type", weights="poids", lang="fr")
    fig = to_figure(bar_chart(summary, survey=sample_survey, lang="fr"))
    shown = ~summary["suppressed"]
    assert [x for x, s in zip(fig.data[0].x, shown, strict=True) if s] == pytest.approx(
        summary.loc[shown, "percent_weighted"].astype(float).tolist())
    assert [n for n, s in zip(fig.data[0].customdata, shown, strict=True) if s] == summary.loc[
        shown, "n"].tolist()
    assert "Pourcentages pondérés, effectifs non pondérés." in subtitle(fig)
    assert "après pondération" in fig.data[0].hovertext[shown.tolist().index(True)]


def test_a_question_answered_by_two_says_nothing_of_its_size(sample_survey):
    responses = synthetic_responses(sample_survey, sizes=(2,))
    summary = summarise(responses, sample_survey, "org_type", lang="fr")
    fig = to_figure(bar_chart(summary, survey=sample_survey, lang="fr"))
    assert all(x is None for x in fig.data[0].x) and all(n is None for n in fig.data[0].customdata)
    assert subtitle(fig) == "Moins de 3 réponses : rien n'est affiché."
