"""The cooperation network against hand-computed values and networkx reference graphs."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from coopwork.analysis.network import (
    build_network,
    communities,
    display_names,
    network_stats,
    node_stats,
    normalise_name,
    tie_changes,
    type_mixing,
)
from coopwork.errors import CoopworkError, ExportError
from coopwork.export.network_files import write_gexf  # writing Gephi files is the export's job


def _named(graph: nx.DiGraph) -> nx.DiGraph:
    nx.set_node_attributes(graph, True, "named")
    return graph


@pytest.fixture
def four():
    """a ⇄ b → c → d: hand-computed reference values below."""
    return _named(nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c"), ("c", "d")]))


def test_network_stats_on_a_four_node_graph(four):
    row = network_stats(four).iloc[0]
    assert row["nodes"] == 4 and row["edges"] == 4
    assert row["density"] == pytest.approx(4 / (4 * 3))
    assert row["reciprocity"] == pytest.approx(2 / 4)  # a→b and b→a are returned, b→c and c→d are not
    assert row["components"] == 1 and row["largest_component_share"] == 1.0
    assert row["mean_degree"] == pytest.approx(2 * 4 / 4)


def test_node_stats_on_a_four_node_graph(four):
    table = node_stats(four).set_index("node")
    assert table.loc["b", ["degree", "in_degree", "out_degree"]].tolist() == [3, 1, 2]
    assert table.loc["d", ["degree", "in_degree", "out_degree"]].tolist() == [1, 1, 0]
    # undirected path a-b-c-d: b is on the shortest paths a–c and a–d, c on a–d and b–d;
    # normalised by (n-1)(n-2)/2 = 3 pairs not involving the node
    assert table["betweenness"].to_dict() == pytest.approx({"a": 0.0, "b": 2 / 3, "c": 2 / 3, "d": 0.0})
    assert table.index.tolist()[0] == "b"  # sorted by degree


def test_stats_of_an_empty_and_an_edgeless_graph():
    empty = network_stats(nx.DiGraph()).iloc[0]
    assert empty["nodes"] == 0 and pd.isna(empty["density"]) and pd.isna(empty["reciprocity"])
    lonely = _named(nx.DiGraph())
    lonely.add_nodes_from(["a", "b", "c"])
    row = network_stats(lonely).iloc[0]
    assert row["density"] == 0.0 and pd.isna(row["reciprocity"]) and row["components"] == 3
    assert row["largest_component_share"] == pytest.approx(1 / 3) and row["communities"] == 3
    assert node_stats(lonely)["betweenness"].tolist() == [0.0, 0.0, 0.0]


def test_communities_match_the_reference_partition_and_modularity():
    graph = _named(nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("d", "e"), ("e", "f"), ("f", "d"),
                               ("c", "d")]))
    parts = communities(graph, seed=0)
    assert parts == [{"a", "b", "c"}, {"d", "e", "f"}]
    assert parts == communities(graph, seed=0)
    # modularity of two triangles joined by one bridge, 7 undirected edges: 2 × (3/7 − (7/14)²)
    expected = 2 * (3 / 7 - (7 / 14) ** 2)
    assert network_stats(graph).iloc[0]["modularity"] == pytest.approx(expected)
    assert network_stats(graph).iloc[0]["communities"] == 2
    assert node_stats(graph).set_index("node")["community"].to_dict() == {
        "a": 1, "b": 1, "c": 1, "d": 2, "e": 2, "f": 2}


def test_normalised_names_meet():
    assert normalise_name("Tiers-lieu la Fabrique") == normalise_name("tiers-lieu La  Fabrique")
    assert normalise_name("Épicerie   Solidaire") == "epicerie solidaire"
    assert normalise_name(pd.NA) is None and normalise_name("   ") is None


# --- build_network on the sample survey ---------------------------------------------------------

def _responses() -> pd.DataFrame:
    return pd.DataFrame({
        "_submission_id": ["s1", "s2", "s3", "s4", "s5"],
        "_wave": ["2025", "2025", "2025", "2025", "2026"],
        "_territory": ["matera", "matera", "matera", "guimaraes", "matera"],
        "org_nom": ["Tiers-lieu la Fabrique", "SCOP Rivage", "Asso Seule", "Coop Ailleurs",
                    "Tiers-lieu la Fabrique"],
        "org_type": ["tiers_lieu", "scop", "association", "scic", "tiers_lieu"],
        "consent_nom": ["oui", "non", pd.NA, "oui", "oui"],
    })


def _relations() -> pd.DataFrame:
    return pd.DataFrame({
        "_submission_id": ["s1", "s1", "s2", "s2", "s2", "s2", "s4", "s5"],
        "_wave": ["2025"] * 7 + ["2026"],
        "_territory": ["matera"] * 6 + ["guimaraes", "matera"],
        "_index": [1, 2, 1, 2, 3, 4, 1, 1],
        "partenaire_nom": ["SCOP Rivage", "Mairie de Matera", "tiers-lieu La  Fabrique", "Mairie de matera",
                           "Scop rivage", "MAIRIE DE MATERA", "Mairie de Matera", "Nouveau Partenaire"],
        "partenaire_type": ["scop", "collectivite", "tiers_lieu", "collectivite", pd.NA, pd.NA,
                            "collectivite", "entreprise"],
        "lien_intensite": ["cooperation", "reseau", "collaboration", pd.NA, "reseau", "coalition",
                           "reseau", "reseau"],
        "lien_depuis": pd.array([2019, 2020, 2019, pd.NA, pd.NA, 2022, 2010, 2025], dtype="Int64"),
    })


@pytest.fixture
def matera(sample_survey):
    return build_network(_relations(), _responses(), sample_survey, territory="matera", wave="2025")


def test_build_network_nodes_and_attributes(matera):
    assert sorted(matera.nodes) == ["asso seule", "mairie de matera", "scop rivage", "tiers-lieu la fabrique"]
    fabrique = matera.nodes["tiers-lieu la fabrique"]
    assert fabrique == {"label": "Tiers-lieu la Fabrique", "org_type": "tiers_lieu", "respondent": True,
                        "named": True, "territory": "matera"}
    assert matera.nodes["scop rivage"]["named"] is False  # answered "non"
    assert matera.nodes["asso seule"]["named"] is False  # no answer: not a consent
    assert matera.nodes["asso seule"]["respondent"] is True and matera.degree("asso seule") == 0
    mairie = matera.nodes["mairie de matera"]
    assert mairie["respondent"] is False and mairie["named"] is False  # never asked
    assert mairie["label"] == "Mairie de Matera" and mairie["org_type"] == "collectivite"
    assert matera.graph["respondents"] == 3


def test_build_network_edges_weights_and_tie_attributes(matera):
    assert sorted(matera.edges) == [("scop rivage", "mairie de matera"),
                                    ("scop rivage", "tiers-lieu la fabrique"),
                                    ("tiers-lieu la fabrique", "mairie de matera"),
                                    ("tiers-lieu la fabrique", "scop rivage")]
    # "Mairie de matera" and "MAIRIE DE MATERA" are one tie declared twice; the self-tie is dropped
    assert matera["scop rivage"]["mairie de matera"]["weight"] == 2
    assert "lien_intensite" not in matera["scop rivage"]["mairie de matera"]  # first declaration was empty
    assert matera["tiers-lieu la fabrique"]["scop rivage"] == {
        "weight": 1, "partenaire_type": "scop", "lien_intensite": "cooperation", "lien_depuis": 2019}


def test_build_network_filters_and_merges_waves(sample_survey):
    later = build_network(_relations(), _responses(), sample_survey, wave="2026")
    assert sorted(later.nodes) == ["nouveau partenaire", "tiers-lieu la fabrique"]
    everything = build_network(_relations(), _responses(), sample_survey)
    assert everything.number_of_nodes() == 6  # Coop Ailleurs (guimaraes) and the 2026 partner too
    assert everything.nodes["tiers-lieu la fabrique"]["respondent"] is True


def test_build_network_needs_the_roles(sample_survey):
    from dataclasses import replace

    questions = {k: (replace(q, role=None) if q.role == "partner" else q)
                 for k, q in sample_survey.questions.items()}
    survey = replace(sample_survey, questions=questions)
    with pytest.raises(CoopworkError, match="no question with coopwork::role 'partner'"):
        build_network(_relations(), _responses(), survey)
    with pytest.raises(CoopworkError, match="no column 'partenaire_nom'"):
        build_network(_relations().drop(columns="partenaire_nom"), _responses(), sample_survey)


def test_published_names_hide_organisations_that_did_not_consent(matera):
    names = display_names(matera)
    assert names == {"tiers-lieu la fabrique": "Tiers-lieu la Fabrique", "scop rivage": "#3",
                     "asso seule": "#1", "mairie de matera": "#2"}
    table = node_stats(matera)
    assert "SCOP Rivage" not in table.to_string() and "scop rivage" not in table.to_string()
    assert set(table["label"]) == {"Tiers-lieu la Fabrique", "#1", "#2", "#3"}


def test_tie_changes_between_waves():
    before = _named(nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("a", "e")]))
    after = _named(nx.DiGraph([("a", "e"), ("a", "d"), ("d", "c")]))
    table = tie_changes(before, after)
    ties = table[table["level"] == "tie"]
    assert ties[["source", "target", "status"]].values.tolist() == [
        ["a", "e", "kept"], ["a", "b", "lost"], ["b", "c", "lost"], ["c", "a", "lost"],
        ["a", "d", "new"], ["d", "c", "new"]]
    orgs = table[table["level"] == "organisation"].set_index("source")["status"].to_dict()
    assert orgs == {"a": "stayer", "c": "stayer", "e": "stayer", "b": "leaver", "d": "newcomer"}
    assert table[table["level"] == "organisation"]["target"].isna().all()


def test_tie_changes_use_one_anonymous_numbering_for_both_waves():
    before = _named(nx.DiGraph([("a", "secret")]))
    after = _named(nx.DiGraph([("a", "secret")]))
    after.nodes["secret"]["named"] = False  # refused in the later wave: hidden in both
    table = tie_changes(before, after)
    assert "secret" not in table.to_string()
    assert table.iloc[0][["source", "target", "status"]].tolist() == ["a", "#1", "kept"]


def test_type_mixing_against_a_hand_count_and_networkx(sample_survey):
    graph = nx.DiGraph([("a", "b"), ("b", "a"), ("a", "c"), ("c", "d"), ("d", "e"), ("e", "x")])
    types = {"a": "scop", "b": "scop", "c": "association", "d": "association", "e": "collectivite"}
    nx.set_node_attributes(graph, types, "org_type")
    graph.nodes["x"]["org_type"] = None
    table = type_mixing(graph, survey=sample_survey, lang="en")
    counts = {(r.source_type, r.target_type): r.ties for r in table.itertuples()}
    assert counts == {("scop", "scop"): 2, ("scop", "association"): 1, ("association", "association"): 1,
                      ("association", "collectivite"): 1}
    assert table["share"].sum() == pytest.approx(1.0)
    typed = graph.subgraph(types)
    assert table["assortativity"].iloc[0] == pytest.approx(nx.attribute_assortativity_coefficient(typed,
                                                                                                 "org_type"))
    order = [c.name for c in sample_survey.role("org_type").choices]
    assert table["source_type"].map(order.index).is_monotonic_increasing
    assert "Local authority" in set(table["target_type_label"])


def test_write_gexf_keeps_attributes_and_hides_names(matera, tmp_path):
    path = write_gexf(matera, tmp_path / "matera.gexf")
    text = path.read_text(encoding="utf-8")
    assert "SCOP Rivage" not in text and "scop rivage" not in text and "Mairie" not in text
    back = nx.read_gexf(path)
    assert sorted(back.nodes) == ["#1", "#2", "#3", "Tiers-lieu la Fabrique"]
    assert back.nodes["#3"]["org_type"] == "scop" and back.nodes["#3"]["label"] == "#3"
    assert back["#3"]["#2"]["weight"] == 2
    assert back["Tiers-lieu la Fabrique"]["#3"]["lien_intensite"] == "cooperation"
    with pytest.raises(ExportError, match="cannot write the network file"):
        write_gexf(matera, tmp_path / "missing" / "folder" / "x.gexf")


# --- the whole flow: seeded demo exports → ingestion → workspace → network ------------------------

@pytest.fixture(scope="module")
def demo_workspace(tmp_path_factory):
    from coopwork.demo.generate import generate_demo
    from coopwork.ingest import ingest_file
    from coopwork.workspace import open_workspace

    root = tmp_path_factory.mktemp("network_demo")
    files = generate_demo(root, territories=1)
    survey_path = root / "surveys" / "cooperation_territoriale.xlsx"
    for path in files[:2]:  # the two Kobo XLSX exports (with the partner repeat sheet)
        ingest_file(path, survey=survey_path, wave=path.stem.split("_")[-1], workspace=root)
    return open_workspace(root)


def test_network_of_the_demo_workspace(demo_workspace, tmp_path):
    ws = demo_workspace
    survey, responses, relations = ws.survey, ws.responses(), ws.relations()
    territory, wave = ws.territories[0], ws.waves[0]
    graph = build_network(relations, responses, survey, territory=territory, wave=wave)
    answered = responses[(responses["_territory"] == territory) & (responses["_wave"] == wave)]
    ties = relations[(relations["_territory"] == territory) & (relations["_wave"] == wave)]
    # every respondent is a node; spelling variants of partner names meet
    assert {normalise_name(n) for n in answered["org_nom"]} <= set(graph.nodes)
    assert graph.graph["respondents"] == len(answered)
    raw_names = set(ties["partenaire_nom"]) | set(answered["org_nom"])
    assert graph.number_of_nodes() < len(raw_names)
    assert graph.number_of_nodes() == len({normalise_name(n) for n in raw_names})
    assert sum(w for _, _, w in graph.edges(data="weight")) <= len(ties)
    # measures are networkx's on this graph
    row = network_stats(graph).iloc[0]
    assert row["density"] == pytest.approx(nx.density(graph))
    assert row["reciprocity"] == pytest.approx(nx.reciprocity(graph))
    assert row["components"] == nx.number_weakly_connected_components(graph)
    table = node_stats(graph)
    assert table["degree"].sum() == 2 * graph.number_of_edges()
    # nobody who refused (or was never asked) is named in published outputs
    refused = set(answered.loc[answered["consent_nom"] != "oui", "org_nom"])
    partners_only = set(ties["partenaire_nom"]) - set(answered["org_nom"])
    text = table.to_string() + write_gexf(graph, tmp_path / "demo.gexf").read_text(encoding="utf-8")
    assert refused and not any(name in text for name in refused)
    assert not any(f'label="{name}"' in text for name in partners_only)
    consenting = set(answered.loc[answered["consent_nom"] == "oui", "org_nom"])
    assert consenting & set(table["label"])
