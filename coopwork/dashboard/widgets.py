"""The ipywidgets of a dashboard page: its frame and filters, a chart with its notes, the note form.

The widgets carry the CSS classes that the styles (:mod:`coopwork.dashboard.styles`) and the page's
script (``static/page.js``) know. They read neither the results nor the journal: the page
(:class:`coopwork.dashboard.page.Dashboard`, a :class:`PageWidgets`) tells them what to show and
listens to them.

Examples
--------
>>> chart = {"id": "org type", "title": "Types", "section": "profile", "figure": None, "message": "…"}
>>> block = ChartBlock(chart, [], lang="en")
>>> [child.__class__.__name__ for child in block.block.children], css_id(chart["id"])
(['HTML', 'HTML', 'HTML', 'Button'], 'org-type')
>>> block.write.description
'✎ Write a note'
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

import ipywidgets as w

from ..i18n import t
from ..journal.about import chart_options, option_of
from ..paths import ALL
from ..vocabulary import KINDS, kind_label
from .charts import chart_html
from .styles import CSS, front_end, message_html, notes_html

__all__ = ["ChartBlock", "NoteForm", "PageWidgets", "css_id"]


def css_id(text: str) -> str:
    """A chart's id as a CSS class name (``cw-chart-<id>``), as the page's script names it too."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in str(text))


class PageWidgets:
    """The frame of a page: title, filters (territory, wave, language, organisation type, section), a
    summary line, one tab per section, and two hidden widgets through which the page's script and the
    kernel talk (:attr:`page_events`: what the page says; :attr:`page_status`: what it keeps).

    Parameters
    ----------
    waves, wave
        The waves offered and the one shown.
    langs, lang
        The languages offered and the one shown.
    fixed
        Hide the territory picker (a per-territory URL).
    """

    def __init__(self, *, waves: list[str], wave: str, langs: list[str], lang: str, fixed: bool) -> None:
        self.title = w.HTML()
        self.territory_picker = w.Dropdown(layout=w.Layout(width="auto"))
        self.wave_picker = w.Dropdown(options=waves, value=wave, layout=w.Layout(width="auto"))
        self.lang_picker = w.ToggleButtons(options=[(code.upper(), code) for code in langs], value=lang,
                                           tooltips=[t("core.lang_name", code) for code in langs],
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
        if fixed:
            self.territory_picker.layout.display = "none"
        self.controls = w.HBox([self.territory_picker, self.wave_picker, self.lang_picker, self.org_picker,
                                self.section_picker])
        self.controls.add_class("cw-controls")
        # what the page's front end tells the kernel (a click on a bar): hidden
        self.page_events = w.Text(layout=w.Layout(display="none"))
        self.page_events.add_class("cw-page-events")
        # ... and what it keeps in the browser (the page's state): hidden too
        self.page_status = w.HTML(layout=w.Layout(display="none"))
        self.page_status.add_class("cw-page-state")
        self.widget = w.VBox([w.HTML(CSS + front_end()), self.page_events, self.page_status, self.title,
                              self.controls, self.summary, self.tabs])
        self.widget.add_class("cw-dashboard")

    def show_filters(self, lang: str, *, everyone: str, territories: list[tuple[str, str]], territory: str,
                     org_types: list[dict]) -> None:
        """Label the filters in ``lang`` and offer these territories (``(label, id)``, after ``everyone``:
        :data:`~coopwork.paths.ALL`) and organisation types, all types chosen; a filter with nothing to
        choose is hidden."""
        self.territory_picker.description = t("dashboard.territory", lang)
        self.territory_picker.options = [(everyone, ALL), *territories]
        self.territory_picker.value = territory
        if not territories:  # a form without a territory question: one dashboard, nothing to pick
            self.territory_picker.layout.display = "none"
        self.wave_picker.description = t("dashboard.wave", lang)
        self.lang_picker.description = t("dashboard.language", lang)
        self.org_picker.description = t("dashboard.org_type", lang)
        self.org_picker.options = [(o["label"], o["id"]) for o in org_types]
        self.org_picker.value = ""
        # a form without an organisation type has no such filter
        self.org_picker.layout.display = None if len(org_types) > 1 else "none"

    def show_sections(self, lang: str, sections: list[dict]) -> None:
        """Offer these sections (``id``, ``label``) in the section filter, all chosen (hidden for one)."""
        self.section_picker.description = t("dashboard.dimension", lang)
        self.section_picker.options = [(t("dashboard.all_dimensions", lang), "")] + [
            (s["label"], s["id"]) for s in sections]
        self.section_picker.value = ""
        self.section_picker.layout.display = None if len(sections) > 1 else "none"  # one tab: no choice

    def show_tabs(self, titles: list[str]) -> None:
        """One empty tab per title, the first one open (tabs are filled when first opened)."""
        children = [w.VBox() for _ in titles]
        self.tabs.children = children
        self.tabs.titles = titles
        self.tabs.selected_index = 0 if children else None

    def fill_tab(self, position: int, blocks: list[ChartBlock], *, empty: str) -> None:
        """Put the blocks of a tab's charts in it, or the ``empty`` message when it has none."""
        widgets = [block.block for block in blocks] or [w.HTML(message_html(empty, "cw-message"))]
        self.tabs.children[position].children = widgets


class ChartBlock:
    """A chart, the notes about it (and about its bars), and a button that opens the note form under it.

    The figure is the widget's state (not printed into an Output): a preheated page then holds its
    figures whatever happened to the messages of the execution.
    """

    def __init__(self, chart: dict, notes: list[dict], *, lang: str) -> None:
        self.chart, self.lang = chart, lang
        #: the bars a note can be about, ``(key, label)``
        self.options = chart_options(chart.get("figure"))
        self.plot = w.HTML(chart_html(chart, notes, lang=lang), layout=w.Layout(width="100%"))
        self.plot.add_class("cw-plot-box")
        self.notes = w.HTML(notes_html(notes, lang=lang, options=self.options))
        self.notes.add_class("cw-notes-box")
        # ✎ rather than an icon: icon fonts are not loaded (a workshop room may have no internet)
        self.write = w.Button(description="✎ " + t("dashboard.write_note", lang),
                              layout=w.Layout(width="auto"))
        self.write.add_class("cw-write-note")
        title = w.HTML(f"<strong>{escape(t('dashboard.notes_title', lang))}</strong>")
        self.block = w.VBox([self.plot, title, self.notes, self.write])
        self.block.add_class("cw-chart")
        if chart.get("figure"):
            self.block.add_class("cw-has-figure")
        self.block.add_class(f"cw-chart-{css_id(chart['id'])}")
        self.shown = _signature(notes)

    def show_notes(self, notes: list[dict]) -> None:
        """Show these notes (the chart's and its bars'); redraw the chart when its bars' marks change."""
        signature = _signature(notes)
        if signature == self.shown:
            return
        marks_before = {k for k in self.shown if k[0]}
        self.notes.value = notes_html(notes, lang=self.lang, options=self.options)
        if {k for k in signature if k[0]} != marks_before:
            self.plot.value = chart_html(self.chart, notes, lang=self.lang)
        self.shown = signature


def _signature(notes: list[dict]) -> tuple:
    """What a chart shows of its notes: (option, id) pairs; a change means redrawing."""
    return tuple((option_of(n), n.get("id")) for n in notes)


class NoteForm:
    """The one note form of a page: about (the whole chart or one bar), kind, text, name, "Add", status.

    It lives under one chart at a time (:meth:`open_under`). The page's script sends what is typed
    when "Add" is pressed (see :meth:`coopwork.dashboard.page.Dashboard.store_notes`).
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.about = w.Dropdown(description=t("dashboard.note_about", lang), layout=w.Layout(width="auto"))
        self.kind = w.Dropdown(options=[(kind_label(k, lang), k) for k in KINDS], value="see",
                               layout=w.Layout(width="auto"))
        self.text = w.Textarea(placeholder=t("dashboard.note_placeholder", lang),
                               layout=w.Layout(width="32em"))
        self.name = w.Text(placeholder=t("dashboard.name_placeholder", lang), layout=w.Layout(width="14em"))
        button = w.Button(description=t("dashboard.add_note", lang), button_style="primary",
                          layout=w.Layout(width="auto"))
        self.status = w.HTML()
        self.status.add_class("cw-status")
        form = w.HBox([self.about, self.kind, self.text, self.name, button])
        form.add_class("cw-form")
        for widget, css in ((self.about, "cw-about-input"), (self.kind, "cw-kind-input"),
                            (self.text, "cw-text-input"), (self.name, "cw-name-input"),
                            (button, "cw-add-note")):
            widget.add_class(css)
        self.box = w.VBox([form, self.status])
        self.box.add_class("cw-form-box")
        #: the id of the chart the form is under
        self.chart = ""

    def open_under(self, chart_id: str, block: ChartBlock, blocks: Iterable[ChartBlock]) -> None:
        """Move the form under ``block`` (out of the other ``blocks``), about the whole chart, its bars
        offered in "about"."""
        for other in blocks:
            children = tuple(c for c in other.block.children if c is not self.box)
            if children != other.block.children:
                other.block.children = children
        self.about.options = [(t("dashboard.whole_chart", self.lang), "")] + [(label, key)
                                                                             for key, label in block.options]
        self.about.value = ""
        self.status.value = ""
        self.chart = chart_id
        block.block.children = (*block.block.children, self.box)

    def say(self, message: str, *, saved: bool) -> None:
        """What the form's status line says."""
        css = "cw-saved" if saved else "cw-message"
        self.status.value = f'<span class="{css}">{escape(message)}</span>'

    def clear(self, text: str) -> None:
        """Empty the text box once the note it holds (``text``) is stored."""
        if self.text.value.strip() == str(text).strip():
            self.text.value = ""
