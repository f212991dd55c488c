"""The cooperation network drawn for a workshop: stable layout, types in colour, names with consent.

Nodes are placed by networkx's spring layout with a fixed seed on a graph whose nodes and
ties are sorted, so the same network gives the same picture in every run (a report
rerun with papermill does not move the organisations around). Nodes are coloured (and, past
eight types, shaped) by organisation type in the order of the survey's choice list, sized by
degree; a node shows its name only where
:func:`coopwork.analysis.disclosure.visible_label` allows it — never for an organisation that
asked not to be named, nor for partners who were never asked. Hover texts are escaped.

Examples
--------
>>> import networkx as nx
>>> from coopwork.figures import to_figure
>>> G = nx.DiGraph([("a", "b"), ("b", "c")])
>>> nx.set_node_attributes(G, {"a": {"label": "Coop A", "named": True, "org_type": "scop"},
...                            "b": {"label": "Secret", "named": False, "org_type": "scop"},
...                            "c": {"label": "Mairie", "named": False, "org_type": "collectivite"}})
>>> fig = to_figure(network_chart(G, lang="fr"))
>>> [(trace.name, trace.text) for trace in fig.data[2:]]
[('collectivite', ('',)), ('scop', ('Coop A', ''))]
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..analysis.disclosure import DEFAULT_MIN_COUNT, format_number, visible_label
from ..i18n import t
from .theme import GREY, PALETTE, SYMBOLS, apply_theme, base_text, escape

if TYPE_CHECKING:
    import networkx as nx

    from ..survey import Survey

__all__ = ["network_chart", "network_layout"]


def network_layout(graph: nx.Graph, *, seed: int = 0) -> dict[str, tuple[float, float]]:
    """Spring layout positions, identical between runs for the same network.

    Each connected component is laid out on its own (nodes and ties inserted in sorted order,
    a fixed ``seed``), in a square whose side grows with the square root of its size; the
    squares are then packed in rows, largest first. Isolated organisations thus sit in a row of
    their own instead of pushing the main component into a ball, and a network of many
    territories is laid out component by component (fast: a spring layout over all of them at
    once costs seconds). Positions are rounded to 6 decimals.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("b", "a"), ("a", "c")])
    >>> network_layout(G) == network_layout(nx.DiGraph([("a", "c"), ("b", "a")]))
    True
    >>> two = network_layout(nx.Graph([("a", "b"), ("c", "d")]))
    >>> max(abs(two["a"][0] - two["b"][0]), abs(two["a"][1] - two["b"][1])) > 0
    True
    """
    import networkx as nx

    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(graph.nodes, key=str))
    ordered.add_edges_from(sorted((tuple(sorted((u, v), key=str)) for u, v in graph.edges), key=str))
    if ordered.number_of_nodes() == 0:
        return {}
    components = sorted((sorted(c, key=str) for c in nx.connected_components(ordered)),
                        key=lambda c: (-len(c), str(c[0])))
    width = math.sqrt(ordered.number_of_nodes()) * 1.3  # shelves about as wide as the whole is tall
    positions: dict[str, tuple[float, float]] = {}
    x = y = shelf = 0.0
    for component in components:
        side = math.sqrt(len(component))
        if x > 0 and x + side > width:  # next shelf
            x, y, shelf = 0.0, y - shelf, 0.0
        if len(component) == 1:
            local = {component[0]: (0.0, 0.0)}
        else:
            sub = nx.Graph()
            sub.add_nodes_from(component)
            sub.add_edges_from(ordered.subgraph(component).edges)
            k = 1.5 / math.sqrt(len(component))
            local = nx.spring_layout(sub, seed=seed, k=k, **_solver(len(component)))
        for node, (u, v) in local.items():  # spring_layout returns [-1, 1]: fit it in the square
            positions[node] = (round(float(x + side / 2 + u * side * 0.42), 6),
                               round(float(y - side / 2 + v * side * 0.42), 6))
        x += side
        shelf = max(shelf, side)
    return positions


def _solver(nodes: int) -> dict:
    """The spring layout's settings: networkx's exact numpy solver up to 500 nodes (any territory);
    past that it switches to a sparse solver that costs seconds per 100 iterations, so a pooled
    network of many territories takes the energy method, which starts from a good placement and
    needs few iterations."""
    return {"iterations": 100} if nodes < 500 else {"iterations": 25, "method": "energy"}


def _message(text: str) -> dict:
    """An annotation in the middle of an empty chart."""
    return {"text": text, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper", "showarrow": False}


def network_chart(graph: nx.DiGraph, *, survey: Survey | None = None, lang: str = "fr",
                  positions: dict[str, tuple[float, float]] | None = None,
                  title: str | None = None, seed: int = 0, min_count: int = DEFAULT_MIN_COUNT) -> dict:
    """Draw a cooperation network (the output of ``build_network``).

    Parameters
    ----------
    graph
        A graph of :func:`coopwork.analysis.network.build_network` (node attributes
        ``label``, ``named``, ``org_type``, ``respondent``).
    survey
        Optional: organisation type labels and order from the ``org_type`` choice list.
    lang, title
        Language; title instead of "Réseau de coopération".
    positions
        The layout of :func:`network_layout` when it is already known (it does not depend on the
        language: one layout serves the French and English charts).
    seed
        Seed of the spring layout.
    min_count
        A network of fewer respondents than this is not drawn (only a message): with one or two
        respondents, every tie tells about one of them.

    Returns
    -------
    dict
        A plotly figure as a plain dict (see :mod:`coopwork.figures`), ``"scatter"`` traces.
        Trace 0 holds the ties declared by one side (thin grey lines), trace 1 the returned
        ties (declared by both sides, drawn once, thicker and darker); then one marker trace
        per organisation type, in choice order (``meta`` = the type's choice name, ``text`` =
        visible names, empty when hidden, ``customdata`` = the node degree).
    """
    respondents = graph.graph.get("respondents")
    if respondents is None:
        respondents = sum(1 for _, r in graph.nodes(data="respondent") if r is not False)
    if 0 < respondents < min_count:
        layout = {"annotations": [_message(t("figures.too_few", lang, min_count=min_count))],
                  "xaxis": {"visible": False}, "yaxis": {"visible": False}}
        return apply_theme({"data": [], "layout": layout}, lang=lang,
                           title=title or t("figures.network_title", lang),
                           subtitle=t("figures.too_few", lang, min_count=min_count))
    positions = positions if positions is not None else network_layout(graph, seed=seed)
    lines: dict[bool, tuple[list[float | None], list[float | None]]] = {False: ([], []), True: ([], [])}
    for u, v in sorted(graph.edges, key=lambda e: (str(e[0]), str(e[1]))):
        mutual = graph.has_edge(v, u) if graph.is_directed() else False
        if mutual and str(v) < str(u):
            continue  # a returned tie is drawn once
        (x0, y0), (x1, y1) = positions[u], positions[v]
        lines[mutual][0].extend([x0, x1, None])
        lines[mutual][1].extend([y0, y1, None])
    traces: list[dict] = []
    for mutual, (xs, ys) in lines.items():
        traces.append({
            "type": "scatter", "x": xs, "y": ys, "mode": "lines", "hoverinfo": "skip",
            "meta": "reciprocal_ties" if mutual else "ties",
            "name": t("figures.tie_reciprocal" if mutual else "figures.tie_one_way", lang),
            "line": {"color": "#555555" if mutual else GREY, "width": 2.5 if mutual else 1},
            "showlegend": bool(xs) and bool(lines[True][0])})

    type_q = survey.role("org_type") if survey is not None else None
    labels = survey.choice_labels(type_q.name, lang) if type_q is not None else {}
    present = {data.get("org_type") for _, data in graph.nodes(data=True)}
    types = [name for name in labels if name in present]
    types += sorted(str(v) for v in present if v is not None and v not in labels)
    if None in present:
        types.append(None)
    for i, org_type in enumerate(types):
        nodes = sorted((n for n, data in graph.nodes(data=True) if data.get("org_type") == org_type), key=str)
        type_label = t("figures.unknown_type", lang) if org_type is None else labels.get(org_type, org_type)
        text, hover, size = [], [], []
        for node in nodes:
            data = graph.nodes[node]
            shown = visible_label(data.get("label", node), consent=data.get("named", False))
            degree = graph.degree(node)
            text.append(escape(shown) if shown else "")
            name = shown or visible_label(None, consent=False, lang=lang)
            respondent = data.get("respondent", True)
            status = t("figures.network_respondent" if respondent else "figures.network_partner", lang)
            hover.append(t("figures.network_hover", lang, name=escape(name), org_type=escape(type_label),
                           degree=format_number(degree, lang=lang), status=status))
            size.append(12 + 6 * math.sqrt(degree))
        colour = GREY if org_type is None else PALETTE[i % len(PALETTE)]
        trace = {
            "type": "scatter", "x": [positions[n][0] for n in nodes], "y": [positions[n][1] for n in nodes],
            "mode": "markers+text", "name": escape(type_label), "text": text, "textposition": "top center",
            "textfont": {"size": 13}, "customdata": [int(graph.degree(n)) for n in nodes],
            "marker": {"color": colour, "size": size, "symbol": SYMBOLS[(i // len(PALETTE)) % len(SYMBOLS)],
                       "line": {"color": "white", "width": 1}},
            "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>"}
        if org_type is not None:
            trace["meta"] = org_type
        traces.append(trace)

    hidden_axis = {"visible": False, "showgrid": False, "zeroline": False}
    layout = {"xaxis": dict(hidden_axis), "yaxis": {**hidden_axis, "scaleanchor": "x", "scaleratio": 1},
              "legend": {"itemsizing": "constant"}, "hovermode": "closest", "height": 750}
    if graph.number_of_edges() == 0:
        layout["annotations"] = [_message(t("figures.network_empty", lang))]
    parts = [base_text(respondents, lang=lang),
             t("figures.network_base", lang, organisations=format_number(graph.number_of_nodes(), lang=lang),
               ties=format_number(graph.number_of_edges(), lang=lang)),
             t("figures.network_hidden", lang)]
    return apply_theme({"data": traces, "layout": layout}, lang=lang,
                       title=title or t("figures.network_title", lang), subtitle=" · ".join(parts))
