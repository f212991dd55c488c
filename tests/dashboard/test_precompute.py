"""Precomputed bundles: statistics checked against independent counts, disclosure, escaping, caching."""

from __future__ import annotations

import json
import re
from collections import Counter

import pandas as pd
import pytest

from coopwork.dashboard.precompute import (
    ALL,
    build_bundle,
    bundle_path,
    load_bundle,
    load_index,
    option_counts,
    precompute,
)
from coopwork.workspace import open_workspace


@pytest.fixture(scope="module")
def ws(precomputed_workspace):
    return open_workspace(precomputed_workspace)


@pytest.fixture(scope="module")
def bundle(precomputed_workspace, ws):
    return load_bundle(precomputed_workspace, ws.survey_id, "t01", "2025", "fr")


def _chart(bundle: dict, chart_id: str, view: str = "") -> dict:
    return next(c for c in bundle["views"][view]["charts"] if c["id"] == chart_id)


def test_option_counts_match_an_independent_count():
    answers = pd.DataFrame({"q": ["a b", "a", "b c", None, "a", "a c", ""]})
    table = option_counts(answers, "q", options={"a": "A", "b": "B", "c": "C"}, multiple=True,
                          min_count=2, lang="en")
    reference = Counter(tok for v in answers["q"].dropna() if v.strip() for tok in v.split())
    assert table["n"].tolist() == [reference["a"], reference["b"], reference["c"]]
    assert table["base"].tolist() == [5, 5, 5]  # answered rows only
    assert table["percent"].round(1).tolist() == [80.0, 40.0, 40.0]


def test_relation_counts_are_distinct_respondents():
    ties = pd.DataFrame({"_submission_id": ["s1", "s1", "s2", "s3", "s3", "s3"],
                         "kind": ["x", "x", "x", "x", "y", "y"]})
    table = option_counts(ties, "kind", options={"x": "X", "y": "Y"}, unit="_submission_id", min_count=1)
    assert table["n"].tolist() == [3, 1] and table["base"].tolist() == [3, 3]


def test_bundle_bars_match_the_responses(ws, bundle):
    responses = ws.responses(wave="2025", territory="t01")
    question = next(q for q in ws.survey.top_level if q.is_select and not q.is_multiple and not q.is_likert
                    and q.role is None and q.dimension)
    chart = _chart(bundle, question.name)
    trace = chart["figure"]["data"][0]  # drawn by coopwork.figures.bar_chart
    counts = responses[question.name].value_counts()
    labels = ws.survey.choice_labels(question.name, "fr")
    names = {label: name for name, label in labels.items()}
    hidden = {a["y"] for a in chart["figure"]["layout"].get("annotations", []) if a["text"] == "&lt; 3"}
    assert trace["y"] == list(labels.values())
    for label, n_shown, x, hover in zip(trace["y"], trace["customdata"], trace["x"], trace["hovertext"],
                                        strict=True):
        n = int(counts.get(names[label], 0))
        if x is None:
            assert n_shown is None and hover.endswith("&lt; 3") and label in hidden  # no value, "< 3"
        else:
            assert n_shown == n and f"({n} sur {counts.sum()})" in hover
            assert x == pytest.approx(100 * n / counts.sum())
            assert n >= 3 or n == 0


def test_every_shown_count_respects_min_count(bundle):
    shown = 0
    for view in bundle["views"].values():
        for chart in view["charts"]:
            for trace in (chart["figure"] or {}).get("data", []):
                for text in trace.get("text") or []:
                    if text and text[0].isdigit() and "(" in text:
                        assert int(text.split(" ")[0]) == 0 or int(text.split(" ")[0]) >= 3
                if trace.get("type") == "bar" and trace.get("hovertext"):
                    for hover in trace["hovertext"]:
                        # "label : 25,0 % (3 sur 12)": every count shown is 0 or at least min_count
                        for count in re.findall(r"\((\d+) sur \d+\)", hover or ""):
                            assert int(count) == 0 or int(count) >= 3
                            shown += 1
    assert shown > 0


def test_small_groups_are_suppressed_whole(ws, precomputed_workspace):
    small = load_bundle(precomputed_workspace, ws.survey_id, "t03", "2025", "fr")  # 2 organisations
    view = small["views"][""]
    assert view["suppressed"] is True and view["n"] is None and view["charts"] == []
    assert "< 3" in view["message"]
    org_type = ws.survey.role("org_type").name
    t01 = ws.responses(wave="2025", territory="t01")
    sizes = t01[org_type].value_counts()
    bundle = load_bundle(precomputed_workspace, ws.survey_id, "t01", "2025", "fr")
    for kind, size in sizes.items():
        assert bundle["views"][kind]["suppressed"] is (size < 3)


def test_network_names_only_with_consent_and_escaped(ws, bundle):
    chart = _chart(bundle, "network")
    texts = [t for trace in chart["figure"]["data"] for t in trace.get("text") or []]
    assert "Organisation t01-0" not in texts  # consent "non"
    assert "&lt;script&gt;alert('org')&lt;/script&gt;" in texts  # consented, escaped
    assert not any("<script" in t for t in texts)
    assert "Mairie" not in texts  # a partner never asked for consent stays unnamed


def test_compare_and_change_sections(ws, bundle):
    compare = _chart(bundle, "compare.likert")  # coopwork.figures.scores_chart of compare_scores
    names = [trace["name"] for trace in compare["figure"]["data"]]
    assert names[1] == "Autres territoires"
    change = _chart(bundle, "change.likert")  # coopwork.figures.change_chart of score_change
    traces = {trace["meta"]: trace for trace in change["figure"]["data"]}
    assert all(trace["x"] == ["2024", "2025"] for trace in traces.values())
    # reference: the 0-100 score of the first Likert dimension in t01, wave 2025, computed here
    dimension = next(q for q in ws.survey.top_level if q.is_likert).dimension
    items = [q.name for q in ws.survey.top_level if q.is_likert and q.dimension == dimension]
    answers = ws.responses(wave="2025", territory="t01")[items].apply(pd.to_numeric)
    rescaled = (answers - 1) * 25
    enough = rescaled.notna().sum(axis=1) >= -(-len(items) // 2)
    reference = rescaled[enough].mean(axis=1).mean()
    assert traces[dimension]["y"][1] == pytest.approx(reference)


def test_precompute_is_incremental_and_indexed(ws, precomputed_workspace):
    assert precompute(ws) == []  # nothing changed
    index = load_index(precomputed_workspace)
    assert index["survey_id"] == ws.survey_id and index["waves"] == ["2024", "2025"]
    assert set(index["territories"]["en"]) == {"t01", "t02", "t03"}
    path = bundle_path(precomputed_workspace, ws.survey_id, None, "2025", "en")
    assert path.parent.name == ALL and json.loads(path.read_text())["lang"] == "en"


def test_english_bundle(ws):
    bundle = build_bundle(ws, territory="t02", wave="2024", lang="en")
    assert bundle["org_types"][0]["label"] == "All types"
    assert _chart(bundle, "change.likert")["message"] == "There is no previous wave to compare with."
