"""Network files for Gephi: GEXF plus nodes/edges CSV, without hidden names or identifiers.

The GEXF file is written by :func:`write_gexf` (organisations that did not consent to be named
become ``#k``, :func:`coopwork.results.network.display_names`). Before writing, attributes that
could identify a person are removed from the graph: questions declared ``coopwork::identifier``, and any text
that holds a pseudonym (``px_…``), an e-mail address, a phone number or an IP address
(:mod:`coopwork.contacts`). The CSV files use
Gephi's spreadsheet-import columns (``Id``, ``Label`` for nodes; ``Source``, ``Target``,
``Type``, ``Weight`` for edges) and go through :func:`coopwork.words.to_csv`.

A network whose territory has fewer respondents than ``min_count`` is not written at all
(:func:`coopwork.results.network.network_shown`: the results decide what may be published, this
module only writes it).

:func:`write_dynamic_gexf` writes the network **over time**: one GEXF (``mode="dynamic"``,
``timeformat="double"``) with every wave whose network is published. Each wave is a point in
time — its id when every wave id is a number (a year), else its rank (1, 2, …) — and lasts until
the next wave; nodes and ties carry the ``spells`` of the waves they are present in. Ties also
say when they were ``gained`` and ``lost`` (wave ids, ``;``-separated), their ``first_wave`` and
``last_wave``; nodes list their ``waves``. An organisation hidden in any wave is hidden in all,
under the same ``#k`` (:func:`coopwork.results.network.display_names` over every wave).

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

from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
import pandas as pd

from ..contacts import find_contacts
from ..errors import ExportError
from ..results.network import display_names, network_shown
from ..results.tables import plain
from ..threshold import DEFAULT_MIN_COUNT
from ..values import attribute
from ..words import to_csv

if TYPE_CHECKING:
    from ..survey import Survey

__all__ = ["clean_graph", "wave_times", "write_dynamic_gexf", "write_gexf", "write_network_files"]


def _identifying(value: object) -> bool:
    return isinstance(value, str) and bool(find_contacts(value, pseudonyms=True))


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


def write_gexf(graph: nx.DiGraph, path: str | Path) -> Path:
    """Write the network as GEXF for Gephi, without the names of non-consenting organisations.

    Nodes that asked not to be named get the id and label ``#k`` of
    :func:`~coopwork.results.network.display_names`; every other attribute (type, respondent,
    territory, tie attributes, weight) is kept. Missing values are left out (GEXF has no missing
    value).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ExportError
        When the file cannot be written (missing folder, no permission).

    Examples
    --------
    >>> import networkx as nx, tempfile, pathlib
    >>> G = nx.DiGraph([("a", "b")])
    >>> nx.set_node_attributes(G, {"a": {"label": "Coop A", "named": True},
    ...                            "b": {"label": "Coop B", "named": False}})
    >>> out = write_gexf(G, pathlib.Path(tempfile.mkdtemp()) / "network.gexf")
    >>> sorted(nx.read_gexf(out).nodes(data="label"))
    [('#1', '#1'), ('Coop A', 'Coop A')]
    """
    path = Path(path)
    names = display_names(graph)
    out = nx.DiGraph()
    for node in sorted(graph.nodes):
        data = {k: attribute(v) for k, v in graph.nodes[node].items()}
        data = {k: v for k, v in data.items() if v is not None}
        data["label"] = names[node]
        out.add_node(names[node], **data)
    for u, v, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
        clean = {k: attribute(x) for k, x in data.items()}
        out.add_edge(names[u], names[v], **{k: x for k, x in clean.items() if x is not None})
    try:
        nx.write_gexf(out, path)
    except OSError as exc:
        raise ExportError("analysis_errors.network_file", error=exc.strerror or str(exc), file=path,
                          hint="analysis_errors.hint_write") from None
    return path


def write_network_files(
    graph: nx.DiGraph, folder: str | Path, *, stem: str, survey: Survey | None = None,
    min_count: int = DEFAULT_MIN_COUNT,
) -> list[Path]:
    """Write ``<stem>.gexf``, ``<stem>_nodes.csv`` and ``<stem>_edges.csv`` into ``folder``.

    Returns the files written: none when the network rests on fewer than ``min_count``
    respondents (``graph.graph["respondents"]``).
    """
    if not network_shown(graph, min_count):  # the results' decision, none of its own
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


def wave_times(waves: list[str]) -> dict[str, tuple[float, float]]:
    """Each wave's time span ``(start, end)``: from its time to the next wave's (see the module
    docstring); the last lasts as long as the gap before it (1 when alone).

    Examples
    --------
    >>> wave_times(["2022", "2025"])
    {'2022': (2022.0, 2025.0), '2025': (2025.0, 2028.0)}
    >>> wave_times(["w1", "w2"])
    {'w1': (1.0, 2.0), 'w2': (2.0, 3.0)}
    """
    try:
        points = [float(int(w)) for w in waves]
    except ValueError:
        points = [float(k) for k in range(1, len(waves) + 1)]
    gap = points[-1] - points[-2] if len(points) > 1 else 1.0
    ends = [*points[1:], points[-1] + gap]
    return {w: (start, end) for w, start, end in zip(waves, points, ends, strict=True)}


def _spells(present: list[bool], spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """One spell per run of consecutive waves where the node or tie is present.

    >>> _spells([True, True, False, True], [(1.0, 2.0), (2.0, 3.0), (3.0, 4.0), (4.0, 5.0)])
    [(1.0, 3.0), (4.0, 5.0)]
    """
    spells: list[tuple[float, float]] = []
    for k, (here, (start, end)) in enumerate(zip(present, spans, strict=True)):
        if here and k and present[k - 1]:
            spells[-1] = (spells[-1][0], end)
        elif here:
            spells.append((start, end))
    return spells


def write_dynamic_gexf(history: list[tuple[str, nx.DiGraph]], path: str | Path, *,
                       survey: Survey | None = None) -> Path | None:
    """Write the network of every wave into one dynamic GEXF (see the module docstring).

    Parameters
    ----------
    history
        ``(wave, graph)`` pairs, oldest first: the published networks of one territory
        (stored with each result: :func:`coopwork.results.network.graph_links`).
    path
        The ``.gexf`` file to write.
    survey
        Its identifier questions are removed from the attributes (:func:`clean_graph`).

    Returns
    -------
    Path or None
        The file written; None when no wave's network is published.

    Examples
    --------
    >>> import networkx as nx, tempfile, pathlib
    >>> before = nx.DiGraph([("a", "b")]); after = nx.DiGraph([("a", "c")])
    >>> for g in (before, after):
    ...     nx.set_node_attributes(g, {"a": {"label": "Coop A", "named": True}})
    >>> out = write_dynamic_gexf([("2024", before), ("2025", after)],
    ...                          pathlib.Path(tempfile.mkdtemp()) / "t1_waves.gexf")
    >>> G = nx.read_gexf(out)
    >>> G.graph["mode"], G.edges["Coop A", "#1"]["lost"], G.edges["Coop A", "#2"]["gained"]
    ('dynamic', '2025', '2025')
    """
    if not history:
        return None
    waves = [wave for wave, _ in history]
    graphs = [clean_graph(graph, survey=survey) for _, graph in history]
    names = display_names(*graphs)
    times = wave_times(waves)
    spans = [times[w] for w in waves]
    out = nx.DiGraph(mode="dynamic")
    nodes = dict.fromkeys(node for graph in graphs for node in graph.nodes)
    for node in sorted(nodes, key=lambda n: names[n]):
        present = [node in graph for graph in graphs]
        latest = next(g.nodes[node] for g in reversed(graphs) if node in g)
        data = {k: plain(v) for k, v in latest.items() if k not in {"label", "named"}}
        data = {k: v for k, v in data.items() if v is not None}
        out.add_node(names[node], **data, label=names[node],
                     waves=";".join(w for w, here in zip(waves, present, strict=True) if here),
                     spells=_spells(present, spans))
    edges = dict.fromkeys(edge for graph in graphs for edge in graph.edges)
    for u, v in sorted(edges, key=lambda e: (names[e[0]], names[e[1]])):
        present = [graph.has_edge(u, v) for graph in graphs]
        latest = next(g.edges[u, v] for g in reversed(graphs) if g.has_edge(u, v))
        data = {k: plain(x) for k, x in latest.items()}
        data = {k: x for k, x in data.items() if x is not None}
        here = [w for w, p in zip(waves, present, strict=True) if p]
        gained = [w for k, w in enumerate(waves) if k and present[k] and not present[k - 1]]
        lost = [w for k, w in enumerate(waves) if k and present[k - 1] and not present[k]]
        out.add_edge(names[u], names[v], **data, first_wave=here[0], last_wave=here[-1],
                     gained=";".join(gained), lost=";".join(lost), spells=_spells(present, spans))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nx.write_gexf(out, path)
    return path
