"""The cooperation network: organisations as nodes, declared partnerships as ties.

A respondent organisation (the ``organisation`` role question) names its partners in the
relations repeat (the ``partner`` role question). :func:`build_network` turns the tidy
``responses`` and ``relations`` tables (see ``docs/architecture.md``) into a
:class:`networkx.DiGraph` — one directed tie *respondent → partner* per declared partnership —
and the other functions measure it with networkx's own algorithms.

Nodes are keyed by a normalised name (:func:`normalise_name`: accents stripped, case folded,
spaces collapsed), so that "Tiers-lieu la Fabrique" and "tiers-lieu La  Fabrique" are one
organisation. Node attributes:

``label``
    the name as given (the respondent's own spelling first, else the first partner mention);
``org_type``
    choice name of the ``org_type`` role answer; for organisations that did not answer, the
    answer to a repeat question using the same choice list (e.g. "type of the partner"), if any;
``respondent``
    True for organisations that answered the survey (they are nodes even without ties);
``named``
    True only when the organisation answered yes to the ``name_consent`` question
    (:func:`coopwork.analysis.disclosure.has_consent`): False after "non"/"no", an empty
    answer, and for partners that did not answer the survey (they were never asked).
    Published outputs never show the name of a node with ``named=False``:
    :func:`display_names` (through :func:`~coopwork.analysis.disclosure.visible_label`) gives
    tables and GEXF files (:mod:`coopwork.export.network_files`) an anonymous id ``#k`` instead;
``territory``
    the respondent's territory (for a partner: the territory of the first respondent naming it).

Edge attributes: one per question of the relations repeat (kind of tie, intensity, …; the
first answer when a tie is declared twice) and ``weight``, the number of times the tie was
declared (1 unless the same organisation answered twice or named the same partner twice).

The example of :func:`build_network` builds a small network and measures it. networkx (0.2 s) is
imported by the functions that use it: ``import coopwork.analysis`` (``coopwork survey show``,
``coopwork codebook``) draws no network.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import CoopworkError
from ..values import attribute
from .disclosure import has_consent, visible_label

if TYPE_CHECKING:
    import networkx as nx

    from ..survey import Survey

__all__ = [
    "build_network",
    "communities",
    "display_names",
    "network_stats",
    "node_stats",
    "normalise_name",
    "tie_changes",
    "type_mixing",
]

_META = {"_submission_id", "_wave", "_territory", "_index", "_submitted_at", "_source",
         "_parent_index", "_uuid"}


def normalise_name(name: object) -> str | None:
    """The key of an organisation name: accents stripped, case folded, spaces collapsed.

    Returns None for a missing or blank name.

    Examples
    --------
    >>> normalise_name("Tiers-lieu  la Fabrique ") == normalise_name("tiers-lieu La Fabrique")
    True
    >>> normalise_name("Ôcéan’s Coop"), normalise_name("  ")
    ("ocean's coop", None)
    """
    if name is None or (not isinstance(name, str) and pd.isna(name)):
        return None
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'").casefold()
    text = re.sub(r"\s+", " ", text).strip()
    return text or None


def _filter(table: pd.DataFrame, territory: str | None, wave: str | None) -> pd.DataFrame:
    out = table
    if territory is not None and "_territory" in out.columns:
        out = out[out["_territory"] == territory]
    if wave is not None and "_wave" in out.columns:
        out = out[out["_wave"] == wave]
    return out


def _require(table: pd.DataFrame, column: str, what: str) -> None:
    if column not in table.columns:
        raise CoopworkError("analysis_errors.no_column_relations" if what == "relations"
                            else "analysis_errors.no_column", name=column, column=column,
                            hint="analysis_errors.hint_processed_tables")


def build_network(relations: pd.DataFrame, responses: pd.DataFrame, survey: Survey, *,
                  territory: str | None = None, wave: str | None = None) -> nx.DiGraph:
    """Build the directed cooperation network of a territory and wave.

    Parameters
    ----------
    relations
        The relations table (one row per partner named in the relations repeat).
    responses
        The responses table (one row per submission).
    survey
        The survey; its roles ``organisation``, ``partner`` (required), ``org_type`` and
        ``name_consent`` (optional) tell which columns to read.
    territory, wave
        Keep only these responses and relations (None: all).

    Returns
    -------
    networkx.DiGraph
        Nodes and attributes as described in the module docstring; ``G.graph`` holds
        ``territory``, ``wave`` and ``respondents`` (number of answering organisations).

    Raises
    ------
    CoopworkError
        When the survey has no ``organisation`` or ``partner`` role, or a table lacks the
        column of that role.

    Examples
    --------
    >>> import pandas as pd
    >>> from coopwork.demo import sample_survey_path
    >>> from coopwork.survey import load_survey
    >>> survey = load_survey(sample_survey_path())
    >>> responses = pd.DataFrame({"_submission_id": ["s1", "s2"], "_wave": "2025", "_territory": "matera",
    ...                           "org_nom": ["Tiers-lieu la Fabrique", "SCOP Rivage"],
    ...                           "org_type": ["tiers_lieu", "scop"], "consent_nom": ["oui", "non"]})
    >>> relations = pd.DataFrame({"_submission_id": ["s1", "s2", "s2"], "_wave": "2025",
    ...                           "_territory": "matera", "_index": [1, 1, 2],
    ...                           "partenaire_nom": ["SCOP Rivage", "tiers-lieu La  Fabrique", "Mairie"],
    ...                           "partenaire_type": ["scop", "tiers_lieu", "collectivite"]})
    >>> G = build_network(relations, responses, survey)
    >>> sorted(G.nodes)  # one node for two spellings of the same name
    ['mairie', 'scop rivage', 'tiers-lieu la fabrique']
    >>> G.nodes["mairie"]["org_type"], G.nodes["mairie"]["respondent"], G["scop rivage"]["mairie"]["weight"]
    ('collectivite', False, 1)
    >>> network_stats(G)[["nodes", "edges", "reciprocity"]].iloc[0].tolist()
    [3.0, 3.0, 0.666...]
    >>> node_stats(G)["label"].tolist()  # the SCOP refused, the town hall was never asked
    ['#2', 'Tiers-lieu la Fabrique', '#1']
    """
    import networkx as nx  # lazy: networkx, 0.2 s (see the module's note)

    org_q, partner_q = survey.role("organisation"), survey.role("partner")
    if org_q is None or partner_q is None:
        missing = "organisation" if org_q is None else "partner"
        raise CoopworkError("analysis_errors.no_network", survey=survey.survey_id, role=missing,
                            file=survey.path and survey.path.name, column="coopwork::role",
                            hint="analysis_errors.hint_no_network")
    type_q, consent_q = survey.role("org_type"), survey.role("name_consent")
    responses = _filter(responses, territory, wave)
    relations = _filter(relations, territory, wave)
    _require(responses, org_q.name, "responses")
    _require(responses, "_submission_id", "responses")
    _require(relations, partner_q.name, "relations")
    _require(relations, "_submission_id", "relations")

    repeat_questions = [q for q in survey.repeats.get(partner_q.repeat or "", [])
                        if q.name != partner_q.name and not q.identifier and q.name in relations.columns]
    partner_type_q = next((q for q in repeat_questions if type_q is not None and q.is_select
                           and q.list_name and q.list_name == type_q.list_name), None)

    graph = nx.DiGraph(territory=territory, wave=wave)
    by_submission: dict[tuple[str, object], str] = {}
    by_id: dict[str, str] = {}
    respondents = 0
    for row in responses.to_dict("records"):
        label = attribute(row.get(org_q.name))
        key = normalise_name(label) or f"#{row['_submission_id']}"
        by_submission[(str(row["_submission_id"]), attribute(row.get("_wave")))] = key
        by_id.setdefault(str(row["_submission_id"]), key)
        respondents += 1
        named = has_consent(row.get(consent_q.name)) if consent_q is not None else False
        org_type = attribute(row.get(type_q.name)) if type_q is not None else None
        if key in graph and graph.nodes[key]["respondent"]:  # the same organisation answered twice
            node = graph.nodes[key]
            node["named"] = node["named"] and named
            node["org_type"] = node["org_type"] or org_type
            continue
        graph.add_node(key, label=str(label) if label is not None else "", org_type=org_type,
                   respondent=True, named=named and label is not None,
                   territory=attribute(row.get("_territory")))
    graph.graph["respondents"] = respondents

    for row in relations.to_dict("records"):
        source = by_submission.get((str(row["_submission_id"]), attribute(row.get("_wave"))))
        if source is None:  # relations without the wave column
            source = by_id.get(str(row["_submission_id"]))
        partner = attribute(row.get(partner_q.name))
        target = normalise_name(partner)
        if source is None or target is None or target == source:
            continue
        if target not in graph:
            graph.add_node(target, label=str(partner), respondent=False, named=False,
                       org_type=attribute(row.get(partner_type_q.name)) if partner_type_q else None,
                       territory=graph.nodes[source].get("territory"))
        elif graph.nodes[target]["org_type"] is None and partner_type_q is not None:
            graph.nodes[target]["org_type"] = attribute(row.get(partner_type_q.name))
        if graph.has_edge(source, target):
            graph[source][target]["weight"] += 1
            continue
        attributes = {q.name: attribute(row.get(q.name)) for q in repeat_questions}
        graph.add_edge(source, target, weight=1, **{k: v for k, v in attributes.items() if v is not None})
    return graph


def _undirected(graph: nx.DiGraph) -> nx.Graph:
    """Undirected copy whose tie weight is the sum of both directions."""
    import networkx as nx  # lazy: networkx, 0.2 s (see the module's note)

    undirected = nx.Graph()
    undirected.add_nodes_from(sorted(graph.nodes))
    for u, v, data in graph.edges(data=True):
        weight = data.get("weight", 1)
        if undirected.has_edge(u, v):
            undirected[u][v]["weight"] += weight
        else:
            undirected.add_edge(u, v, weight=weight)
    return undirected


def communities(graph: nx.DiGraph, *, seed: int = 0) -> list[set[str]]:
    """Communities of the network (networkx's Louvain on the undirected, weighted graph).

    Returns
    -------
    list of set
        Node sets, largest first (ties broken by their smallest node key), so that community
        numbers are stable between runs; isolated nodes are communities of one.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("d", "e"), ("e", "f"), ("f", "d"), ("c", "d")])
    >>> [sorted(c) for c in communities(G)]
    [['a', 'b', 'c'], ['d', 'e', 'f']]
    """
    import networkx as nx  # lazy: networkx, 0.2 s (see the module's note)

    if graph.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(_undirected(graph), weight="weight", seed=seed)
    return sorted((set(c) for c in found), key=lambda c: (-len(c), min(c)))


def display_names(*graphs: nx.DiGraph) -> dict[str, str]:
    """The name to publish for each node of ``graphs``: its label, or ``#k`` when hidden.

    The decision is :func:`~coopwork.analysis.disclosure.visible_label`'s, with the node's
    ``label`` (default: its key) and ``named`` flag (default: False) as name and consent; a
    node is hidden when it is hidden in any of the graphs. Hidden nodes are numbered ``#1``,
    ``#2`` … in the order of their keys, the same numbers in every graph passed together
    (e.g. two waves).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph()
    >>> G.add_node("a", label="Coop A", named=True)
    >>> G.add_node("b", label="Coop B", named=False)
    >>> display_names(G)
    {'a': 'Coop A', 'b': '#1'}
    """
    hidden: set[str] = set()
    labels: dict[str, str] = {}
    for graph in graphs:
        for node, data in graph.nodes(data=True):
            shown = visible_label(data.get("label", node), consent=data.get("named", False))
            if shown is None:
                hidden.add(node)
            else:
                labels.setdefault(node, shown)
    numbers = {node: f"#{i}" for i, node in enumerate(sorted(hidden), start=1)}
    nodes = dict.fromkeys(node for graph in graphs for node in graph.nodes)
    return {node: numbers.get(node) or labels[node] for node in nodes}


def network_stats(graph: nx.DiGraph, *, seed: int = 0) -> pd.DataFrame:
    """Whole-network measures, one row.

    Columns: ``nodes``, ``respondents``, ``edges``, ``density`` (directed: edges / n(n−1)),
    ``reciprocity`` (share of ties returned, NA without ties), ``components`` (weakly
    connected), ``largest_component_share`` (nodes of the largest component / nodes),
    ``mean_degree`` (mean of in + out degree), ``communities`` (:func:`communities`),
    ``modularity`` of that partition (NA without ties), ``assortativity`` by organisation
    type (NA when undefined).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c"), ("c", "d")])
    >>> network_stats(G)[["density", "reciprocity", "components", "mean_degree"]].iloc[0].tolist()
    [0.333..., 0.5, 1.0, 2.0]
    """
    import networkx as nx  # lazy: networkx, 0.2 s (see the module's note)

    n, m = graph.number_of_nodes(), graph.number_of_edges()
    components = list(nx.weakly_connected_components(graph)) if n else []
    parts = communities(graph, seed=seed)
    modularity = (nx.community.modularity(_undirected(graph), parts, weight="weight") if m else pd.NA)
    return pd.DataFrame([{
        "nodes": n,
        "respondents": graph.graph.get("respondents", sum(1 for _, r in graph.nodes(data="respondent") if r)),
        "edges": m,
        "density": nx.density(graph) if n > 1 else pd.NA,
        "reciprocity": nx.reciprocity(graph) if m else pd.NA,
        "components": len(components),
        "largest_component_share": max(len(c) for c in components) / n if n else pd.NA,
        "mean_degree": 2 * m / n if n else pd.NA,
        "communities": len(parts),
        "modularity": modularity,
        "assortativity": _assortativity(graph),
    }]).astype({"density": "Float64", "reciprocity": "Float64", "largest_component_share": "Float64",
                "mean_degree": "Float64", "modularity": "Float64", "assortativity": "Float64"})


def node_stats(graph: nx.DiGraph, *, seed: int = 0) -> pd.DataFrame:
    """One row per organisation, by decreasing degree.

    Columns: ``node`` and ``label`` (both the published name of :func:`display_names`:
    ``#k`` for organisations that asked not to be named), ``org_type``, ``respondent``,
    ``degree`` (in + out), ``in_degree`` (times named by others), ``out_degree`` (partners
    named), ``betweenness`` (normalised, on the undirected graph: ties are cooperation both
    ways), ``community`` (1-based number of :func:`communities`).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> nx.set_node_attributes(G, True, "named")
    >>> node_stats(G)[["node", "degree", "betweenness"]].values.tolist()
    [['b', 2, 1.0], ['a', 1, 0.0], ['c', 1, 0.0]]
    """
    import networkx as nx  # lazy: networkx, 0.2 s (see the module's note)

    names = display_names(graph)
    betweenness = nx.betweenness_centrality(_undirected(graph), normalized=True)
    number = {node: i for i, part in enumerate(communities(graph, seed=seed), start=1) for node in part}
    rows = [{
        "node": names[node],
        "label": names[node],
        "org_type": data.get("org_type"),
        "respondent": bool(data.get("respondent", True)),
        "degree": graph.degree(node),
        "in_degree": graph.in_degree(node),
        "out_degree": graph.out_degree(node),
        "betweenness": betweenness.get(node, 0.0),
        "community": number[node],
        "_key": node,
    } for node, data in graph.nodes(data=True)]
    table = pd.DataFrame(rows, columns=["node", "label", "org_type", "respondent", "degree", "in_degree",
                                        "out_degree", "betweenness", "community", "_key"])
    table = table.sort_values(["degree", "_key"], ascending=[False, True], kind="stable")
    return table.drop(columns="_key").reset_index(drop=True).astype(
        {"org_type": "str", "degree": "int64", "in_degree": "int64", "out_degree": "int64",
         "betweenness": "float64", "community": "int64"})


def tie_changes(before_graph: nx.DiGraph, after_graph: nx.DiGraph) -> pd.DataFrame:
    """What changed between two waves: ties and organisations.

    Returns
    -------
    DataFrame
        Columns ``level`` (``tie`` or ``organisation``), ``source``, ``target`` (NA for
        organisations), ``status``: for ties ``new``, ``lost`` or ``kept``; for organisations
        ``newcomer`` (only in ``after_graph``), ``leaver`` (only in ``before_graph``) or ``stayer``.
        Names are published names (:func:`display_names` over both graphs). Ties first, then
        organisations, each sorted by status then names.

    Examples
    --------
    >>> import networkx as nx
    >>> before, after = nx.DiGraph([("a", "b"), ("b", "c")]), nx.DiGraph([("a", "b"), ("a", "d")])
    >>> nx.set_node_attributes(before, True, "named"); nx.set_node_attributes(after, True, "named")
    >>> tie_changes(before, after)[["level", "source", "target", "status"]].values.tolist()[:3]
    [['tie', 'a', 'b', 'kept'], ['tie', 'b', 'c', 'lost'], ['tie', 'a', 'd', 'new']]
    """
    names = display_names(before_graph, after_graph)
    order = {"kept": 0, "lost": 1, "new": 2, "stayer": 0, "leaver": 1, "newcomer": 2}
    before, after = set(before_graph.edges), set(after_graph.edges)
    ties = [(order[s], names[u], names[v], "tie", s) for edges, s in
            ((before & after, "kept"), (before - after, "lost"), (after - before, "new")) for u, v in edges]
    nodes_before, nodes_after = set(before_graph.nodes), set(after_graph.nodes)
    orgs = [(order[s], names[u], "", "organisation", s) for group, s in
            ((nodes_before & nodes_after, "stayer"), (nodes_before - nodes_after, "leaver"),
             (nodes_after - nodes_before, "newcomer")) for u in group]
    rows = [{"level": level, "source": source, "target": target or pd.NA, "status": status}
            for _, source, target, level, status in sorted(ties) + sorted(orgs)]
    return pd.DataFrame(rows, columns=["level", "source", "target", "status"]).astype("str")


def _typed_edges(graph: nx.DiGraph) -> Iterable[tuple[str, str]]:
    types = dict(graph.nodes(data="org_type"))
    for u, v in graph.edges:
        if types.get(u) is not None and types.get(v) is not None:
            yield str(types[u]), str(types[v])


def _assortativity(graph: nx.DiGraph) -> float | None:
    """networkx's attribute assortativity by org_type, on ties between typed organisations."""
    import networkx as nx  # lazy: networkx, 0.2 s (see the module's note)

    typed = [n for n, t in graph.nodes(data="org_type") if t is not None]
    out = graph.subgraph(typed)
    if out.number_of_edges() == 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0/0 when every tie joins one type
        value = nx.attribute_assortativity_coefficient(out, "org_type")
    return None if pd.isna(value) else float(value)


def type_mixing(graph: nx.DiGraph, *, survey: Survey | None = None, lang: str | None = None) -> pd.DataFrame:
    """Ties counted by organisation type of the source and of the target.

    Ties with an organisation of unknown type are left out. With ``survey``, types are
    listed in form order (every pair present in the data) and labelled in ``lang``.

    Returns
    -------
    DataFrame
        Columns ``source_type``, ``target_type``, ``ties``, ``share`` (of all typed ties),
        ``assortativity`` (networkx's attribute assortativity coefficient, the same on every
        row: +1 when organisations only cooperate within their type, negative when they
        cooperate more across types than chance), and with ``survey`` also
        ``source_type_label``, ``target_type_label``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a")])
    >>> nx.set_node_attributes(G, {"a": "scop", "b": "scop", "c": "association"}, "org_type")
    >>> type_mixing(G)[["source_type", "target_type", "ties"]].values.tolist()
    [['association', 'scop', 1], ['scop', 'association', 1], ['scop', 'scop', 1]]
    """
    pairs = pd.DataFrame(list(_typed_edges(graph)), columns=["source_type", "target_type"], dtype="str")
    table = pairs.value_counts().rename("ties").reset_index()
    order: dict[str, int] = {}
    type_q = survey.role("org_type") if survey is not None else None
    if type_q is not None:
        order = {c.name: i for i, c in enumerate(type_q.choices)}
    present = set(table["source_type"]) | set(table["target_type"])
    rank = {name: order.get(name, len(order)) for name in present}
    table = table.assign(_s=table["source_type"].map(rank), _t=table["target_type"].map(rank))
    table = table.sort_values(["_s", "source_type", "_t", "target_type"]).drop(columns=["_s", "_t"])
    total = table["ties"].sum()
    table = table.assign(ties=table["ties"].astype("int64"),
                         share=(table["ties"] / total) if total else pd.Series(dtype="float64"),
                         assortativity=pd.array([_assortativity(graph)] * len(table), dtype="Float64"))
    if type_q is not None:
        labels = survey.choice_labels(type_q.name, lang)
        table = table.assign(source_type_label=table["source_type"].map(lambda v: labels.get(v, v)),
                             target_type_label=table["target_type"].map(lambda v: labels.get(v, v)))
    return table.reset_index(drop=True)
