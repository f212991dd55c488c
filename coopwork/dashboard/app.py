"""The workshop dashboard: ipywidgets + plotly charts read from the territory's results, with the journal.

One :class:`Dashboard` per page view (one Voilà kernel). It is deliberately light: it imports
neither pandas nor plotly nor pyxform — every number was computed and protected beforehand by
:mod:`coopwork.results` — so that a kernel starts and renders in well under a
second and 30 of them fit in memory. Filters (territory, wave, language, organisation type,
theme) only swap precomputed figures. Under every chart, participants read the notes of the
journal of interpretations and add their own; everything they write is escaped.

A chart travels to the page as inert JSON in an HTML widget (:func:`chart_html`): the figure and
its phone variant. The page's own script (``static/page.js``, see :mod:`coopwork.dashboard.assets`)
draws them with a light plotly.js, the charts on the screen first, and chooses the variant by the
screen's width itself: no round trip to the kernel before a phone shows its first chart.

Examples
--------
>>> from coopwork.dashboard.app import notes_html
>>> note = {"kind": "see", "text": "<script>alert(1)</script>", "display_name": "Léa"}
>>> html = notes_html([note], lang="en")
>>> "&lt;script&gt;alert(1)&lt;/script&gt;" in html, "<script>" in html, "What we see" in html
(True, False, True)
"""

from __future__ import annotations

import json
import secrets
import sys
import threading
import traceback
from html import escape
from pathlib import Path

from .. import waves
from ..figures.theme import NARROW_BELOW, narrow, with_template
from ..fileio import load_with_breakdown, read_index
from ..i18n import normalise_lang, t
from ..paths import ALL, results_file
from ..threshold import DEFAULT_MIN_COUNT, check_min_count
from ..vocabulary import KINDS, kind_label, known_kind
from .assets import asset_url

__all__ = ["CSS", "MAX_ACKS", "MAX_NOTES_AT_ONCE", "NARROW_BELOW", "NOTES_POLL_SECONDS", "OPTION_MARK",
           "Dashboard", "chart_html", "chart_options", "chart_payload", "dashboard", "friendly_error",
           "front_end", "marked_figure", "notes_html", "notes_of"]

#: a note about one bar or option of a chart is stored with ``chart`` = ``"<chart id>#<key>"``, the key
#: being the bar's code in the figure's ``ids`` (an option or group code, a question name), the same in
#: every language; notes stored by label before there were codes still match the bar of that label
OPTION_MARK = "#"
#: how often an open page reads the journal for the notes written or hidden on other pages
NOTES_POLL_SECONDS = 2.5
#: notes a page may send in one message (those kept in the browser while its kernel was gone)
MAX_NOTES_AT_ONCE = 20
#: notes whose fate a page's kernel remembers (the page keeps a note until it hears it was stored)
MAX_ACKS = 100
# page.js resizes the charts itself (plotly's "responsive" listens on the window for every chart ever drawn)
_CONFIG = {"displaylogo": False, "responsive": False, "scrollZoom": False,
           "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"]}

# Readable on a projector (large type, strong contrast) and on a phone (one column, full width).
CSS = """
<style>
.cw-dashboard { font-family: "Atkinson Hyperlegible", Verdana, Arial, sans-serif; font-size: 17px;
  color: #1d2433; max-width: 1200px; margin: 0 auto; }
.cw-dashboard h1 { font-size: 1.7em; margin: .3em 0; color: #123; }
.cw-dashboard .cw-sub { font-size: 1.05em; color: #334; margin-bottom: .4em; }
.cw-dashboard .widget-label { font-size: 16px; min-width: 9em; }
.cw-dashboard select, .cw-dashboard input, .cw-dashboard textarea, .cw-dashboard button {
  font-size: 16px !important; }
.cw-controls { flex-wrap: wrap !important; gap: .4em 1.2em; height: auto !important;
  overflow: visible !important; }
.cw-plot { width: 100%; position: relative; }
.cw-plot-wait { color: #667; font-size: 1.05em; margin: .6em 0; }
.cw-plot.cw-drawn .cw-plot-wait { display: none; }
.cw-plot.cw-failed { min-height: 0 !important; }
.cw-plot.cw-failed .cw-plot-wait { display: block; background: #fff6e0; border-left: 5px solid #e0a100;
  padding: .6em .9em; color: #1d2433; }
.cw-chart { border-top: 3px solid #e3e7ee; padding: .6em 0 1em 0; width: 100%; }
.cw-message { background: #fff6e0; border-left: 5px solid #e0a100; padding: .6em .9em; margin: .5em 0;
  font-size: 1.05em; }
.cw-info { background: #eef4fa; border-left: 5px solid #1f6f8b; padding: .6em .9em; margin: .5em 0;
  font-size: 1.05em; }
.cw-error { background: #fde8e8; border-left: 5px solid #b3261e; padding: .8em 1em; font-size: 1.15em; }
.cw-notes { list-style: none; padding-left: 0; margin: .3em 0; }
.cw-note { background: #f4f7fb; border-radius: 6px; padding: .4em .7em; margin: .25em 0;
  overflow-wrap: anywhere; white-space: pre-wrap; }
.cw-kind { font-weight: bold; margin-right: .3em; }
.cw-see .cw-kind { color: #1f6f8b; } .cw-means .cw-kind { color: #6d597a; }
.cw-do .cw-kind { color: #2d6a4f; }
.cw-who { color: #555; font-style: italic; }
.cw-about { background: #fff6e0; border: 1px solid #e0a100; border-radius: 4px; padding: 0 .3em; }
.cw-form { flex-wrap: wrap !important; gap: .3em .8em; align-items: flex-start; }
.cw-form textarea { min-height: 3.2em; }
.cw-status { min-height: 1.4em; }
.cw-dashboard .jupyter-widgets.widget-tab > .p-TabBar .p-TabBar-tab,
.cw-dashboard .jupyter-widgets.widget-tab > .lm-TabBar .lm-TabBar-tab { font-size: 16px; min-width: 8em;
  flex: 1 1 auto; min-height: 30px; }  /* rows of tabs that fill the width, not a ragged line */
.cw-dashboard .widget-tab > .lm-TabBar { height: auto !important; min-height: 0 !important; }
.cw-dashboard .lm-TabBar-content { flex-wrap: wrap; }
.cw-dashboard button, .cw-dashboard select, .cw-dashboard .widget-toggle-button { min-height: 44px; }
@media (max-width: PHONE_MAX_WIDTHpx) {
  /* a phone: one column, full-width controls a finger can hit, no sideways scrolling of the page */
  .cw-dashboard { font-size: 15px; padding: 0 6px; box-sizing: border-box; width: 100%; }
  .cw-dashboard h1 { font-size: 1.3em; }
  .cw-controls { flex-direction: column !important; align-items: stretch !important; }
  .cw-controls > * { width: 100% !important; max-width: 100% !important; margin: 0 0 4px 0 !important;
    height: auto !important; min-height: 44px; }
  .cw-controls .widget-label { min-width: 7.5em !important; width: 7.5em !important; text-align: left;
    white-space: normal !important; line-height: 1.2; height: auto !important; }
  .cw-controls select { flex: 1 1 auto !important; min-width: 0 !important; width: auto !important; }
  .cw-form { flex-direction: column !important; }
  .cw-form > * { width: 100% !important; max-width: 100% !important; }
  .cw-form textarea { width: 100% !important; min-height: 5em; }
  /* the tabs: a tidy grid of two columns, each a button a finger can hit, the open one marked */
  .cw-dashboard .lm-TabBar-content { display: grid !important; grid-template-columns: 1fr 1fr; gap: 4px;
    height: auto !important; }
  .cw-dashboard .widget-tab > .lm-TabBar { height: auto !important; min-height: 0 !important;
    overflow: visible !important; }
  .cw-dashboard .lm-TabBar-tab { min-width: 0 !important; max-width: none !important; width: auto !important;
    min-height: 44px !important; max-height: none !important; height: auto !important; margin: 0 !important;
    padding: 4px 8px !important; white-space: normal !important; line-height: 1.2; display: flex !important;
    align-items: center; align-self: stretch !important; border: 1px solid #c9d1dc !important;
    border-radius: 6px; transform: none !important; }
  .cw-dashboard .lm-TabBar-tab.lm-mod-current::before { display: none !important; }
  .cw-dashboard .lm-TabBar-tabLabel { white-space: normal !important; overflow: visible !important; }
  .cw-dashboard .lm-TabBar-tab.lm-mod-current { background: #1d2433 !important; color: white !important; }
  .cw-dashboard .widget-tab-contents { padding: 4px !important; }
  .cw-write-note { width: 100% !important; }
}
</style>
""".replace("PHONE_MAX_WIDTH", str(NARROW_BELOW - 1))

def front_end() -> str:
    """The HTML that loads the page's script (``static/page.js``) once, with the plotly.js it draws with.

    ipywidgets' HTML widget runs no ``<script>``, so an image that fails to load adds the script tag.
    The asset URLs are relative to the server's base URL: Voilà's ``data-base-url`` (which ends in
    ``voila/``), or JupyterLab's page configuration.

    Examples
    --------
    >>> html = front_end()
    >>> "page.js?v=" in html and "plotly.js?v=" in html and str(NARROW_BELOW) in html
    True
    """
    script = ("if(!window.coopworkPage){var b=document.body.getAttribute('data-base-url'),"
              "c=document.getElementById('jupyter-config-data');"
              "b=b?b.replace(/voila\\/$/,''):(c?JSON.parse(c.textContent).baseUrl:'/');"
              "var s=document.createElement('script');"
              f"s.src=b+'{asset_url('page.js')}';s.setAttribute('data-plotly',b+'{asset_url('plotly.js')}');"
              f"s.setAttribute('data-narrow-below','{NARROW_BELOW}');document.head.appendChild(s);}}")
    return f'<img src="data:," alt="" style="display:none" onerror="{escape(script, quote=True)}">'


def notes_html(notes: list[dict], *, lang: str = "fr", options: list[tuple[str, str]] = ()) -> str:
    """The notes of one chart as escaped HTML (participants' words never become markup).

    A note about one bar or option of the chart (``chart`` is ``"<chart>#<key>"``) names it, with the
    label ``options`` (``(key, label)`` pairs of :func:`chart_options`) gives it in the reader's language.

    Examples
    --------
    >>> note = {"kind": "see", "text": "Beaucoup", "chart": "org_type#scop"}
    >>> "✎ Worker co-op" in notes_html([note], lang="en", options=[("scop", "Worker co-op")])
    True
    """
    if not notes:
        return f'<p class="cw-notes cw-empty">{escape(t("dashboard.no_notes", lang))}</p>'
    labels = dict(options)
    items = []
    for note in notes:
        kind = known_kind(note["kind"]) or KINDS[0]
        name = note.get("display_name")
        who = f' <span class="cw-who">— {escape(name)}</span>' if name else ""
        option = _option_of(note)
        about = f'<span class="cw-about">✎ {escape(labels.get(option, option))}</span> ' if option else ""
        label = escape(kind_label(kind, lang))
        items.append(f'<li class="cw-note cw-{kind}"><span class="cw-kind">{label}</span> '
                     f'{about}{escape(note["text"])}{who}</li>')
    return f'<ul class="cw-notes">{"".join(items)}</ul>'


def chart_options(figure: dict | None) -> list[tuple[str, str]]:
    """The bars or options of a chart a note can be about: ``(key, label)`` of the categories of its bar
    traces, in order. The key is the category's code in the trace's ``ids`` (the same in every
    language), or its label when the trace has none.

    Examples
    --------
    >>> chart_options({"data": [{"type": "bar", "orientation": "h", "y": ["Scop", "Très<br>grande asso"],
    ...                          "ids": ["scop", "big"]},
    ...                         {"type": "bar", "orientation": "h", "y": ["Scop"], "ids": ["scop"]}],
    ...                "layout": {}})
    [('scop', 'Scop'), ('big', 'Très grande asso')]
    >>> chart_options({"data": [{"type": "scatter", "x": [1], "y": [2]}], "layout": {}})
    []
    >>> chart_options({"data": [{"type": "bar", "x": [5.0, 15.0], "ids": ["0–10", "10–20"]}], "layout": {}})
    [('0–10', '0–10'), ('10–20', '10–20')]
    """
    seen: dict[str, str] = {}
    for trace in (figure or {}).get("data", []):
        for key, category in _bar_keys(trace):
            seen.setdefault(key, _label(key, category))
    return list(seen.items())


def _bar_keys(trace: dict) -> list[tuple[str, object]]:
    """``(key, category)`` of each bar of a trace (none when it is not a bar trace)."""
    if trace.get("type") != "bar":
        return []
    categories = (trace.get("y") if trace.get("orientation") == "h" else trace.get("x")) or []
    ids = trace.get("ids") or [None] * len(categories)
    return [(str(key) if key is not None else _plain(category), category)
            for key, category in zip(ids, categories, strict=False) if category is not None]


def _label(key: str, category: object) -> str:
    """What participants read for a bar: its category, or its key when the category is a number (a
    histogram's bin is placed at its centre, its key says its range)."""
    return key if isinstance(category, int | float) else _plain(category)


def notes_of(notes: dict[str, list[dict]], chart_id: str) -> list[dict]:
    """The notes of one chart and of its bars (grouped by :meth:`Dashboard._notes_by_chart`), oldest first."""
    mine = [n for key, group in notes.items() if key == chart_id or key.startswith(chart_id + OPTION_MARK)
            for n in group]
    return sorted(mine, key=lambda n: n.get("id") or 0)


def marked_figure(figure: dict, notes: list[dict]) -> dict:
    """The figure with a mark (✎ and the number of notes) at the right end of each bar that has notes.

    Examples
    --------
    A note names its bar by key (see :data:`OPTION_MARK`), or by label for notes stored before keys.

    >>> bar = {"type": "bar", "orientation": "h", "y": ["Scop", "Asso"], "ids": ["scop", "asso"], "x": [1, 2]}
    >>> fig = {"data": [bar], "layout": {}}
    >>> marked = marked_figure(fig, [{"chart": "org_type#asso"}, {"chart": "org_type#Asso"}])
    >>> [(a["y"], a["text"]) for a in marked["layout"]["annotations"]]
    [('Asso', '✎ 2')]
    """
    counts: dict[str, int] = {}
    for note in notes:
        option = _option_of(note)
        if option:
            counts[option] = counts.get(option, 0) + 1
    if not counts:
        return figure
    horizontal = any(tr.get("orientation") == "h" for tr in figure.get("data", []) if tr.get("type") == "bar")
    # on a phone the bar is not on its row's centre (its label is above it): theme.narrow says where
    shift = ((figure.get("layout") or {}).get("meta") or {}).get("bar_yshift") or 0
    marks = []
    for trace in figure.get("data", []):
        for key, category in _bar_keys(trace):
            count = counts.pop(key, 0) + counts.pop(_plain(category), 0)
            if count:
                position = ({"x": 1.0, "xref": "paper", "xanchor": "right", "y": category, "yref": "y",
                             "yshift": shift}
                            if horizontal else
                            {"y": 1.0, "yref": "paper", "yanchor": "top", "x": category, "xref": "x"})
                marks.append({**position, "text": f"✎ {count}", "showarrow": False,
                              "bgcolor": "#fff6e0", "bordercolor": "#e0a100", "font": {"size": 15},
                              "name": "cw-note-mark"})
    layout = {**figure["layout"], "annotations": [*figure["layout"].get("annotations", []), *marks]}
    return {**figure, "layout": layout}


def _plain(category: object) -> str:
    """A category label without the line breaks of wrapping (what participants read)."""
    return " ".join(str(category).replace("<br>", " ").split())


def _option_of(note: dict) -> str:
    chart = str(note.get("chart", ""))
    return chart.split(OPTION_MARK, 1)[1] if OPTION_MARK in chart else ""


def _signature(notes: list[dict]) -> tuple:
    """What a chart shows of its notes: (option, id) pairs; a change means redrawing."""
    return tuple((_option_of(n), n.get("id")) for n in notes)


def _shown(figure: dict, notes: list[dict]) -> dict:
    """The figure as a page draws it: the marks of the notes about its bars, the template, the title
    starting at the left edge of the chart (on a phone, long bar labels take half the width and a title
    aligned with the bars would run off the screen)."""
    shown = with_template(marked_figure(figure, notes))
    layout = shown["layout"]
    if isinstance(layout.get("title"), dict):
        shown["layout"] = {**layout, "title": {**layout["title"], "xref": "container", "x": 0.02}}
    return shown


def _patch(base: dict, variant: dict) -> dict:
    """What ``variant`` changes in ``base``: its layout keys and, per trace, its keys that differ."""
    layout = {k: v for k, v in variant["layout"].items() if base["layout"].get(k) != v}
    data = [{k: v for k, v in mine.items() if theirs.get(k) != v}
            for theirs, mine in zip(base["data"], variant["data"], strict=True)]
    return {"layout": layout, "data": data}


def chart_payload(chart: dict, notes: list[dict]) -> dict | None:
    """What the page draws for a chart (None when it has no figure): the figure with the marks of its
    notes, the phone variant as the keys it changes (:func:`coopwork.figures.theme.narrow`: labels
    above the bars, the network map fitted to the width…) and plotly's config.

    Examples
    --------
    >>> chart = {"id": "org_type", "title": "Types", "figure": {"data": [
    ...     {"type": "bar", "orientation": "h", "y": ["Société coopérative de production"], "x": [4]}],
    ...     "layout": {"height": 400}}}
    >>> payload = chart_payload(chart, [])
    >>> "y" in payload["phone"]["data"][0]  # the bars keep their categories on a phone…
    False
    >>> payload["phone"]["layout"]["yaxis"]["showticklabels"]  # …whose labels go above the bars
    False
    >>> "x" in payload["phone"]["data"][0], chart_payload({**chart, "figure": None}, [])
    (False, None)
    """
    if not chart.get("figure"):
        return None
    wide = _shown(chart["figure"], notes)
    phone = _patch(wide, _shown(narrow(chart["figure"]), notes))
    return {"figure": wide, "phone": phone, "config": _CONFIG}


def chart_html(chart: dict, notes: list[dict], *, lang: str = "fr") -> str:
    """A chart as the page receives it: :func:`chart_payload` as inert JSON that ``static/page.js`` draws,
    the chart's title shown until it is drawn (and what to do, in ``lang``, if it cannot be); or its
    message when it has no figure.

    Examples
    --------
    >>> chart = {"id": "q", "title": "<b>Q</b>", "figure": {"data": [{"type": "bar", "x": ["</script>"]}],
    ...                                                     "layout": {"height": 300}}}
    >>> html = chart_html(chart, [])
    >>> html.count("</script>"), "&lt;b&gt;Q&lt;/b&gt;" in html, "min-height:300px" in html
    (1, True, True)
    """
    payload = chart_payload(chart, notes)
    if payload is None:  # how many answered a free text or gave a position is news, not a warning
        kind = "cw-info" if chart.get("display") in ("answers", "positions") else "cw-message"
        return (f'<div class="{kind}"><strong>{escape(chart["title"])}</strong><br>'
                f'{escape(chart.get("message") or "")}</div>')
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    height = int(payload["figure"]["layout"].get("height", 450))
    failed = escape(t("dashboard.chart_not_drawn", lang), quote=True)
    return (f'<div class="cw-plot" style="min-height:{height}px" data-failed="{failed}">'
            f'<script type="application/json" class="cw-figure">{text}</script>'
            f'<p class="cw-plot-wait">{escape(chart["title"])}</p><div class="cw-plot-area"></div></div>')


def friendly_error(lang: str = "fr") -> str:
    """What a visitor sees when something went wrong (the traceback goes to the server log only)."""
    return f'<div class="cw-error">{escape(t("dashboard.friendly_error", lang))}</div>'


def _log_exception() -> None:
    print("coopwork dashboard error:\n" + traceback.format_exc(), file=sys.stderr, flush=True)


class Dashboard:
    """The dashboard of one territory (or of all territories when ``territory`` is ``None``).

    Parameters
    ----------
    workspace
        The workspace folder.
    territory
        Territory id; ``None`` shows the synthesis with a territory picker.
    wave
        Wave id (default: the latest).
    lang
        ``"fr"`` or ``"en"``; visitors can switch.
    min_count
        Disclosure threshold of the results shown (prepared in this kernel when missing).
    fixed
        Hide the territory picker (a per-territory URL).
    database
        Journal database URL (default: the workspace's SQLite file).
    """

    def __init__(self, workspace: str | Path = ".", *, territory: str | None = None, wave: str | None = None,
                 lang: str = "fr", min_count: int = DEFAULT_MIN_COUNT, fixed: bool | None = None,
                 database: str | None = None) -> None:
        import ipywidgets as w

        self.root = Path(workspace).expanduser().resolve()
        self.min_count = check_min_count(min_count)
        self.database = database
        self.index = self._ensure_index(territory=territory, wave=wave)
        self.survey_id = self.index["survey_id"]
        self.lang = normalise_lang(lang)
        self.territory = territory if territory not in ("", ALL) else None
        self.fixed = (territory is not None) if fixed is None else fixed
        current = self.index.get("current", {}).get(self.territory or "")
        self.wave = wave or current or waves.current(self.index["waves"])
        self._journal = None
        self._form: dict | None = None
        self._form_chart = ""
        self._acks: dict[str, str] = {}  # note id (given by the page) → "stored", or why it was refused
        self._stop = threading.Event()
        self._lock = threading.RLock()
        # this page's random key: the journal limits the notes one participant adds per minute
        self.participant = secrets.token_hex(8)
        self._built: set[int] = set()
        self._busy = False
        self._blocks: dict[str, dict] = {}
        self.bundle: dict = {}

        self.title = w.HTML()
        self.territory_picker = w.Dropdown(layout=w.Layout(width="auto"))
        self.wave_picker = w.Dropdown(options=self.index["waves"], value=self.wave,
                                      layout=w.Layout(width="auto"))
        offered = list(dict.fromkeys([*(self.index.get("dashboard_langs") or ("fr", "en")), self.lang]))
        self.lang_picker = w.ToggleButtons(options=[(code.upper(), code) for code in offered],
                                           value=self.lang,
                                           tooltips=[t("core.lang_name", code) for code in offered],
                                           style={"button_width": "3.2em"})
        self.org_picker = w.Dropdown(layout=w.Layout(width="auto"))
        self.section_picker = w.Dropdown(layout=w.Layout(width="auto"))
        self.summary = w.HTML()
        self.tabs = w.Tab()
        for picker, css in ((self.territory_picker, "cw-pick-territory"), (self.wave_picker, "cw-pick-wave"),
                            (self.lang_picker, "cw-pick-lang"), (self.org_picker, "cw-pick-org"),
                            (self.section_picker, "cw-pick-section"), (self.summary, "cw-summary"),
                            (self.tabs, "cw-tabs")):
            picker.add_class(css)
        controls = [self.territory_picker, self.wave_picker, self.lang_picker, self.org_picker,
                    self.section_picker]
        if self.fixed:
            self.territory_picker.layout.display = "none"
        self.controls = w.HBox(controls)
        self.controls.add_class("cw-controls")
        # what the page's front end tells the kernel (a click on a bar): hidden
        self.page_events = w.Text(layout=w.Layout(display="none"))
        self.page_events.add_class("cw-page-events")
        # ... and what it keeps in the browser (page_state): hidden too
        self.page_status = w.HTML(layout=w.Layout(display="none"))
        self.page_status.add_class("cw-page-state")
        self.widget = w.VBox([w.HTML(CSS + front_end()), self.page_events, self.page_status, self.title,
                              self.controls, self.summary, self.tabs])
        self.widget.add_class("cw-dashboard")
        self._load()
        self.territory_picker.observe(self._on_change, names="value")
        self.wave_picker.observe(self._on_change, names="value")
        self.lang_picker.observe(self._on_change, names="value")
        self.org_picker.observe(self._on_org, names="value")
        self.section_picker.observe(self._on_section, names="value")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.page_events.observe(self._on_page_event, names="value")
        self._watch_notes()

    # -- data -------------------------------------------------------------------------------
    def _ensure_index(self, *, territory: str | None, wave: str | None) -> dict:
        index = read_index(self.root)
        if index is None or index.get("min_count") != self.min_count:
            self._prepare(territory=territory, wave=wave)
            index = read_index(self.root)
        return index

    def _prepare(self, *, territory: str | None, wave: str | None, by_org_type: bool = False) -> None:
        """Slow path: compute the missing results in this kernel (no ``coopwork serve`` before), or
        the views of each organisation type when the filter is first used."""
        from ..results.inputs import Inputs
        from ..results.store import ensure, write_index
        from ..workspace import open_workspace

        workspace = open_workspace(self.root, min_count=self.min_count)
        inputs = Inputs(workspace)
        chosen = [territory] if territory not in (None, "", ALL) else []
        langs = (self.lang,) if hasattr(self, "lang") else ("fr", "en")
        ensure(workspace, territories=chosen, waves=[wave] if wave else None, langs=langs,
               min_count=self.min_count, synthesis=territory in (None, "", ALL), by_org_type=by_org_type,
               inputs=inputs)
        write_index(inputs, langs=langs, min_count=self.min_count)

    def _get_bundle(self) -> dict:
        path = results_file(self.root, self.survey_id, self.territory, str(self.wave), self.lang,
                            self.min_count)
        bundle = load_with_breakdown(path)
        if bundle is None:
            self._prepare(territory=self.territory, wave=self.wave)
            self.index = read_index(self.root) or self.index
            bundle = load_with_breakdown(path)
        if bundle is None:
            from ..errors import DashboardError

            raise DashboardError("dashboard.not_precomputed", lang=self.lang)
        return bundle

    @property
    def journal(self):
        """The journal of interpretations (opened on first use)."""
        if self._journal is None:
            from ..journal import Journal

            self._journal = Journal(self.database, workspace=self.root)
        return self._journal

    # -- building ----------------------------------------------------------------------------
    def _load(self) -> None:
        """(Re)load the bundle for the current territory/wave/language and rebuild the page."""
        lang = self.lang
        self.bundle = self._get_bundle()
        labels = self.index["territories"].get(lang) or next(iter(self.index["territories"].values()), {})
        available = self.index.get("available", {}).get(self.wave, list(labels))
        with self._quiet():
            self.territory_picker.description = t("dashboard.territory", lang)
            everyone = t("dashboard.all_territories", lang) if labels else self.bundle["territory_label"]
            self.territory_picker.options = [(everyone, ALL)] + [
                (labels.get(tid, tid), tid) for tid in available]
            self.territory_picker.value = self.territory or ALL
            if not available:  # a form without a territory question: one dashboard, nothing to pick
                self.territory_picker.layout.display = "none"
            self.wave_picker.description = t("dashboard.wave", lang)
            self.lang_picker.description = t("dashboard.language", lang)
            self.org_picker.description = t("dashboard.org_type", lang)
            self.org_picker.options = [(o["label"], o["id"]) for o in self.bundle["org_types"]]
            self.org_picker.value = ""
            # a form without an organisation type has no such filter
            self.org_picker.layout.display = None if len(self.bundle["org_types"]) > 1 else "none"
            sections = self._sections()
            self.section_picker.description = t("dashboard.dimension", lang)
            self.section_picker.options = [(t("dashboard.all_dimensions", lang), "")] + [
                (s["label"], s["id"]) for s in sections]
            self.section_picker.value = ""
            self.section_picker.layout.display = None if len(sections) > 1 else "none"  # one tab: no choice
        place = self.bundle["territory_label"]
        # a cooperation survey has its dashboard's title; any other form is named by its own title
        cooperation = self.bundle.get("cooperation", True)
        heading = t("dashboard.title", lang) if cooperation else self.bundle["survey_title"]
        # data-cw-lang: the page's script declares the page's language (<html lang>) from it
        self.title.value = (f'<h1 lang="{escape(lang)}" data-cw-lang="{escape(lang)}">'
                            f"{escape(heading)} — {escape(place)}</h1>"
                            f'<div class="cw-sub">{escape(t("dashboard.wave", lang))} '
                            f"{escape(str(self.wave))}"
                            f"</div>")
        self._rebuild()

    def _sections(self) -> list[dict]:
        view = self._view()
        used = {c["section"] for c in view.get("charts", [])}
        return [s for s in self.bundle["sections"] if s["id"] in used] or self.bundle["sections"][:1]

    def _view(self) -> dict:
        chosen = self.org_picker.value or ""
        if chosen not in self.bundle["views"]:  # first use of this filter here: compute it once, for everyone
            self._prepare(territory=self.territory, wave=self.wave, by_org_type=True)
            self.bundle = self._get_bundle()
        return self.bundle["views"].get(chosen, self.bundle["views"].get("", {}))

    def _rebuild(self) -> None:
        import ipywidgets as w

        lang = self.lang
        view = self._view()
        k = self.bundle["min_count"]
        if view.get("suppressed"):
            self.summary.value = (f'<div class="cw-message cw-suppressed">'
                                  f'{escape(t("dashboard.suppressed_group", lang, k=k))}</div>')
        elif not view.get("n"):
            self.summary.value = f'<div class="cw-message">{escape(t("dashboard.no_data", lang))}</div>'
        else:
            unit = self.bundle.get("unit", "organisations")
            key = "dashboard.respondents" if unit == "organisations" else "dashboard.respondents_responses"
            text = escape(t(key, lang, n=view["n"]))
            self.summary.value = f'<div class="cw-sub">{text}</div>'
        chosen = self.section_picker.value
        sections = [s for s in self._sections() if not chosen or s["id"] == chosen]
        self._section_ids = [s["id"] for s in sections]
        self._built = set()
        self._blocks = {}
        self._form = None  # a new form in the new language
        children = [w.VBox() for _ in sections]
        with self._quiet():
            self.tabs.children = children
            self.tabs.titles = [s["label"] for s in sections]
            self.tabs.selected_index = 0 if children else None
        if children:
            self._build_tab(0)
        self._publish()

    def _build_tab(self, position: int) -> None:
        """Fill one tab (tabs are filled when first opened: the first page shows fast)."""
        import ipywidgets as w

        if position in self._built or position >= len(self._section_ids):
            return
        self._built.add(position)
        section = self._section_ids[position]
        charts = [c for c in self._view().get("charts", []) if c["section"] == section]
        notes = self._notes_by_chart()
        # every chart of the tab at once: the page draws those on its screen first (static/page.js)
        blocks = [self._chart_block(chart, notes) for chart in charts]
        if not blocks:
            blocks = [w.HTML(f'<div class="cw-message">{escape(t("dashboard.no_chart", self.lang))}</div>')]
        self.tabs.children[position].children = blocks

    def _chart_block(self, chart: dict, notes: dict[str, list[dict]]):
        """A chart, the notes about it (and about its bars), and a button that opens the note form here."""
        import ipywidgets as w

        lang = self.lang
        # the figure is the widget's state (not printed into an Output): a preheated page then holds its
        # figures whatever happened to the messages of the execution
        options = chart_options(chart.get("figure"))
        mine = notes_of(notes, chart["id"])
        plot = w.HTML(chart_html(chart, mine, lang=lang), layout=w.Layout(width="100%"))
        plot.add_class("cw-plot-box")
        notes_box = w.HTML(notes_html(mine, lang=lang, options=options))
        # ✎ rather than an icon: icon fonts are not loaded (a workshop room may have no internet)
        write = w.Button(description="✎ " + t("dashboard.write_note", lang),
                         layout=w.Layout(width="auto"))
        title = w.HTML(f"<strong>{escape(t('dashboard.notes_title', lang))}</strong>")
        block = w.VBox([plot, title, notes_box, write])
        block.add_class("cw-chart")
        if chart.get("figure"):
            block.add_class("cw-has-figure")
        block.add_class(f"cw-chart-{_css_id(chart['id'])}")
        notes_box.add_class("cw-notes-box")
        write.add_class("cw-write-note")
        self._blocks[chart["id"]] = {"notes": notes_box, "plot": plot, "chart": chart, "block": block,
                                     "shown": _signature(mine)}
        write.on_click(lambda _b: self._safe(lambda: self._open_form(chart["id"], options)))
        return block

    def _note_form(self):
        """The one note form of the page (moved under the chart whose "Write a note" was clicked).

        The page's script sends what is typed (:meth:`store_notes`, through the page events): it
        keeps a note in the browser until this kernel says it is stored, so that a note written
        while the kernel is gone (a phone that slept, a server restart) is stored once the page has
        recovered. Which chart the form is under, and the keys of its bars, are in :meth:`page_state`.
        """
        import ipywidgets as w

        if self._form is not None:
            return self._form
        lang = self.lang
        about = w.Dropdown(description=t("dashboard.note_about", lang), layout=w.Layout(width="auto"))
        kind = w.Dropdown(options=[(kind_label(k, lang), k) for k in KINDS],
                          value="see", layout=w.Layout(width="auto"))
        text = w.Textarea(placeholder=t("dashboard.note_placeholder", lang), layout=w.Layout(width="32em"))
        name = w.Text(placeholder=t("dashboard.name_placeholder", lang), layout=w.Layout(width="14em"))
        button = w.Button(description=t("dashboard.add_note", lang), button_style="primary",
                          layout=w.Layout(width="auto"))
        status = w.HTML()
        status.add_class("cw-status")
        form = w.HBox([about, kind, text, name, button])
        form.add_class("cw-form")
        for widget, css in ((about, "cw-about-input"), (kind, "cw-kind-input"), (text, "cw-text-input"),
                            (name, "cw-name-input"), (button, "cw-add-note")):
            widget.add_class(css)
        box = w.VBox([form, status])
        box.add_class("cw-form-box")
        self._form = {"box": box, "about": about, "status": status, "text": text}
        return self._form

    def store_notes(self, notes: list) -> None:
        """Store the notes a page sent (each with the ``id`` the page gave it) and say which are stored.

        A note already stored under its id (sent again by a page that did not hear back: its kernel
        went away) is not stored twice. The answer is in :meth:`page_state` (``acks``); the form's
        status says it too.
        """
        from ..errors import DashboardError

        for note in notes[:MAX_NOTES_AT_ONCE]:
            if not isinstance(note, dict) or not isinstance(note.get("id"), str) or note["id"] in self._acks:
                continue
            lang = normalise_lang(note.get("lang") or self.lang)
            try:
                self._store_note(note, lang)
            except Exception as err:  # the visitor sees a sentence, the log gets the detail
                if not isinstance(err, DashboardError):
                    _log_exception()
                message = (err.render_message(lang) if isinstance(err, DashboardError)
                           else t("dashboard.note_failed", lang))
                if isinstance(err, DashboardError) and err.code == "dashboard.note_rate_limited":
                    self._say(message, saved=False)  # not acknowledged: the page sends it again later
                    continue
                self._acks[note["id"]] = message
                self._say(message, saved=False)
                continue
            self._acks[note["id"]] = "stored"
            form = self._form
            if form is not None and form["text"].value.strip() == str(note.get("text", "")).strip():
                form["text"].value = ""
            self._say(t("dashboard.note_saved", lang), saved=True)
        while len(self._acks) > MAX_ACKS:
            self._acks.pop(next(iter(self._acks)))
        self._publish()
        self._safe(self.refresh_notes)

    def _store_note(self, note: dict, lang: str) -> None:
        from ..errors import DashboardError

        territory = str(note.get("territory") or ALL)
        wave = str(note.get("wave") or self.wave)
        chart = str(note.get("chart") or "")
        about = str(note.get("about") or "")
        known = territory == ALL or any(territory in labels for labels in self.index["territories"].values())
        if not known or wave not in self.index["waves"] or not chart or len(chart) + len(about) > 190:
            raise DashboardError("dashboard.note_failed", lang=lang)
        self.journal.add(self.survey_id, territory=territory, wave=wave,
                         chart=chart + (f"{OPTION_MARK}{about}" if about else ""),
                         kind=str(note.get("kind") or "see"), text=str(note.get("text") or ""),
                         display_name=str(note.get("name") or ""), lang=lang, participant=self.participant,
                         client_id=note["id"])

    def _say(self, message: str, *, saved: bool) -> None:
        """What the note form's status line says."""
        if self._form is not None:
            css = "cw-saved" if saved else "cw-message"
            self._form["status"].value = f'<span class="{css}">{escape(message)}</span>'

    def page_state(self) -> dict:
        """What the page's script keeps in the browser: where the participant is (to come back to it after
        a reload), the notes this kernel acknowledged, and the page's texts in its language."""
        form = None
        if self._form is not None and self._form_chart in self._blocks:
            figure = self._blocks[self._form_chart]["chart"].get("figure")
            keys = ["", *(key for key, _label in chart_options(figure))]
            form = {"chart": self._form_chart, "css": _css_id(self._form_chart),
                    "about": self._form["about"].value or "", "keys": keys}
        return {"state": {"territory": self.territory or ALL, "wave": str(self.wave), "lang": self.lang,
                          "org": self.org_picker.value or "", "section": self.section_picker.value or "",
                          "tab": self.tabs.selected_index or 0, "form": form},
                "acks": dict(self._acks),
                "texts": {key: t(f"dashboard.{key}", self.lang)
                          for key in ("page_reconnecting", "page_resuming", "note_kept")}}

    def _publish(self) -> None:
        """Put :meth:`page_state` in the page (a hidden widget the page's script reads)."""
        state = self.page_state()
        text = json.dumps(state, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
        self.page_status.value = f'<script type="application/json" class="cw-state">{text}</script>'

    def restore(self, state: dict) -> None:
        """Come back to where a participant was before the page was reloaded (its language, wave,
        territory, filters, tab and open note form), as far as this dashboard offers them."""
        if not isinstance(state, dict):
            return
        lang, wave = state.get("lang"), state.get("wave")
        territory = state.get("territory")
        changed = False
        with self._quiet():
            if lang in [value for _label, value in self.lang_picker.options] and lang != self.lang:
                self.lang_picker.value, changed = lang, True
            if wave in self.wave_picker.options and wave != self.wave:
                self.wave_picker.value, changed = wave, True
            if not self.fixed and territory in [v for _l, v in self.territory_picker.options] \
                    and territory != (self.territory or ALL):
                self.territory_picker.value, changed = territory, True
        if changed:
            self.lang, self.wave = self.lang_picker.value, self.wave_picker.value
            if not self.fixed:
                chosen = self.territory_picker.value
                self.territory = None if chosen in (None, ALL) else chosen
            self._load()
        org, section = state.get("org") or "", state.get("section") or ""
        with self._quiet():
            filtered = False
            if org and org in [v for _l, v in self.org_picker.options]:
                self.org_picker.value, filtered = org, True
            if section and section in [v for _l, v in self.section_picker.options]:
                self.section_picker.value, filtered = section, True
        if filtered:
            self._rebuild()
        tab = state.get("tab")
        if isinstance(tab, int) and 0 < tab < len(self.tabs.children):
            with self._quiet():
                self.tabs.selected_index = tab
            self._build_tab(tab)
        form = state.get("form")
        if isinstance(form, dict) and form.get("chart") in self._blocks:
            options = chart_options(self._blocks[form["chart"]]["chart"].get("figure"))
            self._open_form(form["chart"], options)
            if form.get("about") in dict(options):
                self._form["about"].value = form["about"]
        self._publish()

    def _open_form(self, chart_id: str, options: list[tuple[str, str]]) -> None:
        """Show the note form under one chart, its bars and options offered in "about"."""
        form = self._note_form()
        block = self._blocks.get(chart_id)
        if block is None:
            return
        for other in self._blocks.values():  # the form lives under one chart at a time
            children = tuple(c for c in other["block"].children if c is not form["box"])
            if children != other["block"].children:
                other["block"].children = children
        form["about"].options = [(t("dashboard.whole_chart", self.lang), "")] + [(label, key)
                                                                                 for key, label in options]
        form["about"].value = ""
        form["status"].value = ""
        self._form_chart = chart_id
        block["block"].children = (*block["block"].children, form["box"])
        self._publish()

    def on_bar_click(self, css_id: str, key: str) -> None:
        """Open the note form under the chart whose bar was clicked, about that bar."""
        chart_id = next((cid for cid in self._blocks if _css_id(cid) == css_id), None)
        if chart_id is None:
            return
        options = chart_options(self._blocks[chart_id]["chart"].get("figure"))
        if key not in dict(options):
            return
        self._open_form(chart_id, options)
        self._form["about"].value = key
        self._publish()

    def _on_page_event(self, change) -> None:
        """What the page's script says (``static/page.js``): a bar clicked, where to come back to after a
        reload, the notes waiting in the browser to be stored."""
        try:
            event = json.loads(change["new"] or "{}")
        except ValueError:
            return
        if not isinstance(event, dict):
            return
        if isinstance(event.get("restore"), dict):
            self._safe(lambda: self.restore(event["restore"]))
        if isinstance(event.get("notes"), list) and event["notes"]:
            self._safe(lambda: self.store_notes(event["notes"]))
        if isinstance(event.get("chart"), str) and isinstance(event.get("bar"), str):
            self._safe(lambda: self.on_bar_click(event["chart"], event["bar"]))

    def _notes_by_chart(self) -> dict[str, list[dict]]:
        try:
            records = self.journal.records(survey_id=self.survey_id, territory=self.territory or ALL,
                                           wave=str(self.wave))
        except Exception:
            _log_exception()
            return {}
        grouped: dict[str, list[dict]] = {}
        for record in records:
            grouped.setdefault(record["chart"], []).append(record)
        return grouped

    def refresh_notes(self) -> None:
        """Show the notes everyone wrote (and stop showing the hidden ones) under every built chart;
        a chart whose notes about its bars changed is redrawn with its marks."""
        notes = self._notes_by_chart()
        for block in list(self._blocks.values()):
            mine = notes_of(notes, block["chart"]["id"])
            signature = _signature(mine)
            if signature == block["shown"]:
                continue
            marks_before = {k for k in block["shown"] if k[0]}
            block["notes"].value = notes_html(mine, lang=self.lang,
                                              options=chart_options(block["chart"].get("figure")))
            if {k for k in signature if k[0]} != marks_before:
                block["plot"].value = chart_html(block["chart"], mine, lang=self.lang)
            block["shown"] = signature

    def close(self) -> None:
        """Stop reading the journal (the page is gone)."""
        self._stop.set()

    def _watch_notes(self) -> None:
        """A background thread polls the journal every :data:`NOTES_POLL_SECONDS`, so that notes written
        or hidden on any page appear on this one without a click."""

        def loop() -> None:
            while not self._stop.wait(NOTES_POLL_SECONDS):
                try:
                    with self._lock:
                        self.refresh_notes()
                except Exception:
                    _log_exception()

        threading.Thread(target=loop, name="coopwork-notes", daemon=True).start()

    # -- events --------------------------------------------------------------------------------
    def _on_change(self, change) -> None:
        if self._busy:
            return
        def reload() -> None:
            territory = self.territory_picker.value
            self.territory = None if territory in (None, ALL) else territory
            self.wave = self.wave_picker.value
            self.lang = self.lang_picker.value
            self._load()

        self._safe(reload)

    def _on_org(self, _change) -> None:
        if self._busy:
            return
        self._safe(self._rebuild)

    def _on_section(self, _change) -> None:
        if self._busy:
            return
        self._safe(self._rebuild)

    def _on_tab(self, change) -> None:
        if self._busy:
            return
        if change["new"] is not None:
            self._safe(lambda: (self._build_tab(change["new"]), self._publish()))

    def _safe(self, action) -> None:
        try:
            with self._lock:  # the background thread changes the page too
                action()
        except Exception:
            _log_exception()
            self.summary.value = friendly_error(self.lang)

    def _quiet(self):
        """Change several pickers at once without firing the handlers."""
        from contextlib import contextmanager

        @contextmanager
        def quiet():
            self._busy = True
            try:
                yield
            finally:
                self._busy = False

        return quiet()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _css_id(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in str(text))


def dashboard(workspace: str | Path = ".", *, territory: str | None = None, wave: str | None = None,
              lang: str = "fr", min_count: int = DEFAULT_MIN_COUNT, database: str | None = None):
    """Build the dashboard widget; on any failure return a friendly message (details in the server log).

    This is what ``notebooks/dashboard.ipynb`` calls with its parameters.
    """
    try:
        board = Dashboard(workspace, territory=territory or None, wave=wave or None, lang=lang,
                          min_count=min_count, database=database)
        return board.widget
    except Exception:
        import ipywidgets as w

        _log_exception()
        return w.HTML(CSS + f'<div class="cw-dashboard">{friendly_error(lang)}</div>')
