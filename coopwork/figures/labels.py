"""Where the names of a network map go: beside their node, never over one another.

The network figure (:mod:`coopwork.figures.network`) places its names for a screen
(:func:`place_labels`); the theme's phone layout (:func:`coopwork.figures.theme.narrow`) and the
printed placemats place them again for a smaller plot (:func:`fit_labels`). Both read a name's
box from its length and the font size (:func:`label_box`), so this module depends on neither.

Examples
--------
>>> place_labels([(0, 0, "Coop A", 10), (0, 0, "Mairie", 10)], scale=100, bounds=(-1, -1, 1, 1))
['top center', 'bottom center']
"""

from __future__ import annotations

import copy

__all__ = ["CHAR_WIDTH", "LABEL_FONT_SIZE", "LINE_HEIGHT", "fit_labels", "label_box", "node_traces",
           "place_labels"]

#: font size of the organisations' names (pixels)
LABEL_FONT_SIZE = 13
#: an average character of the label font is this many font sizes wide (Source Sans / Arial ≈ 0.5)
CHAR_WIDTH = 0.56
LINE_HEIGHT = 1.25
_GAP = 2  # pixels between a node and its label
_SIDES = ("top center", "bottom center", "middle right", "middle left")


def label_box(x: float, y: float, text: str, position: str, *, marker: float, scale: float,
              font_size: float = LABEL_FONT_SIZE) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1, data units) a label of ``text`` drawn at ``position`` of a node covers.

    ``marker`` is the marker's diameter and ``font_size`` the text's size (pixels), ``scale`` the
    pixels per data unit. The text's width is estimated from its length (:data:`CHAR_WIDTH`).

    Examples
    --------
    >>> label_box(0, 0, "abcd", "top center", marker=10, scale=10, font_size=10)
    (-1.12, 0.7, 1.12, 1.95)
    """
    width = len(text) * CHAR_WIDTH * font_size / scale
    height = LINE_HEIGHT * font_size / scale
    offset = (marker / 2 + _GAP) / scale
    if position == "top center":
        box = (x - width / 2, y + offset, x + width / 2, y + offset + height)
    elif position == "bottom center":
        box = (x - width / 2, y - offset - height, x + width / 2, y - offset)
    elif position == "middle right":
        box = (x + offset, y - height / 2, x + offset + width, y + height / 2)
    else:
        box = (x - offset - width, y - height / 2, x - offset, y + height / 2)
    return tuple(round(v, 6) for v in box)  # type: ignore[return-value]


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(nodes: list[tuple[float, float, str, float]], *, scale: float,
                 bounds: tuple[float, float, float, float],
                 font_size: float = LABEL_FONT_SIZE) -> list[str | None]:
    """Greedy label placement: the side of each node its label is drawn on, or None (no room).

    ``nodes`` are ``(x, y, text, marker diameter in pixels)`` in priority order (the first ones
    get their label first); an empty text gets None. A label is placed on the first side of
    :data:`_SIDES` where its box stays within ``bounds`` (x0, y0, x1, y1) and hits no label
    placed before and no node (markers as squares).

    Examples
    --------
    >>> place_labels([(0, 0, "a long name", 10), (0.5, 0, "another one", 10), (0, 0.2, "", 10)],
    ...              scale=100, bounds=(-5, -5, 5, 5))
    ['bottom center', 'top center', None]
    """
    markers = [(x - m / 2 / scale, y - m / 2 / scale, x + m / 2 / scale, y + m / 2 / scale)
               for x, y, _text, m in nodes]
    placed: list[tuple] = []
    sides: list[str | None] = []
    for i, (x, y, text, marker) in enumerate(nodes):
        chosen = None
        for side in _SIDES if text else ():
            box = label_box(x, y, text, side, marker=marker, scale=scale, font_size=font_size)
            inside = (bounds[0] <= box[0] and box[2] <= bounds[2]
                      and bounds[1] <= box[1] and box[3] <= bounds[3])
            if inside and not any(_overlap(box, other) for other in placed) and not any(
                    _overlap(box, m) for j, m in enumerate(markers) if j != i):
                chosen = side
                placed.append(box)
                break
        sides.append(chosen)
    return sides


def fit_labels(figure: dict, *, width: float, height: float) -> dict:
    """A copy of a network figure whose names are placed again for a smaller plot area (a printed page).

    Among the names drawn, the most connected organisations keep theirs where there is room in a
    plot area of ``width`` × ``height`` pixels (:func:`place_labels`); the others become hover-only,
    as on the screen. The filter menu is dropped (paper has no menus).

    Examples
    --------
    >>> import networkx as nx
    >>> from coopwork.figures.network import network_chart
    >>> G = nx.complete_graph(["a", "b", "c", "d"], create_using=nx.DiGraph)
    >>> nx.set_node_attributes(G, {n: {"label": f"Organisation {n} with a long name", "named": True}
    ...                            for n in G})
    >>> figure = network_chart(G, lang="en")
    >>> small = fit_labels(figure, width=120, height=120)
    >>> sum(bool(t) for tr in node_traces(small) for t in tr["text"]) < 4, "updatemenus" in small["layout"]
    (True, False)
    """
    result = copy.deepcopy(figure)
    result["layout"].pop("updatemenus", None)
    xaxis, yaxis = result["layout"].get("xaxis", {}), result["layout"].get("yaxis", {})
    if "range" not in xaxis or "range" not in yaxis:
        return result
    (x0, x1), (y0, y1) = xaxis["range"], yaxis["range"]
    scale = min(width / (x1 - x0), height / (y1 - y0))
    # names first, most connected first; the other nodes only as obstacles
    entries = [(trace, i) for trace in node_traces(result) for i in range(len(trace["x"]))]
    entries.sort(key=lambda e: (not e[0]["text"][e[1]], -(e[0].get("customdata") or [0] * (e[1] + 1))[e[1]]))
    font = next((trace["textfont"]["size"] for trace in node_traces(result)), LABEL_FONT_SIZE)
    sides = place_labels([(trace["x"][i], trace["y"][i], trace["text"][i], trace["marker"]["size"][i])
                          for trace, i in entries], scale=scale, bounds=(x0, y0, x1, y1), font_size=font)
    for (trace, i), side in zip(entries, sides, strict=True):
        if not trace["text"][i]:
            continue
        trace["text"] = list(trace["text"])
        trace["textposition"] = list(trace["textposition"])
        if side is None:
            trace["text"][i] = ""
        else:
            trace["textposition"][i] = side
    return result


def node_traces(fig) -> list:
    """The marker traces (one per organisation type) of a network figure, dict or ``go.Figure``."""
    data = fig["data"] if isinstance(fig, dict) else fig.data
    return [trace for trace in data if "markers" in (trace["mode"] or "")]
