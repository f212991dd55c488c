"""Dimension scores of a territory against the others: dots with intervals, or a radar."""

from __future__ import annotations

import pandas as pd
import pytest

from coopwork.analysis.indicators import compare_scores, dimension_scores
from coopwork.figures import to_figure
from coopwork.figures.scores import scores_chart
from coopwork.figures.theme import PALETTE

from ._data import synthetic_responses
from .conftest import subtitle


@pytest.fixture(scope="module")
def scores(sample_survey):
    return dimension_scores(synthetic_responses(sample_survey), sample_survey)


def test_dot_plot_values_intervals_and_colours(sample_survey, scores, render):
    table = compare_scores(scores, territory="pays_de_bray", wave="2025", lang="fr")
    figure = scores_chart(table, survey=sample_survey, lang="fr")
    fig = to_figure(figure)
    assert [trace.name for trace in fig.data] == ["Pays de Bray (PTCE, France)", "Autres territoires",
                                                 "Tous les territoires"]
    assert [trace.marker.color for trace in fig.data] == [PALETTE[0], PALETTE[1], "#000000"]
    dimensions = list(dict.fromkeys(table["dimension_label"]))
    assert list(fig.data[0].y) == dimensions  # form order of the dimensions
    for trace, (_, rows) in zip(fig.data, table.groupby("group", sort=False), strict=True):
        assert list(trace.x) == pytest.approx(rows["mean"].astype(float).tolist())
        assert list(trace.error_x.array) == pytest.approx(
            (rows["ci_high"] - rows["mean"]).astype(float).tolist())
        assert list(trace.error_x.arrayminus) == pytest.approx(
            (rows["mean"] - rows["ci_low"]).astype(float).tolist())
    assert fig.layout.xaxis.range == (0, 100)
    assert fig.layout.title.text == "<b>Scores par dimension</b>"
    # each group its own base: the territory's, the others', everyone's (not the largest for all)
    sizes = table.groupby("group", sort=False)["n"].max().astype(int).tolist()
    names = [trace.name for trace in fig.data]
    bases = " · ".join(f"{g} {n}" for g, n in zip(names, sizes, strict=True))
    assert subtitle(fig).startswith(f"Répondants : {bases}")
    render(figure)


def test_a_two_respondent_territory_is_never_drawn(sample_survey, scores, render_svg):
    responses = synthetic_responses(sample_survey)
    tiny = responses["_territory"].value_counts().idxmin()
    table = compare_scores(scores, territory=tiny, wave="2025", lang="en")
    figure = scores_chart(table, survey=sample_survey, lang="en")
    fig = to_figure(figure)
    territory, others = fig.data[0], fig.data[1]
    assert all(x is None for x in territory.x) and all(x is None for x in others.x)
    assert all(h == "" for h in territory.hovertext)
    # the tiny territory reads "< 3"; the others pooled are hidden so that "all" does not give it away
    labels = {(a.text.startswith("Other"), a.text.split(" : ")[1]) for a in fig.layout.annotations}
    assert labels == {(True, "hidden"), (False, "&lt; 3")}
    assert len(fig.layout.annotations) == 2 * table["dimension"].nunique()
    assert all(x is not None for x in fig.data[2].x)  # "all" stays published
    svg = render_svg(figure)
    assert "Other territories : hidden" in svg  # what the browser drew


def test_hand_made_table_and_radar():
    table = pd.DataFrame({
        "dimension": ["trust", "trust", "governance", "governance"], "group": ["territory", "all"] * 2,
        "n": pd.array([12, 50, 11, 48], dtype="Int64"), "mean": [70.0, 60.0, 40.0, 55.0],
        "ci_low": [60.0, 55.0, 30.0, 50.0], "ci_high": [80.0, 65.0, 50.0, 60.0],
        "suppressed": False, "display": ["70", "60", "40", "55"]})
    fig = to_figure(scores_chart(table, kind="radar", lang="en"))
    assert [trace.type for trace in fig.data] == ["scatterpolar", "scatterpolar"]
    assert fig.data[0].r == (70.0, 40.0, 70.0)  # closed polygon
    assert fig.data[0].theta == ("Trust", "Governance", "Trust")
    assert fig.data[0].fill == "toself"
    assert "confidence intervals not shown" in subtitle(fig)
    with pytest.raises(ValueError, match="kind"):
        scores_chart(table, kind="pie")
