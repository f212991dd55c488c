"""What the exporters publish about one territory, read from its results (nothing recomputed).

:func:`territory_content` turns a territory's results (:mod:`coopwork.results`) into what the
site, the workbook, the placemat and the network files need, so every format shows the
numbers of the report and of the dashboard. Tables are the results' protected tables, without
the columns that would publish one organisation's own value (``min``, ``max``).

Data shape (:class:`TerritoryContent`):

``key_figures``
    ``(label, text)`` pairs, formatted and protected (``"< 3"`` for a small count);
``tables``
    sheet name → tidy table: ``summaries`` (every published question, long form), ``network``
    (one row of network measures), ``organisations`` (node measures, published names only),
    ``scores`` (dimension scores, territory vs others vs all) and ``practices``;
``sections``
    ``(section label, charts)`` pairs in the order of the results: every chart of the results
    (``{"id", "title", "figure", "message"}``: a figure, or the sentence saying why there is
    none), each published question once;
``charts``
    ``(caption, figure dict)`` pairs, up to 4, for the placemat: organisation types, dimension
    scores, a form of cooperation practised, the network — each only when something is shown —
    then the first other charts drawn, in order;
``graph``
    the published network (``networkx.DiGraph``, names only with consent) or ``None``;
``note_headings``
    what a note of the journal is about, as people read it: chart key (``"org_type"``,
    ``"org_type#association"``) → the chart's title, and the bar's label (:func:`note_heading`).

Examples
--------
>>> results = {"territory": "t1", "territory_label": "T 1", "wave": "2025", "lang": "en",
...            "min_count": 3, "respondents": {"n": 2, "suppressed": True},
...            "key_figures": [["Responding organisations", "< 3"]], "views": {}, "tables": {},
...            "network": None}
>>> content = territory_content(results)
>>> content.label, content.key_figures, content.charts
('T 1', [('Responding organisations', '< 3')], [])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

from ..i18n import t
from ..journal.about import OPTION_MARK, chart_options
from ..results.questions import PRACTICE_DIMENSIONS
from ..results.tables import decode

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LEAKY_COLUMNS", "TerritoryContent", "network_graph", "note_heading", "note_headings",
           "synthesis_content", "territory_content"]

#: columns of analysis tables that publish a single organisation's value: never exported
LEAKY_COLUMNS = ("min", "max")
_SHEETS = ("summaries", "network", "organisations", "scores", "practices")


@dataclass
class TerritoryContent:
    """Everything published about one territory and wave (see the module docstring)."""

    territory: str
    label: str
    wave: str | None
    lang: str
    min_count: int
    respondents: int | None
    key_figures: list[tuple[str, str]] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    charts: list[tuple[str, dict]] = field(default_factory=list)
    sections: list[tuple[str, list[dict]]] = field(default_factory=list)
    graph: nx.DiGraph | None = None
    note_headings: dict[str, str] = field(default_factory=dict)


def note_headings(results: dict) -> dict[str, str]:
    """What each chart and each bar a note can be about is called on a published page: the chart's
    title, and ``"<title> — <bar label>"`` for a note about one bar (keys as the journal stores them,
    ``"<chart id>#<bar key>"``; see :mod:`coopwork.journal.about`).

    Examples
    --------
    >>> chart = {"id": "org_type", "title": "Type d'organisation", "figure": {"data": [
    ...     {"type": "bar", "orientation": "h", "y": ["Association"], "ids": ["association"]}], "layout": {}}}
    >>> note_headings({"views": {"": {"charts": [chart]}}})
    {'org_type': "Type d'organisation", 'org_type#association': "Type d'organisation — Association"}
    """
    headings: dict[str, str] = {}
    for view in results.get("views", {}).values():
        for chart in view.get("charts", []):
            headings.setdefault(chart["id"], chart["title"])
            for key, label in chart_options(chart.get("figure")):
                headings.setdefault(f"{chart['id']}{OPTION_MARK}{key}", f"{chart['title']} — {label}")
    return headings


def note_heading(chart: str, headings: dict[str, str], *, lang: str) -> str:
    """The heading of the notes about ``chart`` (a journal key): its title (and bar), never an internal
    name; a note about a bar no longer drawn keeps its chart's title, one about a chart no longer
    published goes under "Other notes".

    Examples
    --------
    >>> headings = {"org_type": "Type", "org_type#scop": "Type — SCOP"}
    >>> [note_heading(c, headings, lang="en") for c in ("org_type#scop", "org_type#Old label", "gone")]
    ['Type — SCOP', 'Type — Old label', 'Other notes']
    """
    if chart in headings:
        return headings[chart]
    base, mark, key = str(chart).partition(OPTION_MARK)
    if mark and base in headings and not key.isidentifier():  # a note stored by the bar's label
        return f"{headings[base]} — {key}"
    if mark and base in headings:
        return headings[base]
    return t("export.notes_other", lang)


def network_graph(network: dict | None) -> nx.DiGraph | None:
    """The published network of a result as a graph (what the GEXF and CSV files are written from)."""
    if network is None:
        return None
    graph = nx.DiGraph(respondents=network["respondents"])
    for node in network["nodes"]:
        graph.add_node(node["id"], **{k: v for k, v in node.items() if k != "id" and v is not None})
    for edge in network["edges"]:
        graph.add_edge(edge["source"], edge["target"],
                       **{k: v for k, v in edge.items() if k not in {"source", "target"} and v is not None})
    return graph


def _charts(results: dict, org_type: str | None) -> list[tuple[str, dict]]:
    """Up to 4 charts: organisation types, dimension scores, a form of cooperation, the network."""
    charts = {c["id"]: c for c in results["views"].get("", {}).get("charts", []) if c.get("figure")}
    summaries = results["tables"].get("summaries")
    picks = []
    kinds = {}
    if summaries is not None:
        columns = summaries["columns"]
        for row in summaries["data"]:
            record = dict(zip(columns, row, strict=True))
            kinds.setdefault(record["question"], (record["kind"], record["dimension"], record["unit"]))
    for chart_id in (org_type, "compare.likert"):
        if chart_id in charts:
            picks.append(charts[chart_id])
    practised = [q for q, (kind, dim, unit) in kinds.items()
                 if kind == "select_multiple" and dim in PRACTICE_DIMENSIONS and unit == "organisations"]
    picks += [charts[q] for q in practised if q in charts][:1]
    if "network" in charts:
        picks.append(charts["network"])
    picks += [c for c in charts.values() if c not in picks][:max(0, 4 - len(picks))]
    lang = results["lang"]
    captions = {"compare.likert": t("export.chart_scores", lang), "network": t("export.chart_network", lang)}
    return [(captions.get(c["id"], c["title"]), c["figure"]) for c in picks[:4]]


def territory_content(results: dict, *, org_type: str | None = None) -> TerritoryContent:
    """What is published about a territory, from its results (see the module docstring).

    ``org_type`` is the name of the survey's organisation-type question (its chart comes first).
    """
    lang = results["lang"]
    tables = {}
    for name in _SHEETS:
        if name in results["tables"]:
            table = decode(results["tables"][name])
            tables[name] = table.drop(columns=[c for c in LEAKY_COLUMNS if c in table.columns])
    descriptions = {name: t(f"export.sheet_{name}", lang) for name in tables}
    respondents = results["respondents"]
    view = results["views"].get("", {}).get("charts", [])
    sections = [(section["label"], [c for c in view if c["section"] == section["id"]])
                for section in results.get("sections", [])]
    return TerritoryContent(
        territory=results["territory"], label=results["territory_label"], wave=results["wave"], lang=lang,
        min_count=results["min_count"], respondents=None if respondents["suppressed"] else respondents["n"],
        key_figures=[(label, text) for label, text in results["key_figures"]], tables=tables,
        descriptions=descriptions, charts=_charts(results, org_type),
        sections=[(label, charts) for label, charts in sections if charts],
        graph=network_graph(results.get("network")), note_headings=note_headings(results))


def synthesis_content(results: dict) -> dict[str, Any]:
    """The synthesis tables of the ``_all`` results, under the names of the synthesis workbook."""
    names = {"overview": "overview", "scores_all": "scores", "practices_all": "practices",
             "practices_where": "practices_where", "changes": "changes"}
    tables = results["tables"]
    return {sheet: decode(tables[name]) for name, sheet in names.items() if name in tables}
