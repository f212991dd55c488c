"""Network figure: stable seeded layout, colours by organisation type, names only with consent."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from coopwork.analysis.network import build_network
from coopwork.figures import to_figure
from coopwork.figures.network import network_chart, network_layout
from coopwork.figures.theme import PALETTE, escape

from .conftest import subtitle

NAMES = ["Tiers-lieu la Fabrique", "SCOP Rivage", "<b>Asso</b> & Cie", "Régie de quartier", "Coop Bois"]
TYPES = ["tiers_lieu", "scop", "association", "siae", "scop"]
CONSENT = ["oui", "non", "oui", pd.NA, "oui"]


def _tables():
    responses = pd.DataFrame({"_submission_id": [f"s{i}" for i in range(5)], "_wave": "2025",
                              "_territory": "matera", "org_nom": NAMES, "org_type": TYPES,
                              "consent_nom": CONSENT})
    ties = [(0, "SCOP Rivage"), (0, "<b>asso</b> & cie"), (1, "Tiers-lieu la Fabrique"), (1, "Mairie"),
            (2, "Régie de Quartier"), (3, "Coop Bois"), (4, "Mairie"), (4, "Tiers-lieu la fabrique")]
    relations = pd.DataFrame({"_submission_id": [f"s{i}" for i, _ in ties], "_wave": "2025",
                              "_territory": "matera", "_index": range(1, len(ties) + 1),
                              "partenaire_nom": [name for _, name in ties],
                              "partenaire_type": ["collectivite" if name == "Mairie" else pd.NA
                                                  for _, name in ties]})
    return relations, responses


@pytest.fixture
def graph(sample_survey):
    relations, responses = _tables()
    return build_network(relations, responses, sample_survey)


def _positions(fig) -> dict[str, tuple[float, float]]:
    return {f"{trace.meta}:{i}": (x, y) for trace in fig.data[2:]
            for i, (x, y) in enumerate(zip(trace.x, trace.y, strict=True))}


def test_layout_is_identical_between_runs_and_input_orders(sample_survey, graph):
    first = to_figure(network_chart(graph, survey=sample_survey))
    second = to_figure(network_chart(graph, survey=sample_survey))
    assert _positions(first) == _positions(second)
    assert first.data[0].x == second.data[0].x and first.data[1].y == second.data[1].y
    relations, responses = _tables()
    shuffled = build_network(relations.iloc[::-1], responses.iloc[::-1], sample_survey)
    assert network_layout(shuffled) == network_layout(graph)
    assert _positions(to_figure(network_chart(shuffled, survey=sample_survey))) == _positions(first)
    assert network_layout(graph, seed=1) != network_layout(graph)  # the seed decides


def test_colours_by_type_in_choice_order_and_size_by_degree(sample_survey, graph):
    fig = to_figure(network_chart(graph, survey=sample_survey, lang="fr"))
    order = [c.name for c in sample_survey.role("org_type").choices]
    metas = [trace.meta for trace in fig.data[2:]]
    assert metas == sorted(set(TYPES) | {"collectivite"}, key=order.index)
    assert [trace.marker.color for trace in fig.data[2:]] == list(PALETTE[: len(metas)])
    labels = sample_survey.choice_labels("org_type", "fr")
    assert [trace.name for trace in fig.data[2:]] == [labels[m] for m in metas]
    degrees = {meta_i: d for trace in fig.data[2:] for meta_i, d in
               zip((f"{trace.meta}:{i}" for i in range(len(trace.x))), trace.customdata, strict=True)}
    sizes = {f"{trace.meta}:{i}": s for trace in fig.data[2:] for i, s in enumerate(trace.marker.size)}
    ranked = sorted(degrees, key=degrees.get)
    assert [sizes[k] for k in ranked] == sorted(sizes.values())
    assert sorted(degrees.values()) == sorted(d for _, d in graph.degree())
    # ties one way: thin; returned ties (Fabrique ⇄ SCOP Rivage): drawn once, thicker
    mutual = {(u, v) for u, v in graph.edges if graph.has_edge(v, u)}
    assert len(mutual) == 2
    assert len(fig.data[1].x) == 3 * len(mutual) // 2
    assert len(fig.data[0].x) == 3 * (graph.number_of_edges() - len(mutual))
    assert fig.data[1].line.width > fig.data[0].line.width


def test_names_only_with_consent_and_hover_escaped(sample_survey, graph, render_svg, render):
    figure = network_chart(graph, survey=sample_survey, lang="fr")
    fig = to_figure(figure)
    texts = {t for trace in fig.data[2:] for t in trace.text if t}
    assert texts == {"Tiers-lieu la Fabrique", "&lt;b&gt;Asso&lt;/b&gt; &amp; Cie", "Coop Bois"}
    payload = fig.to_json()
    for secret in ("SCOP Rivage", "Régie de quartier", "Mairie"):  # refused, no answer, never asked
        assert secret not in payload
    hovers = [h for trace in fig.data[2:] for h in trace.hovertext]
    assert sum("organisation anonyme" in h for h in hovers) == 3
    assert all("<b>Asso" not in h for h in hovers)
    assert subtitle(fig).startswith("n = 5 répondants · 6 organisations, 8 liens")
    svg = render_svg(figure)
    assert "SCOP Rivage" not in svg and "Coop Bois" in svg
    render(figure)


def test_too_few_respondents_draw_nothing(sample_survey):
    relations, responses = _tables()
    small = build_network(relations[relations["_submission_id"].isin(["s0", "s1"])],
                          responses.iloc[:2], sample_survey)
    fig = to_figure(network_chart(small, survey=sample_survey, lang="en"))
    assert len(fig.data) == 0
    assert subtitle(fig) == "Fewer than 3 answers: nothing is shown."


def test_plain_graph_without_survey_or_ties():
    lonely = nx.DiGraph()
    lonely.add_nodes_from(["a", "b", "c"], respondent=True, named=True)
    for node in lonely:
        lonely.nodes[node]["label"] = node.upper()
    fig = to_figure(network_chart(lonely, lang="en"))
    assert fig.data[0].x == () and fig.data[1].x == ()
    assert fig.data[2].name == "Unknown type" and fig.data[2].text == ("A", "B", "C")
    assert [a.text for a in fig.layout.annotations] == ["No tie reported."]


def test_layout_is_identical_in_a_fresh_process(graph):
    """A papermill rerun is a new process: the picture must not move."""
    import json
    import subprocess
    import sys

    edges = sorted(graph.edges)
    code = ("import json, sys, networkx as nx\n"
            "from coopwork.figures.network import network_layout\n"
            "G = nx.DiGraph([tuple(e) for e in json.loads(sys.argv[1])])\n"
            "print(json.dumps(network_layout(G)))")
    out = subprocess.run([sys.executable, "-c", code, json.dumps(edges)], capture_output=True, text=True,
                         check=True, timeout=120)
    fresh = {node: tuple(xy) for node, xy in json.loads(out.stdout).items()}
    plain = nx.DiGraph(edges)
    assert fresh == network_layout(plain)


def test_demo_network_drawn_without_names_of_non_consenting_organisations(tmp_path_factory, render_svg):
    from coopwork.demo.generate import generate_demo
    from coopwork.ingest import ingest_file
    from coopwork.workspace import open_workspace

    root = tmp_path_factory.mktemp("demo_network_figure")
    export = generate_demo(root, territories=1)[0]
    survey_path = root / "surveys" / "cooperation_territoriale.xlsx"
    ingest_file(export, survey=survey_path, wave="2025", workspace=root)
    ws = open_workspace(root)
    responses, relations = ws.responses(), ws.relations()
    graph = build_network(relations, responses, ws.survey, wave="2025")
    figure = network_chart(graph, survey=ws.survey, lang="en")
    fig = to_figure(figure)
    svg = render_svg(figure)
    hidden = set(responses.loc[responses["consent_nom"] != "oui", "org_nom"])
    hidden |= set(relations["partenaire_nom"]) - set(responses["org_nom"])
    payload = fig.to_json()
    for name in hidden:
        assert escape(name) not in svg.replace("&#39;", "'") and name not in payload
    shown = {t for trace in fig.data[2:] for t in trace.text if t}
    assert shown and shown <= {escape(n) for n in responses.loc[responses["consent_nom"] == "oui", "org_nom"]}
    assert sum(len(trace.x) for trace in fig.data[2:]) == graph.number_of_nodes()
