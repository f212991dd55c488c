"""Diverging Likert bars: disagreement left of zero, neutral split, several questions in form order."""

from __future__ import annotations

import pandas as pd
import pytest

from coopwork.analysis.summary import summarise
from coopwork.figures import to_figure
from coopwork.figures.likert import likert_chart
from coopwork.figures.theme import diverging_colours

from ._data import synthetic_responses
from .conftest import subtitle

QUESTIONS = ["confiance_engagements", "confiance_partage_info"]  # form order in the sample survey


def _text(label: str) -> str:
    """The question part of a y label (wrapped with <br>, followed by its base)."""
    return label.split("<br><span")[0].replace("<br>", " ")


def _rows(question: str, counts: list[int], *, hidden: tuple[int, ...] = ()) -> pd.DataFrame:
    base = sum(counts)
    return pd.DataFrame({
        "question": question,
        "option": [str(k) for k in range(1, len(counts) + 1)],
        "label": [f"niveau {k}" for k in range(1, len(counts) + 1)],
        "n": pd.array([pd.NA if i in hidden else c for i, c in enumerate(counts)], dtype="Int64"),
        "base": pd.array([pd.NA if i in hidden else base for i in range(len(counts))], dtype="Int64"),
        "missing": pd.array([pd.NA if i in hidden else 0 for i in range(len(counts))], dtype="Int64"),
        "percent": pd.array([pd.NA if i in hidden else 100 * c / base for i, c in enumerate(counts)],
                            dtype="Float64"),
        "suppressed": [i in hidden for i in range(len(counts))],
        "display": ["< 3" if i in hidden else str(c) for i, c in enumerate(counts)],
    })


def test_diverging_values_neutral_split_and_colours(sample_survey, render):
    summary = pd.concat([_rows(QUESTIONS[1], [5, 5, 10, 20, 10]), _rows(QUESTIONS[0], [10, 10, 5, 10, 15])],
                        ignore_index=True)
    figure = likert_chart(summary, survey=sample_survey, lang="fr")
    fig = to_figure(figure)
    assert fig.layout.barmode == "relative"
    # questions in form order, whatever the order of the summary
    labels = [sample_survey.label(q, "fr") for q in QUESTIONS]
    assert [_text(y) for y in fig.data[0].y] == labels
    by_meta = {}
    for trace in fig.data:
        by_meta.setdefault(trace.meta, []).append(trace.x)
    # question 1 (confiance_engagements): 10 10 5 10 15 of 50 → 20 20 10 20 30 %
    assert by_meta["1"][0][0] == pytest.approx(-20) and by_meta["2"][0][0] == pytest.approx(-20)
    assert sorted(x[0] for x in by_meta["3"]) == pytest.approx([-5, 5])  # neutral split in two halves
    assert by_meta["4"][0][0] == pytest.approx(20) and by_meta["5"][0][0] == pytest.approx(30)
    # question 2: 5 5 10 20 10 of 50
    assert by_meta["1"][0][1] == pytest.approx(-10) and by_meta["5"][0][1] == pytest.approx(20)
    # stacking order: neutral half, then outward (2 before 1) on the left; neutral half then 4, 5 on the right
    assert [t.meta for t in fig.data] == ["3", "2", "1", "3", "4", "5"]
    colours = diverging_colours(5)
    assert {t.meta: t.marker.color for t in fig.data} == {str(k + 1): c for k, c in enumerate(colours)}
    assert [t.showlegend for t in fig.data].count(True) == 5
    assert fig.layout.xaxis.range[0] == -fig.layout.xaxis.range[1]
    assert all(not text.startswith("-") for text in fig.layout.xaxis.ticktext)
    assert subtitle(fig) == "n = 50 répondants"
    render(figure)


def test_even_scale_has_no_neutral_and_rows_add_up_to_100():
    fig = to_figure(likert_chart(_rows("q", [1, 3, 4, 2]), lang="en"))
    assert [t.meta for t in fig.data] == ["2", "1", "3", "4"]
    assert sum(abs(t.x[0]) for t in fig.data) == pytest.approx(100)
    assert fig.layout.title.text == "<b>q</b>"


def test_suppressed_levels_are_left_out_and_annotated():
    fig = to_figure(likert_chart(_rows("q", [2, 8, 10, 20, 1], hidden=(0, 4)), lang="fr"))
    hidden = [t for t in fig.data if t.meta in {"1", "5"}]
    assert all(t.x == (None,) and t.hovertext == ("",) for t in hidden)
    assert [a.text for a in fig.layout.annotations] == ["niveau 1 : &lt; 3<br>niveau 5 : &lt; 3",
                                                        "◀ désaccord", "accord ▶"]
    assert "moins de 3 réponses" in subtitle(fig)


def test_through_summarise_on_the_sample_survey(sample_survey, render):
    responses = synthetic_responses(sample_survey)
    likert = [q.name for q in sample_survey.dimensions["trust"] if q.is_likert and q.repeat is None]
    summary = pd.concat([summarise(responses, sample_survey, q, lang="en") for q in reversed(likert)],
                        ignore_index=True)
    figure = likert_chart(summary, survey=sample_survey, lang="en")
    fig = to_figure(figure)
    assert [_text(y) for y in fig.data[0].y] == [sample_survey.label(q, "en") for q in likert]
    for row, question in enumerate(likert):
        part = summary[summary["question"] == question].reset_index(drop=True)
        for position, published in enumerate(part.itertuples()):
            values = [t.x[row] for t in fig.data if t.meta == published.option]
            if published.suppressed:
                assert all(v is None for v in values)
            else:
                assert sum(abs(v) for v in values) == pytest.approx(float(published.percent))
                sign = -1 if position < 2 else 1
                assert all(v * sign >= 0 for v in values if position != 2)
    low, high = summary["base"].min(), summary["base"].max()
    assert subtitle(fig).startswith(
        f"n = {low} to {high} respondents" if low != high else f"n = {low} respondents")
    render(figure)
