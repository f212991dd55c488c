"""The workshop dashboard page: what a page shows (the territory's results) and does (the journal's notes).

One :class:`Dashboard` per page view (one Voilà kernel). It is deliberately light: it imports
neither pandas nor plotly nor pyxform — every number was computed and protected beforehand by
:mod:`coopwork.results` — so that a kernel starts and renders in well under a second and 30 of
them fit in memory. Filters (territory, wave, language, organisation type, theme) only swap
precomputed figures. Under every chart, participants read the notes of the journal of
interpretations and add their own; everything they write is escaped.

The page is made of the widgets of :mod:`coopwork.dashboard.widgets`, which look as
:mod:`coopwork.dashboard.styles` says; a chart travels to the page as :mod:`coopwork.dashboard.charts`
writes it, and the page's own script (``static/page.js``) draws it.

Examples
--------
A page that cannot be shown says so in the visitor's language (the detail goes to the server's log):

>>> widget = dashboard("/nowhere", territory="t01", lang="en")
>>> "could not be displayed" in widget.value, "Traceback" in widget.value
(True, False)
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import ipywidgets as w
from IPython.display import display

from .. import waves
from ..errors import DashboardError
from ..fileio import load_with_breakdown, read_index
from ..i18n import normalise_lang, t
from ..journal.about import notes_of
from ..paths import ALL, results_file
from ..threshold import DEFAULT_MIN_COUNT, check_min_count
from .notes import PageNotes, log_exception
from .styles import CSS, friendly_error, message_html, title_html
from .widgets import ChartBlock, NoteForm, PageWidgets, css_id

__all__ = ["MAX_NOTES_AT_ONCE", "Dashboard", "dashboard"]

#: notes a page may send in one message (those kept in the browser while its kernel was gone)
MAX_NOTES_AT_ONCE = 20


class Dashboard(PageWidgets):
    """The dashboard of one territory (or of all territories when ``territory`` is ``None``).

    Parameters
    ----------
    workspace
        The workspace folder.
    territory
        Territory id; ``None`` shows the synthesis with a territory picker.
    wave
        Wave id (default: the territory's current wave, :func:`coopwork.waves.current`).
    lang
        The page's language; visitors can switch.
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
        self.root = Path(workspace).expanduser().resolve()
        self.min_count = check_min_count(min_count)
        self.index = self._ensure_index(territory=territory, wave=wave)
        self.survey_id = self.index["survey_id"]
        self.lang = normalise_lang(lang)
        self.territory = territory if territory not in ("", ALL) else None
        self.fixed = (territory is not None) if fixed is None else fixed
        current = self.index.get("current", {}).get(self.territory or "")
        self.wave = wave or current or waves.current(self.index["waves"])
        self.notes = PageNotes(self.root, database=database, survey_id=self.survey_id)
        self._form: NoteForm | None = None
        self._lock = threading.RLock()
        self._built: set[int] = set()
        self._busy = False
        self._blocks: dict[str, ChartBlock] = {}
        self.bundle: dict = {}
        offered = list(dict.fromkeys([*(self.index.get("dashboard_langs") or ("fr", "en")), self.lang]))
        super().__init__(waves=self.index["waves"], wave=self.wave, langs=offered, lang=self.lang,
                         fixed=self.fixed)
        self._load()
        for picker in (self.territory_picker, self.wave_picker, self.lang_picker):
            picker.observe(self._on_change, names="value")
        self.org_picker.observe(self._on_filter, names="value")
        self.section_picker.observe(self._on_filter, names="value")
        self.tabs.observe(self._on_tab, names="selected_index")
        self.page_events.observe(self._on_page_event, names="value")
        self.notes.watch(self.refresh_notes, self._lock)

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
        from ..results.inputs import Inputs  # lazy: pandas, 0.7–2.6 s more for a kernel that reads results
        from ..results.store import ensure, write_index  # lazy: +15–30 ms to every dashboard kernel
        from ..workspace import open_workspace  # lazy: +30–70 ms to every dashboard kernel

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
            raise DashboardError("dashboard.not_precomputed", lang=self.lang)
        return bundle

    # -- building ----------------------------------------------------------------------------
    def _load(self) -> None:
        """(Re)load the bundle for the current territory/wave/language and rebuild the page."""
        lang = self.lang
        self.bundle = self._get_bundle()
        labels = self.index["territories"].get(lang) or next(iter(self.index["territories"].values()), {})
        available = self.index.get("available", {}).get(self.wave, list(labels))
        with self._quiet():
            self.show_filters(lang, territory=self.territory or ALL,
                              everyone=t("dashboard.all_territories", lang) if labels
                              else self.bundle["territory_label"],
                              territories=[(labels.get(tid, tid), tid) for tid in available],
                              org_types=self.bundle["org_types"])
            self.show_sections(lang, self._sections())  # those of all types' view
        # a cooperation survey has its dashboard's title; any other form is named by its own title
        cooperation = self.bundle.get("cooperation", True)
        heading = t("dashboard.title", lang) if cooperation else self.bundle["survey_title"]
        self.title.value = title_html(heading, self.bundle["territory_label"], str(self.wave), lang)
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
        lang = self.lang
        view = self._view()
        if view.get("suppressed"):
            text = t("dashboard.suppressed_group", lang, k=self.bundle["min_count"])
            self.summary.value = message_html(text, "cw-message", "cw-suppressed")
        elif not view.get("n"):
            self.summary.value = message_html(t("dashboard.no_data", lang), "cw-message")
        else:
            unit = self.bundle.get("unit", "organisations")
            key = "dashboard.respondents" if unit == "organisations" else "dashboard.respondents_responses"
            self.summary.value = message_html(t(key, lang, n=view["n"]), "cw-sub")
        chosen = self.section_picker.value
        sections = [s for s in self._sections() if not chosen or s["id"] == chosen]
        self._section_ids = [s["id"] for s in sections]
        self._built = set()
        self._blocks = {}
        self._form = None  # a new form in the new language
        with self._quiet():
            self.show_tabs([s["label"] for s in sections])
        if sections:
            self._build_tab(0)
        self._publish()

    def _build_tab(self, position: int) -> None:
        """Fill one tab (tabs are filled when first opened: the first page shows fast)."""
        if position in self._built or position >= len(self._section_ids):
            return
        self._built.add(position)
        section = self._section_ids[position]
        charts = [c for c in self._view().get("charts", []) if c["section"] == section]
        notes = self.notes.by_chart(territory=self.territory, wave=self.wave)
        # every chart of the tab at once: the page draws those on its screen first (static/page.js)
        blocks = [self._chart_block(chart, notes) for chart in charts]
        self.fill_tab(position, blocks, empty=t("dashboard.no_chart", self.lang))

    def _chart_block(self, chart: dict, notes: dict[str, list[dict]]) -> ChartBlock:
        """A chart with its notes, whose "Write a note" opens the note form under it."""
        block = ChartBlock(chart, notes_of(notes, chart["id"]), lang=self.lang)
        self._blocks[chart["id"]] = block
        block.write.on_click(lambda _b: self._safe(lambda: self._open_form(chart["id"])))
        return block

    # -- notes -------------------------------------------------------------------------------
    def _open_form(self, chart_id: str) -> NoteForm | None:
        """Show the note form under one chart, its bars and options offered in "about"."""
        block = self._blocks.get(chart_id)
        if block is None:
            return None
        if self._form is None:
            self._form = NoteForm(self.lang)
        self._form.open_under(chart_id, block, self._blocks.values())
        self._publish()
        return self._form

    def on_bar_click(self, css: str, key: str) -> None:
        """Open the note form under the chart whose bar was clicked, about that bar."""
        chart_id = next((cid for cid in self._blocks if css_id(cid) == css), None)
        if chart_id is None or key not in dict(self._blocks[chart_id].options):
            return
        self._open_form(chart_id).about.value = key
        self._publish()

    def store_notes(self, notes: list) -> None:
        """Store the notes a page sent (each with the ``id`` the page gave it) and say which are stored.

        The page's script keeps a note in the browser until this kernel says it is stored, so that a
        note written while the kernel is gone (a phone that slept, a server restart) is stored once the
        page has recovered. A note already stored under its id (sent again by a page that did not hear
        back) is not stored twice. The answer is in :meth:`page_state` (``acks``); the form's status
        says it too.
        """
        for note in notes[:MAX_NOTES_AT_ONCE]:
            if not isinstance(note, dict) or not isinstance(note.get("id"), str):
                continue
            if note["id"] in self.notes.acks:  # already answered: the page did not hear it yet
                continue
            lang = normalise_lang(note.get("lang") or self.lang)
            try:
                self.notes.store(note, index=self.index, lang=lang, wave=str(self.wave))
            except Exception as err:  # the visitor sees a sentence, the log gets the detail
                if not isinstance(err, DashboardError):
                    log_exception()
                message = (err.render_message(lang) if isinstance(err, DashboardError)
                           else t("dashboard.note_failed", lang))
                if not (isinstance(err, DashboardError) and err.code == "dashboard.note_rate_limited"):
                    self.notes.answer(note["id"], message)  # rate limited: the page sends it again later
                self._say(message, saved=False)
                continue
            self.notes.answer(note["id"], "stored")
            if self._form is not None:
                self._form.clear(str(note.get("text", "")))
            self._say(t("dashboard.note_saved", lang), saved=True)
        self._publish()
        self._safe(self.refresh_notes)

    def _say(self, message: str, *, saved: bool) -> None:
        if self._form is not None:
            self._form.say(message, saved=saved)

    def refresh_notes(self) -> None:
        """Show the notes everyone wrote (and stop showing the hidden ones) under every built chart;
        a chart whose notes about its bars changed is redrawn with its marks."""
        notes = self.notes.by_chart(territory=self.territory, wave=self.wave)
        for chart_id, block in list(self._blocks.items()):
            block.show_notes(notes_of(notes, chart_id))

    def close(self) -> None:
        """Stop reading the journal (the page is gone)."""
        self.notes.close()

    # -- what the browser keeps ----------------------------------------------------------------
    def page_state(self) -> dict:
        """What the page's script keeps in the browser: where the participant is (to come back to it after
        a reload), the notes this kernel acknowledged, and the page's texts in its language."""
        form = None
        if self._form is not None and self._form.chart in self._blocks:
            keys = ["", *(key for key, _label in self._blocks[self._form.chart].options)]
            form = {"chart": self._form.chart, "css": css_id(self._form.chart),
                    "about": self._form.about.value or "", "keys": keys}
        return {"state": {"territory": self.territory or ALL, "wave": str(self.wave), "lang": self.lang,
                          "org": self.org_picker.value or "", "section": self.section_picker.value or "",
                          "tab": self.tabs.selected_index or 0, "form": form},
                "acks": dict(self.notes.acks),
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
        lang, wave, territory = state.get("lang"), state.get("wave"), state.get("territory")
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
            opened = self._open_form(form["chart"])
            if form.get("about") in dict(self._blocks[form["chart"]].options):
                opened.about.value = form["about"]
        self._publish()

    # -- events --------------------------------------------------------------------------------
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

    def _on_change(self, _change) -> None:
        """A territory, a wave or a language chosen: another bundle."""
        if self._busy:
            return

        def reload() -> None:
            territory = self.territory_picker.value
            self.territory = None if territory in (None, ALL) else territory
            self.wave = self.wave_picker.value
            self.lang = self.lang_picker.value
            self._load()

        self._safe(reload)

    def _on_filter(self, _change) -> None:
        """An organisation type or a section chosen: other charts of the same bundle."""
        if not self._busy:
            self._safe(self._rebuild)

    def _on_tab(self, change) -> None:
        if not self._busy and change["new"] is not None:
            self._safe(lambda: (self._build_tab(change["new"]), self._publish()))

    def _safe(self, action) -> None:
        try:
            with self._lock:  # the background thread changes the page too
                action()
        except Exception:
            log_exception()
            self.summary.value = friendly_error(self.lang)

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Change several pickers at once without firing the handlers."""
        self._busy = True
        try:
            yield
        finally:
            self._busy = False

    def _ipython_display_(self) -> None:
        display(self.widget)


def dashboard(workspace: str | Path = ".", *, territory: str | None = None, wave: str | None = None,
              lang: str = "fr", min_count: int = DEFAULT_MIN_COUNT, database: str | None = None):
    """Build the dashboard widget; on any failure return a friendly message (details in the server log).

    This is what ``notebooks/dashboard.ipynb`` (and the notebooks ``coopwork serve`` writes) calls with
    its parameters.
    """
    try:
        board = Dashboard(workspace, territory=territory or None, wave=wave or None, lang=lang,
                          min_count=min_count, database=database)
        return board.widget
    except Exception:
        log_exception()
        return w.HTML(CSS + f'<div class="cw-dashboard">{friendly_error(lang)}</div>')
