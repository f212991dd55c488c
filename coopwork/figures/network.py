"""The cooperation network drawn for a workshop: a map a group can read on a screen or on paper.

- **Stable layout** (:func:`network_layout`): each connected component is laid out by networkx's
  spring layout with a fixed seed on a graph whose nodes and ties are sorted, so the same
  network gives the same picture in every run. The largest component takes the whole width;
  smaller components are packed below it, and the isolated organisations sit in a row of their
  own at the bottom, apart from the rest.
- **Nodes** are coloured (and, past eight types, shaped) by organisation type in the order of
  the survey's choice list, with a legend, and sized by degree.
- **Names** only where :func:`coopwork.analysis.disclosure.visible_label` allows it — never for
  an organisation that asked not to be named, nor for partners who were never asked — and never
  drawn over one another: :func:`~coopwork.figures.labels.place_labels` places them greedily,
  most connected first, on a side of their node where the text box (estimated from the font
  size) hits no other label, node or plot edge, and drops the label otherwise (the name stays in
  the node's hover text). Boxes are estimated for a plot area of :data:`PLOT_WIDTH` pixels at
  least; a phone draws the map in its width with the names placed again for it
  (:func:`~coopwork.figures.labels.fit_labels`, through :func:`coopwork.figures.theme.narrow`).
- **A filter** (a drop-down menu in the figure, so it works in the dashboard and in the
  exported pages without a server): all ties, the ties of one answer of each tie question of
  the relations repeat (nature, intensity, ...), or the **ties gained and lost** since the
  previous wave when ``previous`` is given.

Hover texts and labels are escaped.

Examples
--------
>>> import networkx as nx
>>> from coopwork.figures import to_figure
>>> G = nx.DiGraph([("a", "b"), ("b", "c")])
>>> nx.set_node_attributes(G, {"a": {"label": "Coop A", "named": True, "org_type": "scop"},
...                            "b": {"label": "Secret", "named": False, "org_type": "scop"},
...                            "c": {"label": "Mairie", "named": False, "org_type": "collectivite"}})
>>> fig = to_figure(network_chart(G, lang="fr"))
>>> [(trace.name, trace.text) for trace in node_traces(fig)]
[('collectivite', ('',)), ('scop', ('Coop A', ''))]
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import networkx as nx

from ..analysis.disclosure import DEFAULT_MIN_COUNT, format_number, is_small, visible_label
from ..i18n import t
from .labels import LABEL_FONT_SIZE, fit_labels, label_box, node_traces, place_labels
from .theme import FONT_SIZE, GREY, PALETTE, SYMBOLS, apply_theme, base_text, escape, wrap

if TYPE_CHECKING:
    from ..survey import Survey

# the names' placement lives in .labels (the theme's phone layout uses it too); kept here for callers
__all__ = ["LABEL_FONT_SIZE", "PLOT_WIDTH", "fit_labels", "label_box", "network_chart", "network_layout",
           "node_traces", "place_labels"]

#: the narrowest plot area the labels are placed for on a screen (pixels); a phone places them again
PLOT_WIDTH = 640
#: the height of the figure (pixels)
HEIGHT = 820
#: width / height of the box a component is laid out in: about the plot area's (a screen is wider than tall)
ASPECT = 1.5
_SMALL = 0.7  # the boxes of the small components, per square root of their size
_STEP = 0.5  # between isolated organisations
_NEW, _LOST = "#009E73", "#D55E00"


def network_layout(graph: nx.Graph, *, seed: int = 0) -> dict[str, tuple[float, float]]:
    """Spring layout positions, identical between runs for the same network.

    Each connected component is laid out on its own (nodes and ties inserted in sorted order,
    a fixed ``seed``) in a box of :data:`ASPECT` whose area grows with its size. The
    largest component sets the width; the other components with ties are packed in rows below
    it, largest first, and the isolated organisations fill rows of their own at the bottom.
    Positions are rounded to 6 decimals.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("b", "a"), ("a", "c")])
    >>> network_layout(G) == network_layout(nx.DiGraph([("a", "c"), ("b", "a")]))
    True
    >>> G.add_node("lonely")
    >>> positions = network_layout(G)
    >>> positions["lonely"][1] < min(positions[n][1] for n in "abc")  # below the rest
    True
    """
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(graph.nodes, key=str))
    ordered.add_edges_from(sorted((tuple(sorted((u, v), key=str)) for u, v in graph.edges), key=str))
    if ordered.number_of_nodes() == 0:
        return {}
    components = sorted((sorted(c, key=str) for c in nx.connected_components(ordered)),
                        key=lambda c: (-len(c), str(c[0])))
    groups = [c for c in components if len(c) > 1]
    isolated = [c[0] for c in components if len(c) == 1]
    stretch = math.sqrt(ASPECT)
    # the main component gets at least three times the room of everything else together
    others = sum(_SMALL ** 2 * len(c) for c in groups[1:]) + _STEP ** 2 * len(isolated)
    boxes = [math.sqrt(max(len(groups[0]), 3 * others))] if groups else []
    boxes += [_SMALL * math.sqrt(len(c)) for c in groups[1:]]
    width = max(boxes[0] * stretch if groups else 0.0, 2.0)
    positions: dict[str, tuple[float, float]] = {}
    x = y = shelf = 0.0
    for component, side in zip(groups, boxes, strict=True):
        across, down = side * stretch, side / stretch
        if x > 0 and x + across > width + 1e-9:  # next shelf
            x, y, shelf = 0.0, y - shelf, 0.0
        sub = nx.Graph()
        sub.add_nodes_from(component)
        sub.add_edges_from(ordered.subgraph(component).edges)
        local = nx.spring_layout(sub, seed=seed, k=2.5 / math.sqrt(len(component)), **_solver(len(component)))
        for node, (u, v) in _fill(local).items():  # stretched to fill its box
            positions[node] = (round(float(x + across / 2 + u * across * 0.45), 6),
                               round(float(y - down / 2 + v * down * 0.45), 6))
        x += across
        shelf = max(shelf, down)
    if isolated:  # a row (or rows) apart, below the rest
        per_row = max(1, int(width / _STEP))
        top = y - shelf - (_STEP / 2 if groups else 0.0)
        for i, node in enumerate(isolated):
            row, column = divmod(i, per_row)
            positions[node] = (round(_STEP / 2 + column * _STEP, 6), round(top - _STEP / 2 - row * _STEP, 6))
    return positions


def _fill(local: dict) -> dict:
    """Positions stretched so that they span [-1, 1] on both axes (a spring layout is round and
    leaves the corners of its square empty)."""
    xs = [p[0] for p in local.values()]
    ys = [p[1] for p in local.values()]

    def stretch(value: float, low: float, high: float) -> float:
        return 0.0 if high - low < 1e-12 else 2 * (value - low) / (high - low) - 1

    return {n: (stretch(x, min(xs), max(xs)), stretch(y, min(ys), max(ys))) for n, (x, y) in local.items()}


def _solver(nodes: int) -> dict:
    """The spring layout's settings: networkx's exact numpy solver up to 500 nodes (any territory);
    past that it switches to a sparse solver that costs seconds per 100 iterations, so a pooled
    network of many territories takes the energy method, which starts from a good placement and
    needs few iterations."""
    return {"iterations": 100} if nodes < 500 else {"iterations": 25, "method": "energy"}


def _message(text: str) -> dict:
    """An annotation in the middle of an empty chart."""
    return {"text": text, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper", "showarrow": False}


def _segments(pairs, positions) -> tuple[list, list]:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for u, v in pairs:
        (x0, y0), (x1, y1) = positions[u], positions[v]
        xs.extend([x0, x1, None])
        ys.extend([y0, y1, None])
    return xs, ys


def _pairs(edges) -> list[tuple[str, str]]:
    """Undirected pairs of a list of ties, each once, sorted."""
    return sorted({tuple(sorted((str(u), str(v)))) for u, v in edges})


def _tie_filters(graph: nx.DiGraph, survey: Survey | None, lang: str) -> list[tuple[str, list]]:
    """(label, ties) for each answer of each select question of the relations repeat found on the ties."""
    if survey is None or survey.role("partner") is None:
        return []
    partner = survey.role("partner")
    type_q = survey.role("org_type")
    filters = []
    for question in survey.repeats.get(partner.repeat or "", []):
        if not question.is_select or (type_q is not None and question.list_name == type_q.list_name):
            continue
        labels = survey.choice_labels(question.name, lang)
        chosen: dict[str, list] = {}
        for u, v, value in graph.edges(data=question.name):
            for answer in str(value).split() if value is not None else []:
                chosen.setdefault(answer, []).append((u, v))
        title = question.label(lang, survey.default_language)
        for name, label in labels.items():
            if chosen.get(name):
                filters.append((f"{title} : {label}" if lang == "fr" else f"{title}: {label}", chosen[name]))
    return filters


def network_chart(graph: nx.DiGraph, *, survey: Survey | None = None, lang: str = "fr",
                  positions: dict[str, tuple[float, float]] | None = None,
                  title: str | None = None, seed: int = 0, min_count: int = DEFAULT_MIN_COUNT,
                  previous: nx.DiGraph | None = None, previous_wave: str | None = None,
                  plot_width: int = PLOT_WIDTH) -> dict:
    """Draw a cooperation network (the output of ``build_network``).

    Parameters
    ----------
    graph
        A graph of :func:`coopwork.analysis.network.build_network` (node attributes
        ``label``, ``named``, ``org_type``, ``respondent``).
    survey
        Optional: organisation type labels and order from the ``org_type`` choice list, and the
        tie questions of the relations repeat offered as filters.
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
    previous, previous_wave
        The same group's network in the previous wave (and its name): the filter then offers the
        ties gained and lost since then (lost ties between organisations still on the map).
    plot_width
        Width of the plot area (pixels) the labels are placed for; a wider plot only spreads them.

    Returns
    -------
    dict
        A plotly figure as a plain dict (see :mod:`coopwork.figures`), ``"scatter"`` traces.
        Trace 0 holds the ties declared by one side (thin grey lines), trace 1 the returned
        ties (declared by both sides, drawn once, thicker and darker); then the hidden traces of
        the filter (``meta`` ``"filter"``, ``"ties_new"``, ``"ties_lost"``); then one marker
        trace per organisation type, in choice order (``meta`` = the type's choice name,
        ``text`` = visible names, empty when hidden or without room, ``customdata`` = the node
        degree). ``layout.updatemenus`` holds the filter.
    """
    respondents = graph.graph.get("respondents")
    if respondents is None:
        respondents = sum(1 for _, r in graph.nodes(data="respondent") if r is not False)
    if is_small(respondents, min_count):
        layout = {"annotations": [_message(t("figures.too_few", lang, min_count=min_count))],
                  "xaxis": {"visible": False}, "yaxis": {"visible": False}}
        return apply_theme({"data": [], "layout": layout}, lang=lang,
                           title=title or t("figures.network_title", lang),
                           subtitle=t("figures.too_few", lang, min_count=min_count))
    positions = positions if positions is not None else network_layout(graph, seed=seed)
    lines: dict[bool, list] = {False: [], True: []}
    for u, v in sorted(graph.edges, key=lambda e: (str(e[0]), str(e[1]))):
        mutual = graph.has_edge(v, u) if graph.is_directed() else False
        if mutual and str(v) < str(u):
            continue  # a returned tie is drawn once
        lines[mutual].append((u, v))
    traces: list[dict] = []
    for mutual, edges in lines.items():
        xs, ys = _segments(edges, positions)
        traces.append({
            "type": "scatter", "x": xs, "y": ys, "mode": "lines", "hoverinfo": "skip",
            "meta": "reciprocal_ties" if mutual else "ties",
            "name": t("figures.tie_reciprocal" if mutual else "figures.tie_one_way", lang),
            "line": {"color": "#555555" if mutual else GREY, "width": 2.5 if mutual else 1},
            "showlegend": bool(xs) and bool(lines[True])})
    # the filter: one hidden trace per choice, shown alone by its button
    views: list[tuple[str, list[int]]] = [(t("figures.network_all_ties", lang), [0, 1])]
    for label, edges in _tie_filters(graph, survey, lang):
        xs, ys = _segments(_pairs(edges), positions)
        views.append((label, [len(traces)]))
        traces.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines", "hoverinfo": "skip",
                       "meta": "filter", "name": escape(label), "visible": False, "showlegend": False,
                       "line": {"color": "#444444", "width": 2}})
    if previous is not None:
        now = set(_pairs(graph.edges))
        before = {p for p in _pairs(previous.edges) if p[0] in positions and p[1] in positions}
        changed = []
        for meta, pairs, colour, dash in (("ties_new", sorted(now - before), _NEW, "solid"),
                                          ("ties_lost", sorted(before - now), _LOST, "dot")):
            xs, ys = _segments(pairs, positions)
            changed.append(len(traces))
            traces.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines", "hoverinfo": "skip",
                           "meta": meta, "visible": False, "showlegend": True,
                           "name": t(f"figures.network_{meta}", lang, n=format_number(len(pairs), lang=lang)),
                           "line": {"color": colour, "width": 2.5, "dash": dash}})
        views.append((t("figures.network_changes", lang, wave=escape(previous_wave or "")), changed))
    edge_traces = len(traces)

    type_q = survey.role("org_type") if survey is not None else None
    labels = survey.choice_labels(type_q.name, lang) if type_q is not None else {}
    present = {data.get("org_type") for _, data in graph.nodes(data=True)}
    types = [name for name in labels if name in present]
    types += sorted(str(v) for v in present if v is not None and v not in labels)
    if None in present:
        types.append(None)

    xs_all = [p[0] for p in positions.values()] or [0.0]
    ys_all = [p[1] for p in positions.values()] or [0.0]
    pad = 0.05 * max(max(xs_all) - min(xs_all), max(ys_all) - min(ys_all)) + 0.25
    x_range = [min(xs_all) - pad, max(xs_all) + pad]
    y_range = [min(ys_all) - pad, max(ys_all) + pad]
    legend_rows = math.ceil((len(types) + 2 + (2 if previous is not None else 0)) / 3)
    hidden_axis = {"visible": False, "showgrid": False, "zeroline": False}
    layout = {"xaxis": {**hidden_axis, "range": x_range},
              "yaxis": {**hidden_axis, "range": y_range, "scaleanchor": "x", "scaleratio": 1},
              "legend": {"itemsizing": "constant", "font": {"size": FONT_SIZE - 4}},
              "hovermode": "closest", "height": HEIGHT,
              "margin": {"l": 20, "r": 20, "b": 30 + 26 * legend_rows}}
    parts = [base_text(respondents, lang=lang),
             t("figures.network_base", lang, organisations=format_number(graph.number_of_nodes(), lang=lang),
               ties=format_number(graph.number_of_edges(), lang=lang)),
             t("figures.network_hidden", lang)]
    figure = apply_theme({"data": traces, "layout": layout}, lang=lang,
                         title=title or t("figures.network_title", lang), subtitle=" · ".join(parts))
    subtitle, themed = wrap(" · ".join(parts), 80), wrap(" · ".join(parts), 110)  # the map may be 720 px wide
    layout["title"]["subtitle"]["text"] = subtitle
    layout["margin"]["t"] += 32 * (subtitle.count("<br>") - themed.count("<br>"))
    menu = graph.number_of_edges() > 0 and len(views) > 1
    layout["margin"]["t"] += 44 if menu else 0  # room for the filter
    # pixels per data unit in a plot area plot_width wide (a wider one only spreads the labels); labels
    # stay within the axes' ranges, which any plot area shows whole
    plot_height = HEIGHT - layout["margin"]["t"] - layout["margin"]["b"]
    scale = min(plot_width / (x_range[1] - x_range[0]), plot_height / (y_range[1] - y_range[0]))
    bounds = (x_range[0], y_range[0], x_range[1], y_range[1])

    def size(node) -> float:
        return 8 + 3.5 * math.sqrt(graph.degree(node))

    by_priority = sorted(graph.nodes, key=lambda n: (-graph.degree(n), str(n)))
    shown = {n: visible_label(graph.nodes[n].get("label", n), consent=graph.nodes[n].get("named", False))
             for n in graph.nodes}
    sides = dict(zip(by_priority, place_labels(
        [(*positions[n], escape(shown[n]) if shown[n] else "", size(n)) for n in by_priority],
        scale=scale, bounds=bounds), strict=True))
    for i, org_type in enumerate(types):
        nodes = sorted((n for n, data in graph.nodes(data=True) if data.get("org_type") == org_type), key=str)
        type_label = t("figures.unknown_type", lang) if org_type is None else labels.get(org_type, org_type)
        text, hover = [], []
        for node in nodes:
            data = graph.nodes[node]
            name = shown[node] or visible_label(None, consent=False, lang=lang)
            text.append(escape(shown[node]) if shown[node] and sides[node] else "")
            respondent = data.get("respondent", True)
            status = t("figures.network_respondent" if respondent else "figures.network_partner", lang)
            hover.append(t("figures.network_hover", lang, name=escape(name), org_type=escape(type_label),
                           degree=format_number(graph.degree(node), lang=lang), status=status))
        colour = GREY if org_type is None else PALETTE[i % len(PALETTE)]
        trace = {
            "type": "scatter", "x": [positions[n][0] for n in nodes], "y": [positions[n][1] for n in nodes],
            "mode": "markers+text", "name": escape(type_label), "text": text,
            "textposition": [sides[n] or "top center" for n in nodes],
            "textfont": {"size": LABEL_FONT_SIZE}, "customdata": [int(graph.degree(n)) for n in nodes],
            "marker": {"color": colour, "size": [size(n) for n in nodes],
                       "symbol": SYMBOLS[(i // len(PALETTE)) % len(SYMBOLS)],
                       "line": {"color": "white", "width": 1}},
            "cliponaxis": False, "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>"}
        if org_type is not None:
            trace["meta"] = org_type
        traces.append(trace)

    if graph.number_of_edges() == 0:
        layout["annotations"] = [_message(t("figures.network_empty", lang))]
    elif menu:
        buttons = []
        for label, visible in views:
            shown_traces = [j in visible for j in range(edge_traces)] + [True] * (len(traces) - edge_traces)
            buttons.append({"label": escape(label), "method": "restyle", "args": [{"visible": shown_traces}]})
        layout["updatemenus"] = [{"type": "dropdown", "buttons": buttons, "active": 0, "showactive": True,
                                  "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
                                  "pad": {"b": 6}, "font": {"size": FONT_SIZE - 3}}]
    return figure
