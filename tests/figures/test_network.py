"""Network figure: stable seeded layout, colours by organisation type, names only with consent."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from coopwork.analysis.network import build_network
from coopwork.figures import to_figure
from coopwork.figures.network import network_chart, network_layout, node_traces
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
    return {f"{trace.meta}:{i}": (x, y) for trace in node_traces(fig)
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
    metas = [trace.meta for trace in node_traces(fig)]
    assert metas == sorted(set(TYPES) | {"collectivite"}, key=order.index)
    assert [trace.marker.color for trace in node_traces(fig)] == list(PALETTE[: len(metas)])
    labels = sample_survey.choice_labels("org_type", "fr")
    assert [trace.name for trace in node_traces(fig)] == [labels[m] for m in metas]
    degrees = {meta_i: d for trace in node_traces(fig) for meta_i, d in
               zip((f"{trace.meta}:{i}" for i in range(len(trace.x))), trace.customdata, strict=True)}
    sizes = {f"{trace.meta}:{i}": s for trace in node_traces(fig) for i, s in enumerate(trace.marker.size)}
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
    texts = {t for trace in node_traces(fig) for t in trace.text if t}
    assert texts == {"Tiers-lieu la Fabrique", "&lt;b&gt;Asso&lt;/b&gt; &amp; Cie", "Coop Bois"}
    payload = fig.to_json()
    for secret in ("SCOP Rivage", "Régie de quartier", "Mairie"):  # refused, no answer, never asked
        assert secret not in payload
    hovers = [h for trace in node_traces(fig) for h in trace.hovertext]
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
    shown = {t for trace in node_traces(fig) for t in trace.text if t}
    assert shown and shown <= {escape(n) for n in responses.loc[responses["consent_nom"] == "oui", "org_nom"]}
    assert sum(len(trace.x) for trace in node_traces(fig)) == graph.number_of_nodes()


def _synthetic(n: int, *, seed: int = 7, isolated: int | None = None) -> nx.DiGraph:
    """A network of ``n`` organisations: a scale-free main component, a pair or two, isolated ones."""
    import random

    rng = random.Random(seed)
    isolated = max(1, n // 15) if isolated is None else isolated
    pairs = 1 if n < 30 else 2
    core = n - isolated - 2 * pairs
    graph = nx.DiGraph()
    base = nx.barabasi_albert_graph(core, 2, seed=seed)
    types = ["association", "scop", "scic", "collectivite", "entreprise", "tiers_lieu", None]
    levels = ["reseau", "cooperation", "coordination", "coalition", "collaboration"]
    for i in range(n):
        graph.add_node(f"o{i:03d}", label=f"Organisation coopérative {i} {'x' * rng.randrange(12)}",
                       named=rng.random() < 0.7, org_type=rng.choice(types), respondent=rng.random() < 0.8)
    for u, v in base.edges:
        graph.add_edge(f"o{u:03d}", f"o{v:03d}", lien_intensite=rng.choice(levels),
                       lien_nature="echange_info projet_commun" if rng.random() < 0.3 else "mutualisation")
    for i in range(core, core + 2 * pairs, 2):
        graph.add_edge(f"o{i:03d}", f"o{i + 1:03d}", lien_intensite="reseau")
    graph.graph["respondents"] = n
    return graph


def _plot_geometry(figure: dict) -> tuple[float, tuple[float, float, float, float]]:
    """Pixels per data unit of a network figure drawn PLOT_WIDTH wide, and its axes' ranges."""
    from coopwork.figures.network import PLOT_WIDTH

    layout = figure["layout"]
    (x0, x1), (y0, y1) = layout["xaxis"]["range"], layout["yaxis"]["range"]
    height = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    return min(PLOT_WIDTH / (x1 - x0), height / (y1 - y0)), (x0, y0, x1, y1)


@pytest.mark.parametrize("size", [10, 47, 120, 300])
def test_labels_never_overlap_and_the_main_component_fills_the_plot(sample_survey, size):
    from coopwork.figures.labels import label_box

    graph = _synthetic(size)
    figure = network_chart(graph, survey=sample_survey, lang="fr")
    scale, area = _plot_geometry(figure)
    boxes = []
    for trace in node_traces(figure):
        font = trace["textfont"]["size"]
        for x, y, text, side, marker in zip(trace["x"], trace["y"], trace["text"], trace["textposition"],
                                            trace["marker"]["size"], strict=True):
            if text:
                boxes.append(label_box(x, y, text, side, marker=marker, scale=scale, font_size=font))
    assert len(boxes) >= min(5, size // 3)  # names are drawn where there is room
    for i, a in enumerate(boxes):
        assert area[0] <= a[0] and a[2] <= area[2] and area[1] <= a[1] and a[3] <= area[3]  # not cut
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    # the main component fills most of the map: its bounding box against the bounding box of all nodes
    main = max(nx.connected_components(graph.to_undirected()), key=len)
    placed = [(x, y) for trace in node_traces(figure)
              for x, y, node in zip(trace["x"], trace["y"], _nodes_of(graph, trace), strict=True)
              if node in main]
    xs, ys = [x for x, _ in placed], [y for _, y in placed]
    every_x = [x for trace in node_traces(figure) for x in trace["x"]]
    every_y = [y for trace in node_traces(figure) for y in trace["y"]]
    filled = ((max(xs) - min(xs)) * (max(ys) - min(ys))
              / ((max(every_x) - min(every_x)) * (max(every_y) - min(every_y))))
    assert filled > 0.5, filled


def _nodes_of(graph: nx.DiGraph, trace: dict) -> list[str]:
    """The nodes of a marker trace, in its order (sorted by name within the type)."""
    org_type = trace.get("meta")
    return sorted((n for n, t in graph.nodes(data="org_type") if t == org_type), key=str)


def test_isolated_organisations_sit_in_a_row_below_the_rest():
    graph = _synthetic(30, isolated=5)
    positions = network_layout(graph)
    isolated = [n for n in graph if graph.degree(n) == 0]
    assert len(isolated) == 5
    lowest_tied = min(positions[n][1] for n in graph if graph.degree(n))
    assert len({positions[n][1] for n in isolated}) == 1  # one row
    assert all(positions[n][1] < lowest_tied for n in isolated)


def test_a_filter_by_tie_answer_and_the_ties_gained_and_lost(sample_survey):
    graph = _synthetic(40)
    before = graph.copy()
    before.remove_edges_from(list(graph.edges)[:5])
    before.add_edge("o000", "o030")
    figure = network_chart(graph, survey=sample_survey, lang="en", previous=before, previous_wave="2024")
    menu = figure["layout"]["updatemenus"][0]
    labels = [b["label"] for b in menu["buttons"]]
    assert labels[0] == "All ties" and labels[-1] == "Ties gained and lost since 2024"
    intensity = sample_survey.choice_labels("lien_intensite", "en")
    assert any(label.endswith(": " + intensity["coalition"]) for label in labels)
    traces = figure["data"]
    markers = [i for i, trace in enumerate(traces) if "markers" in trace["mode"]]
    for button in menu["buttons"]:
        visible = button["args"][0]["visible"]
        assert len(visible) == len(traces) and all(visible[i] for i in markers)
        assert sum(visible) > len(markers)  # some ties are shown
    gained = next(t for t in traces if t.get("meta") == "ties_new")
    lost = next(t for t in traces if t.get("meta") == "ties_lost")
    assert len(gained["x"]) == 3 * 5 and len(lost["x"]) == 3 * 1
    coalition = [t for t in traces
                 if t.get("meta") == "filter" and t["name"].endswith(intensity["coalition"])]
    wanted = sum(1 for *_e, v in graph.edges(data="lien_intensite") if v == "coalition")
    assert len(coalition[0]["x"]) == 3 * wanted
    to_figure(figure)  # valid plotly
