"""The dashboard widget in-process (no browser): filters, disclosure, notes, escaping, friendly errors."""

from __future__ import annotations

import re
import sys

import pytest

from coopwork.dashboard.page import Dashboard, dashboard
from coopwork.dashboard.styles import notes_html
from coopwork.journal import Journal


@pytest.fixture
def board(precomputed_workspace):
    board = Dashboard(precomputed_workspace, territory="t01", lang="fr")
    yield board
    board.close()


@pytest.fixture
def figures(chart_payloads):
    """``figures(board)``: the figures of the board's built tabs, as its page draws them."""
    return lambda board: [payload["figure"] for payload in chart_payloads(board.tabs)]


def test_the_dashboard_is_light(board):
    # a dashboard kernel must not pay for pandas, plotly or pyxform: it reads the results JSON
    # (checked in a fresh interpreter because the test process has imported them already)
    import subprocess

    code = ("import sys\nfrom coopwork.dashboard.page import Dashboard\n"
            f"Dashboard({str(board.root)!r}, territory='t01')\n"
            "print(sorted(m for m in ('pandas', 'plotly', 'pyxform', 'networkx') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr


def test_a_tab_comes_whole_each_chart_with_its_phone_variant(board, chart_payloads):
    charts = [c for c in board._view()["charts"] if c["section"] == board._section_ids[0]]
    first_tab = board.tabs.children[0]
    assert len(first_tab.children) == len(charts) > 2  # the page draws those on its screen first
    payloads = chart_payloads(first_tab)
    bars = [p for p in payloads if any(tr.get("orientation") == "h" for tr in p["figure"]["data"])]
    assert bars, "no horizontal bar chart in the first tab"
    for payload in bars:
        # the phone variant carries only what it changes: smaller type, labels wrapped for its width
        phone = payload["phone"]
        assert phone["layout"] and "template" not in phone["layout"] and "x" not in phone["data"][0]
        assert payload["config"]["displaylogo"] is False


def test_first_tab_shows_figures_and_other_tabs_fill_when_opened(figures, board):
    assert board.wave == "2025"
    assert "12 organisations" in board.summary.value
    first = figures(board)
    assert first and all("data" in f and "layout" in f for f in first)
    assert board.tabs.children[1].children == ()  # not built yet: the first page shows fast
    board.tabs.selected_index = 1
    assert len(board.tabs.children[1].children) >= 1


def test_org_type_filter_changes_figures_and_small_groups_show_lt3(figures, board, precomputed_workspace):
    before = figures(board)
    views = board.bundle["views"]
    large = next(k for k, v in views.items() if k and not v["suppressed"] and v["n"])
    board.org_picker.value = large
    assert f"{views[large]['n']} organisations" in board.summary.value
    assert figures(board) != before
    small = next(k for k, v in views.items() if k and v["suppressed"])
    board.org_picker.value = small
    assert "&lt; 3" in board.summary.value and "Moins de 3" in board.summary.value
    assert figures(board) == []


def test_language_wave_and_section_switches(board):
    board.lang_picker.value = "en"
    assert "responding organisations" in board.summary.value
    assert board.org_picker.options[0][0] == "All types"
    board.wave_picker.value = "2024"
    assert "10 responding" in board.summary.value
    board.section_picker.value = "compare"
    assert len(board.tabs.children) == 1 and board.tabs.titles[0].startswith("How we compare")


def test_synthesis_has_a_territory_picker(precomputed_workspace):
    board = Dashboard(precomputed_workspace, lang="fr")
    assert board.territory is None and board.territory_picker.layout.display != "none"
    assert "Tous les territoires" in board.title.value
    board.territory_picker.value = "t02"
    assert board.territory == "t02" and "t02" in board.title.value


def _form(board, position: int = 0):
    """Open the note form under the chart at ``position`` of the first tab; its widgets."""
    block = board.tabs.children[0].children[position]
    _output, _title, notes_box, write = block.children
    write.click()
    form_box = block.children[-1]
    form, status = form_box.children
    about, kind, text, name, button = form.children
    return block, notes_box, about, kind, text, name, button, status


_sent = iter(range(1_000_000))


def _add(board, *, note_id: str | None = None) -> dict:
    """What the page's script does when "Add" is pressed (``static/page.js``): it reads the open form
    and sends the note, with an id of its own, through the page events; returns the note sent."""
    import json

    state = board.page_state()["state"]
    form = state["form"]
    about, kind, text, name, _button = board._form.box.children[0].children
    note = {"id": note_id or f"test-{next(_sent)}", "chart": form["chart"], "about": about.value or "",
            "kind": kind.value, "text": text.value, "name": name.value, "territory": state["territory"],
            "wave": state["wave"], "lang": state["lang"]}
    board.page_events.value = json.dumps({"notes": [note], "at": next(_sent)})
    return note


def test_adding_a_note_stores_it_and_shows_it_escaped(board, precomputed_workspace):
    _block, notes_box, about, kind, text, name, _button, status = _form(board)
    assert about.value == ""  # about the whole chart unless a bar is chosen
    kind.value = "do"
    text.value = "<b>Créer</b> un groupement d'employeurs"
    name.value = "Awa"
    _add(board)
    assert text.value == ""  # cleared for the next note
    assert "Note enregistrée" in status.value
    assert "&lt;b&gt;Créer&lt;/b&gt;" in notes_box.value and "<b>Créer" not in notes_box.value
    chart_id = board._view()["charts"][0]["id"]
    stored = Journal(workspace=precomputed_workspace).notes(territory="t01", chart=chart_id)
    assert stored.iloc[-1]["kind"] == "do" and stored.iloc[-1]["display_name"] == "Awa"
    text.value = "   "
    _add(board)
    assert "vide" in status.value


def test_one_note_form_moves_to_the_chart_it_is_written_for(board):
    first = _form(board, 0)[0]
    second = _form(board, 1)[0]
    assert len(first.children) == 4 and len(second.children) == 5  # the form left the first chart


def test_a_note_about_one_bar_marks_that_bar(board, precomputed_workspace, chart_payloads):
    charts = [c for c in board._view()["charts"] if c.get("figure") and c["section"] == board._section_ids[0]]
    position, chart = next((i, c) for i, c in enumerate(charts)
                           if any(tr.get("type") == "bar" for tr in c["figure"]["data"]))
    block, notes_box, about, _kind, text, _name, _button, _status = _form(board, position)
    options = [value for _label, value in about.options]
    labels = [label for label, _value in about.options]
    assert options[0] == "" and len(options) > 2
    about.value = options[2]
    text.value = "Celle-ci nous surprend"
    _add(board)
    stored = Journal(workspace=precomputed_workspace).notes(territory="t01")
    # stored by the bar's code (the same in every language), shown by its label
    bar = next(tr for tr in chart["figure"]["data"] if tr.get("type") == "bar")
    assert options[2] in bar["ids"] and stored.iloc[-1]["chart"] == f"{chart['id']}#{options[2]}"
    assert labels[2] in notes_box.value and "Celle-ci nous surprend" in notes_box.value
    figure = chart_payloads(block)[0]["figure"]
    marks = [a for a in figure["layout"]["annotations"] if a.get("name") == "cw-note-mark"]
    assert [m["text"] for m in marks] == ["✎ 1"] and " ".join(str(marks[0]["y"]).split("<br>")) == labels[2]


def test_a_note_about_a_bar_marks_it_in_every_language_and_old_label_notes_still_do(precomputed_workspace):
    from coopwork.dashboard.charts import marked_figure
    from coopwork.journal.about import chart_options

    pages = {lang: Dashboard(precomputed_workspace, territory="t01", lang=lang) for lang in ("fr", "en")}
    try:
        figures = {lang: next(c["figure"] for c in page._view()["charts"] if c.get("figure") and any(
            tr.get("type") == "bar" for tr in c["figure"]["data"])) for lang, page in pages.items()}
    finally:
        for page in pages.values():
            page.close()
    options = {lang: chart_options(figure) for lang, figure in figures.items()}
    assert [k for k, _ in options["fr"]] == [k for k, _ in options["en"]]  # the same keys in both languages
    (key, french), english = options["fr"][1], options["en"][1][1]
    assert french != english
    # by code: the bar in every language; by label (stored so before codes): the bar of that label
    for note, lang, label in (({"chart": f"c#{key}"}, "en", english), ({"chart": f"c#{key}"}, "fr", french),
                              ({"chart": f"c#{french}"}, "fr", french)):
        marks = [a for a in marked_figure(figures[lang], [note])["layout"]["annotations"]
                 if a.get("name") == "cw-note-mark"]
        assert len(marks) == 1 and " ".join(str(marks[0]["y"]).split("<br>")) == label
    note = {"kind": "see", "text": "x", "chart": f"c#{key}"}
    assert f"✎ {english}" in notes_html([note], lang="en", options=options["en"])


def test_a_page_that_adds_notes_too_fast_is_held_back(precomputed_workspace):
    from coopwork.journal import MAX_NOTES_PER_MINUTE

    page = Dashboard(precomputed_workspace, territory="t01", lang="fr")
    other = Dashboard(precomputed_workspace, territory="t01", lang="fr")  # another participant
    try:
        *_, text, _name, _button, status = _form(page, 1)
        for i in range(MAX_NOTES_PER_MINUTE):
            text.value = f"note rapide {i}"
            _add(page)
            assert "Note enregistrée" in status.value
        text.value = "une de trop"
        _add(page)
        assert "dans la dernière minute" in status.value and text.value == "une de trop"  # kept for later
        *_, text, _name, _button, status = _form(other, 1)
        text.value = "autre page"
        _add(other)
        assert "Note enregistrée" in status.value
    finally:
        page.close()
        other.close()


def test_notes_written_or_hidden_elsewhere_appear_without_a_click(board, precomputed_workspace):
    import time

    from coopwork.dashboard.notes import NOTES_POLL_SECONDS

    chart_id = board._view()["charts"][0]["id"]
    journal = Journal(workspace=precomputed_workspace)
    note = journal.add(board.survey_id, territory="t01", wave="2025", chart=chart_id, kind="see",
                       text="vu depuis un autre téléphone")
    deadline = time.monotonic() + 4 * NOTES_POLL_SECONDS + 10
    while "vu depuis un autre" not in board._blocks[chart_id].notes.value and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "vu depuis un autre téléphone" in board._blocks[chart_id].notes.value  # the page's poller
    journal.hide(note)
    board.refresh_notes()
    assert "vu depuis un autre téléphone" not in board._blocks[chart_id].notes.value


def test_notes_html_escapes_every_field():
    html = notes_html([{"kind": "<x>", "text": "a & b", "display_name": "<i>x</i>"}], lang="fr")
    assert "a &amp; b" in html and "&lt;i&gt;x&lt;/i&gt;" in html and "<i>" not in html
    assert "Pas encore de note" in notes_html([], lang="fr")


def test_failures_become_a_friendly_message(tmp_path, capsys):
    widget = dashboard(tmp_path / "missing", territory="t01", lang="en")
    assert "could not be displayed" in widget.value and "Traceback" not in widget.value
    assert "Traceback" in capsys.readouterr().err  # the detail goes to the server log


def test_a_histogram_s_bins_can_carry_notes_in_every_language(precomputed_workspace):
    from coopwork.dashboard.charts import marked_figure
    from coopwork.journal.about import chart_options

    def histograms(lang: str) -> list[dict]:
        page = Dashboard(precomputed_workspace, territory="t01", lang=lang)
        try:
            return [c for c in page._view()["charts"] if c.get("figure") and any(
                tr.get("type") == "bar" and tr.get("width") for tr in c["figure"]["data"])]
        finally:
            page.close()

    french, english = histograms("fr"), histograms("en")
    assert french, "no histogram in the dashboard"
    options = chart_options(french[0]["figure"])
    # a bin is named by its range ("10–14", "7" for a bin of one number, "> 64" for the outliers' bar),
    # the same key in every language
    bin_key = re.compile(r"[<>] -?[\d.]+|-?[\d.e+]+(–-?[\d.e+]+)?")
    assert options and all(bin_key.fullmatch(label) for _key, label in options)
    assert options == chart_options(english[0]["figure"])
    key = options[1][0]
    marked = marked_figure(french[0]["figure"], [{"chart": f"{french[0]['id']}#{key}"}])
    marks = [a for a in marked["layout"]["annotations"] if a.get("name") == "cw-note-mark"]
    bar = next(tr for tr in french[0]["figure"]["data"] if tr.get("ids"))
    assert [(m["text"], m["x"]) for m in marks] == [("✎ 1", bar["x"][1])]


def test_a_note_sent_again_is_stored_once_and_said_stored(precomputed_workspace):
    """A page sends a note again until its kernel says it is stored; after a reload, to a new kernel."""
    page = Dashboard(precomputed_workspace, territory="t01", lang="fr")
    again = Dashboard(precomputed_workspace, territory="t01", lang="fr")  # the same page, reloaded
    try:
        *_, text, _name, _button, status = _form(page, 1)
        text.value = "Envoyée deux fois, gardée une fois"
        note = _add(page, note_id="twice-1")
        _add(page, note_id="twice-1")
        assert page.page_state()["acks"] == {"twice-1": "stored"} and "Note enregistrée" in status.value
        again.store_notes([note])
        assert again.page_state()["acks"] == {"twice-1": "stored"}
        stored = Journal(workspace=precomputed_workspace).records(territory="t01")
        assert [n["text"] for n in stored].count("Envoyée deux fois, gardée une fois") == 1
        text.value = "   "
        _add(page, note_id="empty-1")  # refused: the page hears why (and gives the text back)
        assert "vide" in page.page_state()["acks"]["empty-1"] and "vide" in status.value
    finally:
        page.close()
        again.close()


def test_a_reloaded_page_comes_back_to_where_its_participant_was(precomputed_workspace):
    import json

    before = Dashboard(precomputed_workspace, territory="t01", lang="fr")
    after = Dashboard(precomputed_workspace, territory="t01", lang="fr")  # the new kernel after a reload
    try:
        before.lang_picker.value = "en"
        before.wave_picker.value = "2024"
        before.tabs.selected_index = 1
        block = before.tabs.children[1].children[0]
        block.children[3].click()  # "Write a note" under the first chart of that tab
        place = before.page_state()["state"]
        assert place["lang"] == "en" and place["wave"] == "2024" and place["tab"] == 1 and place["form"]
        after.page_events.value = json.dumps({"restore": place})
        assert after.page_state()["state"] == place
        write = after.tabs.children[1].children[0].children[3]
        assert after.lang == "en" and "Write a note" in write.description
        assert after._form.box in after._blocks[place["form"]["chart"]].block.children
        after.page_events.value = json.dumps({"restore": {"lang": "xx", "wave": "1999", "tab": 99}})
        assert after.page_state()["state"] == place  # what it does not offer is left as it is
    finally:
        before.close()
        after.close()
