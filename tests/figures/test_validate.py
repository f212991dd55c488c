"""Figures are plain JSON dicts: no template, explicit height, no width, valid plotly, no graph_objects."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import networkx as nx
import pandas as pd
import pytest

from coopwork.analysis.indicators import compare_scores, dimension_scores, score_change
from coopwork.analysis.summary import summarise
from coopwork.figures import (
    bar_chart,
    box_chart,
    change_chart,
    histogram_chart,
    likert_chart,
    network_chart,
    scores_chart,
    to_figure,
)

from ._data import synthetic_responses

#: one small figure of every builder from inline tables (also run in a fresh process)
SMALL = '''
import networkx as nx
import pandas as pd

from coopwork.figures import (bar_chart, box_chart, change_chart, histogram_chart, likert_chart,
                              network_chart, scores_chart)
from coopwork.survey import Question, Survey

n = pd.array([12, pd.NA, 30], dtype="Int64")
bars = pd.DataFrame({"question": "q", "option": ["a", "b", "c"], "label": ["A", "B", "<C>"], "n": n,
                     "base": pd.array([44, pd.NA, 44], dtype="Int64"), "missing": 1,
                     "percent": [27.3, float("nan"), 68.2], "ci_low": [16.3, None, 53.4],
                     "ci_high": [41.8, None, 80.0], "suppressed": [False, True, False],
                     "display": ["12", "< 3", "30"]})
grouped = pd.concat([bars.assign(place="x", place_label="X"), bars.assign(place="y", place_label="Y")])
levels = [4, 6, 10, 20, 10, 7, 5, 8, 9]
likert = pd.DataFrame({"question": "l", "option": [str(k) for k in range(9)],
                       "label": [f"level {k}" for k in range(9)], "n": levels, "base": sum(levels),
                       "percent": [100 * v / sum(levels) for v in levels], "suppressed": False,
                       "display": [str(v) for v in levels]})
boxes = pd.DataFrame({"question": "s", "g": ["a", "b"], "n": pd.array([12, pd.NA], dtype="Int64"),
                      "mean": [8.5, None], "min": [1.0, None], "q1": [3.0, None], "median": [6.0, None],
                      "q3": [11.0, None], "max": [30.0, None], "suppressed": [False, True],
                      "display": ["8,5", "< 3"]})
survey = Survey("demo", "Demo", None, ["fr"], "fr",
                {"salaries": Question("salaries", "integer", {"fr": "Salariés"})}, {})
answers = pd.DataFrame({"salaries": pd.array([1, 2, 2, 3, 4, 4, 5, 5, 5, 40, pd.NA], dtype="Int64")})
scores = pd.DataFrame({"dimension": ["trust"] * 3 + ["governance"] * 3,
                       "group": ["territory", "others", "all"] * 2,
                       "n": pd.array([12, 40, 52, pd.NA, pd.NA, 50], dtype="Int64"),
                       "mean": [71.0, 64.5, 66.0, None, None, 58.2],
                       "ci_low": [62.0, 59.0, 61.5, None, None, 54.0],
                       "ci_high": [80.0, 70.0, 70.5, None, None, 62.4],
                       "suppressed": [False, False, False, True, True, False],
                       "display": ["71", "64", "66", "< 3", "< 3", "58"]})
changes = pd.DataFrame({"dimension": ["trust", "governance"], "wave_from": "2025", "wave_to": "2026",
                        "n_from": pd.array([20, pd.NA], dtype="Int64"),
                        "n_to": pd.array([24, pd.NA], dtype="Int64"),
                        "mean_from": [55.0, None], "mean_to": [63.5, None], "change": [8.5, None],
                        "ci_low": [1.2, None], "ci_high": [15.8, None], "suppressed": [False, True],
                        "display": ["+8", "< 3"]})
graph = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c"), ("d", "a")])
nx.set_node_attributes(graph, {"a": {"label": "A", "named": True, "org_type": "scop"},
                               "b": {"label": "B", "named": False, "org_type": "scop"},
                               "c": {"label": "C", "named": False}, "d": {"label": "D", "named": True}})
figures = {
    "bar_chart": bar_chart(bars, lang="fr"),
    "bar_chart_grouped": bar_chart(grouped, by="place", lang="en"),
    "likert_chart": likert_chart(likert, lang="fr"),
    "box_chart": box_chart(boxes, by="g", lang="en"),
    "histogram_chart": histogram_chart(answers, survey, "salaries", bins=4),
    "scores_chart": scores_chart(scores, lang="en"),
    "scores_chart_radar": scores_chart(scores, kind="radar", lang="fr"),
    "change_chart": change_chart(changes, lang="fr"),
    "network_chart": network_chart(graph, lang="en"),
}
'''

PLAIN = (str, int, float, bool, type(None), list, dict)


def _small() -> dict[str, dict]:
    namespace: dict = {}
    exec(SMALL, namespace)
    return namespace["figures"]


@pytest.fixture(scope="module")
def figures(sample_survey) -> dict[str, dict]:
    """Every builder on inline tables and on the analysis of synthetic responses (hidden cells included)."""
    responses = synthetic_responses(sample_survey)
    both = pd.concat([responses, synthetic_responses(sample_survey, seed=8, wave="2026")], ignore_index=True)
    scores = dimension_scores(responses, sample_survey)
    likert = [q.name for q in sample_survey.dimensions["trust"] if q.is_likert and q.repeat is None]
    graph = nx.gnm_random_graph(30, 60, seed=1, directed=True)
    nx.set_node_attributes(graph, {n: {"label": f"org {n}", "named": n % 2 == 0, "org_type": f"t{n % 9}"}
                                   for n in graph})
    out = {f"small {name}": fig for name, fig in _small().items()}
    out |= {
        "bar by territory": bar_chart(summarise(responses, sample_survey, "secteurs", by="_territory"),
                                      survey=sample_survey),
        "likert": likert_chart(pd.concat([summarise(responses, sample_survey, q) for q in likert]),
                               survey=sample_survey, lang="en"),
        "box": box_chart(summarise(responses, sample_survey, "salaries", by="_territory"),
                         survey=sample_survey),
        "histogram": histogram_chart(responses, sample_survey, "salaries"),
        "histogram of two": histogram_chart(responses.iloc[:2], sample_survey, "salaries"),
        "scores": scores_chart(compare_scores(scores, territory="pays_de_bray", wave="2025"),
                               survey=sample_survey),
        "change": change_chart(score_change(dimension_scores(both, sample_survey), wave_from="2025",
                                            wave_to="2026"), territory="pays_de_bray", survey=sample_survey),
        "network": network_chart(graph, lang="en"),
        "network of two": network_chart(nx.DiGraph([("a", "b")]), lang="fr"),
    }
    return out


def _not_plain(value: object, path: str = "fig") -> list[str]:
    """Paths of the values that are not plain JSON types (numpy scalars, tuples, NA…) or are NaN."""
    if type(value) not in PLAIN or (type(value) is float and value != value):
        return [f"{path}: {type(value).__name__} {value!r}"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in ([f"{path} key {k!r}"] if type(k) is not str else [])
                + _not_plain(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _not_plain(v, f"{path}[{i}]")]
    return []


def test_every_builder_is_covered(figures):
    built = {name.split()[1] for name in figures if name.startswith("small ")}
    assert {"bar_chart", "likert_chart", "box_chart", "histogram_chart", "scores_chart", "change_chart",
            "network_chart"} <= built


def test_figures_are_plain_json_that_round_trips(figures):
    for name, fig in figures.items():
        assert type(fig) is dict and set(fig) == {"data", "layout"}, name
        assert _not_plain(fig) == [], name
        assert json.loads(json.dumps(fig, allow_nan=False)) == fig, name
        assert all(type(trace) is dict and isinstance(trace.get("type"), str) for trace in fig["data"]), name


def test_layout_has_height_and_separators_but_no_template_or_width(figures):
    for name, fig in figures.items():
        layout = fig["layout"]
        assert "template" not in layout and "width" not in layout, name
        assert isinstance(layout["height"], int) and layout["height"] >= 400, name
        assert layout["separators"] in {".,", ",\u202f"} and layout["autosize"] is True, name
        assert layout["title"]["text"].startswith("<b>"), name


def test_every_figure_is_valid_plotly_and_to_figure_leaves_it_unchanged(figures):
    for name, fig in figures.items():
        before = copy.deepcopy(fig)
        plotly_figure = to_figure(fig)  # raises on any property plotly does not know
        assert fig == before, name
        assert plotly_figure.layout.template.layout.font.size == 18, name
        assert [trace.type for trace in plotly_figure.data] == [trace["type"] for trace in fig["data"]], name
        assert plotly_figure.layout.height == fig["layout"]["height"], name


def test_to_figure_rejects_an_invalid_property():
    with pytest.raises(ValueError, match="colour"):
        to_figure({"data": [{"type": "bar", "x": [1], "colour": "red"}], "layout": {}})
    with pytest.raises(ValueError):
        to_figure({"data": [], "layout": {"heigth": 400}})


def test_building_figures_does_not_import_plotly_graph_objects():
    code = SMALL + (
        "import json, sys\n"
        "json.dumps(figures, allow_nan=False)\n"
        "print(len(figures), 'plotly.graph_objects' in sys.modules, 'plotly.graph_objs' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["9", "False", "False"]
