"""The published network of a result and its history: what the network files of an export read.

A result stores its group's network twice (:mod:`coopwork.results`): ``network``, the node and
edge lists with the names it may publish (:func:`graph_data`), and ``graph``, the same graph keyed
by organisation (:func:`graph_links`), which the export reads back (:func:`graph_from_links`) to
join the waves of a territory in one dynamic GEXF. Whether a network may be published at all is
:func:`network_shown`'s decision (the disclosure rule on its responding organisations), the names
it shows :func:`display_names`' (organisations that did not consent become ``#k``, the same over
every wave passed together): the displays ask these, never :mod:`coopwork.analysis`.
:func:`previous_graph` and :func:`previous_network` give a territory's network of its previous
wave (the ties gained and lost, the measures the synthesis compares with).

Examples
--------
>>> import networkx as nx
>>> g = nx.DiGraph([("a", "b")], respondents=2)
>>> g.add_node("a", label="Coop A", named=True)
>>> network_shown(g, 3), network_shown(g, 2), display_names(g)
(False, True, {'a': 'Coop A', 'b': '#1'})
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pandas as pd

from ..analysis.disclosure import is_small, protect
from ..analysis.network import display_names
from ..values import format_number
from .tables import plain

if TYPE_CHECKING:
    from .inputs import Inputs, WaveData

__all__ = ["display_names", "graph_data", "graph_from_links", "graph_links", "network_rows", "network_shown",
           "previous_graph", "previous_network", "protect_network"]


def network_shown(graph: Any, min_count: int) -> bool:
    """Whether a network may be published: it rests on responding organisations (``respondents`` of
    the graph, else its nodes marked ``respondent``), and not on 1 .. ``min_count`` − 1 of them."""
    respondents = graph.graph.get("respondents")
    if respondents is None:
        respondents = sum(1 for _, r in graph.nodes(data="respondent") if r)
    return bool(respondents) and not is_small(respondents, min_count)


def network_rows(wd: WaveData, territory: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Positions of a territory's responses and relations in its wave (``None``: all of them)."""
    if territory is None:
        return np.arange(len(wd.responses)), np.arange(len(wd.relations))
    return (wd.rows.get(territory, np.array([], dtype=int)),
            wd.relation_rows.get(territory, np.array([], dtype=int)))


def protect_network(stats: pd.DataFrame, *, lang: str, min_count: int) -> pd.DataFrame:
    """Network measures as published: hidden below ``min_count`` responding organisations."""
    return protect(
        stats,
        count="respondents",
        min_count=min_count,
        lang=lang,
        display=lambda row, lang: format_number(row["density"], decimals=3, lang=lang),
    )


def previous_graph(
    inputs: Inputs, territory: str | None, previous: str | None, org_type: str | None, *, min_count: int
) -> tuple[Any, str] | None:
    """A territory's whole network in the previous wave and the wave's name, when it may be shown
    (``min_count`` respondents or more); None for the organisation-type views and the synthesis."""
    survey = inputs.survey
    if territory is None or previous is None or org_type or survey.role("partner") is None:
        return None
    wd = inputs.wave(previous)
    if survey.role("organisation") is None or survey.role("partner").name not in wd.relations.columns:
        return None
    network = wd.network((territory, None), *network_rows(wd, territory))
    return (network.graph, str(previous)) if network_shown(network.graph, min_count) else None


def previous_network(
    inputs: Inputs, territory: str | None, previous: str | None, *, lang: str, min_count: int
) -> pd.DataFrame | None:
    """The protected network measures of a territory in its previous wave (what the synthesis's
    changes compare with), so that the synthesis needs no result of the previous wave."""
    survey = inputs.survey
    if (
        territory is None
        or previous is None
        or survey.role("organisation") is None
        or (survey.role("partner") is None)
    ):
        return None
    wd = inputs.wave(previous)
    if survey.role("partner").name not in wd.relations.columns:
        return None
    stats = wd.network((territory, None), *network_rows(wd, territory)).stats
    return protect_network(stats, lang=lang, min_count=min_count)


def graph_links(graph: Any) -> dict | None:
    """The graph a result publishes, in node-link form with plain JSON values, nodes keyed by
    organisation (before :func:`~coopwork.analysis.network.display_names` hides names): what the
    dynamic GEXF reads back with :func:`graph_from_links`. None when the network is not shown.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "b", {"w": 1})], respondents=2)
    >>> back = graph_from_links(graph_links(g))
    >>> list(back.edges(data=True)), back.graph
    ([('a', 'b', {'w': 1})], {'respondents': 2})
    """
    if graph is None:
        return None
    return {
        "graph": {k: plain(v) for k, v in graph.graph.items()},
        "nodes": [[node, {k: plain(v) for k, v in data.items()}] for node, data in graph.nodes(data=True)],
        "edges": [[u, v, {k: plain(x) for k, x in data.items()}] for u, v, data in graph.edges(data=True)],
    }


def graph_from_links(links: dict) -> Any:
    """The graph stored by :func:`graph_links` (a ``networkx.DiGraph``, nodes and edges in their order)."""
    graph = nx.DiGraph(**links["graph"])
    graph.add_nodes_from((node, data) for node, data in links["nodes"])
    graph.add_edges_from((u, v, data) for u, v, data in links["edges"])
    return graph


def graph_data(graph: Any) -> dict | None:
    """The published network as node and edge lists (consented names only), for the network files."""
    if graph is None:
        return None
    names = display_names(graph)
    nodes = [
        {"id": names[node], **{k: v for k, v in data.items() if k not in {"label"}}, "label": names[node]}
        for node, data in graph.nodes(data=True)
    ]
    edges = [{"source": names[u], "target": names[v], **data} for u, v, data in graph.edges(data=True)]
    return {"respondents": int(graph.graph.get("respondents", 0)), "nodes": nodes, "edges": edges}
