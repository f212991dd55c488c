"""Wave-over-wave slope chart: means at both waves, change and interval, dotted when not significant."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from coopwork.analysis.indicators import dimension_scores, score_change
from coopwork.errors import CoopworkError
from coopwork.figures import to_figure
from coopwork.figures.change import change_chart
from coopwork.figures.theme import LINE_PALETTE

from ._data import synthetic_responses
from .conftest import subtitle


@pytest.fixture(scope="module")
def changes(sample_survey):
    responses = pd.concat([synthetic_responses(sample_survey),
                           synthetic_responses(sample_survey, seed=8, wave="2026")], ignore_index=True)
    scores = dimension_scores(responses, sample_survey)
    return score_change(scores, wave_from="2025", wave_to="2026", lang="fr")


def test_slope_chart_through_score_change(sample_survey, changes, render):
    one = changes[changes["_territory"] == "pays_de_bray"]
    figure = change_chart(changes, territory="pays_de_bray", survey=sample_survey, lang="fr")
    fig = to_figure(figure)
    assert [trace.meta for trace in fig.data] == one["dimension"].tolist()
    for i, (trace, row) in enumerate(zip(fig.data, one.itertuples(), strict=True)):
        assert trace.x == ("2025", "2026")
        assert trace.y == pytest.approx((row.mean_from, row.mean_to))
        assert trace.line.color == LINE_PALETTE[i % len(LINE_PALETTE)]
        significant = row.ci_low > 0 or row.ci_high < 0
        assert trace.line.dash == ("solid" if significant else "dot")
        sign = "+" if row.change > 0 else ""
        assert f"{sign}{row.change:.1f}".replace(".", ",") in trace.customdata[1]
    assert fig.layout.yaxis.range == (0, 100)
    # one end label per line, in the line's colour, never overlapping (at least ~20 px apart)
    labels = sorted(fig.layout.annotations, key=lambda a: a.y)
    assert sorted(a.text for a in labels) == sorted(trace.customdata[1] for trace in fig.data)
    assert {a.font.color for a in labels} == {trace.line.color for trace in fig.data}
    pixels_per_point = (fig.layout.height - 330) / 100
    assert all((b.y - a.y) * pixels_per_point >= 20 for a, b in itertools.pairwise(labels))
    n_from, n_to = int(one["n_from"].max()), int(one["n_to"].max())
    assert subtitle(fig).startswith(f"n = {n_from} puis {n_to} répondants")
    assert changes.attrs["note"] in subtitle(fig)
    render(figure)


def test_two_respondent_territory_has_no_line(sample_survey, changes):
    tiny = synthetic_responses(sample_survey)["_territory"].value_counts().idxmin()
    fig = to_figure(change_chart(changes, territory=tiny, lang="en"))
    assert len(fig.data) == 0
    assert fig.layout.annotations and all(a.text.endswith(": &lt; 3") for a in fig.layout.annotations)


def test_several_territories_need_a_choice(changes):
    with pytest.raises(CoopworkError, match="choose the territory") as info:
        change_chart(changes)
    assert "pays_de_bray" in str(info.value)


def test_hand_made_change_in_english():
    table = pd.DataFrame({"dimension": ["trust"], "wave_from": "v1", "wave_to": "v2",
                          "n_from": pd.array([10], dtype="Int64"), "n_to": pd.array([1234], dtype="Int64"),
                          "mean_from": [40.0], "mean_to": [35.5], "change": [-4.5], "ci_low": [-8.0],
                          "ci_high": [-1.0], "suppressed": [False], "display": ["-4"]})
    fig = to_figure(change_chart(table, lang="en"))
    assert fig.data[0].customdata[1] == "Trust: -4.5 (95% CI -8.0 to -1.0)"
    assert fig.layout.annotations[0].y == 35.5
    assert fig.data[0].line.dash == "solid"
    assert subtitle(fig).startswith("n = 10 then 1,234 respondents")


def test_a_dimension_nobody_scored_in_one_wave_is_named_not_drawn():
    table = pd.DataFrame({"dimension": ["trust", "culture"], "wave_from": "v1", "wave_to": "v2",
                          "n_from": pd.array([10, 10], dtype="Int64"),
                          "n_to": pd.array([12, 0], dtype="Int64"),
                          "mean_from": [40.0, 55.0], "mean_to": [35.5, None], "change": [-4.5, None],
                          "ci_low": [-8.0, None], "ci_high": [-1.0, None], "suppressed": [False, False],
                          "display": ["-4", ""]})
    fig = to_figure(change_chart(table, lang="en"))
    assert [trace.meta for trace in fig.data] == ["trust"]
    assert any(a.text == "Culture : —" for a in fig.layout.annotations)


def test_the_phone_layout_lists_the_end_labels_under_the_plot(sample_survey, changes):
    from coopwork.figures.theme import NARROW_WIDTH, narrow

    figure = change_chart(changes, territory="pays_de_bray", survey=sample_survey, lang="fr")
    phone = to_figure(narrow(figure))  # still a valid plotly figure
    desktop = to_figure(figure)

    def words(text):
        return " ".join(text.replace("<br>", " ").split())

    # the same words, from top to bottom as beside the lines on a desktop, under the plot on a phone
    top_down = sorted(desktop.layout.annotations, key=lambda a: -(a.y / 100 if a.yref == "y" else a.y))
    assert [words(a.text) for a in phone.layout.annotations] == [words(a.text) for a in top_down]
    assert subtitle(phone) != "" and words(subtitle(phone)) == words(subtitle(desktop))
    assert phone.layout.margin.r < 20 < desktop.layout.margin.r  # the plot takes the whole width
    labels = list(phone.layout.annotations)
    assert all(a.yref == "paper" and a.y == 0 and a.yanchor == "top" and a.x == 0 for a in labels)
    assert all(len(line) * 0.55 * a.font.size <= NARROW_WIDTH
               for a in labels for line in a.text.split("<br>"))
    for upper, lower in itertools.pairwise(labels):  # one under the other, never over one another
        assert upper.yshift - lower.yshift >= (upper.text.count("<br>") + 1) * upper.font.size
    assert phone.layout.margin.b >= -labels[-1].yshift + labels[-1].font.size
