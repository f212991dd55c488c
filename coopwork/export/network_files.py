"""Network files for Gephi: GEXF plus nodes/edges CSV, without hidden names or identifiers.

The GEXF file is written by :func:`coopwork.analysis.network.write_gexf` (organisations that
did not consent to be named become ``#k``). Before writing, attributes that could identify a
person are removed from the graph: questions declared ``coopwork::identifier``, and any text
that looks like a pseudonym (``px_…``), an e-mail address or a phone number. The CSV files use
Gephi's spreadsheet-import columns (``Id``, ``Label`` for nodes; ``Source``, ``Target``,
``Type``, ``Weight`` for edges) and go through :func:`coopwork.export.safe.to_csv`.

A network whose territory has fewer respondents than ``min_count`` is not written at all.

Examples
--------
>>> import networkx as nx, tempfile, pathlib
>>> G = nx.DiGraph()
>>> G.add_node("a", label="Coop A", named=True, contact="px_0123456789abcdef")
>>> G.add_node("b", label="Coop B", named=False)
>>> G.add_edge("a", "b", weight=1)
>>> G.graph["respondents"] = 5
>>> files = write_network_files(G, pathlib.Path(tempfile.mkdtemp()), stem="t1")
>>> sorted(p.name for p in files)
['t1.gexf', 't1_edges.csv', 't1_nodes.csv']
>>> sorted(nx.read_gexf(files[0]).nodes(data="label"))
[('#1', '#1'), ('Coop A', 'Coop A')]
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .safe import to_csv

if TYPE_CHECKING:
    import networkx as nx

    from ..survey import Survey

__all__ = ["IDENTIFYING", "clean_graph", "write_network_files"]

#: texts that identify a person: pseudonyms, e-mail addresses, phone numbers
IDENTIFYING = re.compile(
    r"px_[0-9a-f]{8,}|[\w.+-]+@[\w-]+\.[\w.-]+|(?:\+|00)\d[\d .-]{7,}\d|\b0\d(?:[ .-]?\d{2}){4}\b",
    re.IGNORECASE,
)


def _identifying(value: object) -> bool:
    return isinstance(value, str) and bool(IDENTIFYING.search(value))


def clean_graph(graph: nx.DiGraph, *, survey: Survey | None = None) -> nx.DiGraph:
    """A copy of ``graph`` without identifier attributes (see the module docstring).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b", {"note": "écrire à x@y.org", "intensite": "forte"})])
    >>> clean_graph(G).edges["a", "b"]
    {'intensite': 'forte'}
    """
    declared = {q.name for q in survey.identifiers} if survey is not None else set()
    out = graph.copy()
    for _, data in out.nodes(data=True):
        for key in [k for k, v in data.items() if k in declared or (k != "label" and _identifying(v))]:
            del data[key]
    for _, _, data in out.edges(data=True):
        for key in [k for k, v in data.items() if k in declared or _identifying(v)]:
            del data[key]
    return out


def write_network_files(
    graph: nx.DiGraph, folder: str | Path, *, stem: str, survey: Survey | None = None, min_count: int = 3
) -> list[Path]:
    """Write ``<stem>.gexf``, ``<stem>_nodes.csv`` and ``<stem>_edges.csv`` into ``folder``.

    Returns the files written: none when the network rests on fewer than ``min_count``
    respondents (``graph.graph["respondents"]``).
    """
    from ..analysis.network import display_names, write_gexf

    respondents = graph.graph.get("respondents")
    if respondents is None:
        respondents = sum(1 for _, r in graph.nodes(data="respondent") if r)
    if respondents < min_count:
        return []
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    clean = clean_graph(graph, survey=survey)
    gexf = write_gexf(clean, folder / f"{stem}.gexf")
    names = display_names(clean)

    node_rows = []
    for node, data in sorted(clean.nodes(data=True), key=lambda item: names[item[0]]):
        row = {"Id": names[node], "Label": names[node]}
        row.update({k: v for k, v in data.items() if k not in {"label", "named"}})
        row["in_degree"] = clean.in_degree(node)
        row["out_degree"] = clean.out_degree(node)
        node_rows.append(row)
    edge_rows = []
    for u, v, data in sorted(clean.edges(data=True), key=lambda e: (names[e[0]], names[e[1]])):
        row = {"Source": names[u], "Target": names[v], "Type": "Directed", "Weight": data.get("weight", 1)}
        row.update({k: x for k, x in data.items() if k != "weight"})
        edge_rows.append(row)
    nodes_csv, edges_csv = folder / f"{stem}_nodes.csv", folder / f"{stem}_edges.csv"
    to_csv(pd.DataFrame(node_rows) if node_rows else pd.DataFrame(columns=["Id", "Label"]), nodes_csv)
    to_csv(
        pd.DataFrame(edge_rows)
        if edge_rows
        else pd.DataFrame(columns=["Source", "Target", "Type", "Weight"]),
        edges_csv,
    )
    return [gexf, edges_csv, nodes_csv]
