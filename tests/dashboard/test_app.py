"""The dashboard widget in-process (no browser): filters, disclosure, notes, escaping, friendly errors."""

from __future__ import annotations

import sys

import pytest

from coopwork.dashboard.app import PLOTLY_MIME, Dashboard, dashboard, notes_html
from coopwork.dashboard.journal import Journal


@pytest.fixture
def board(precomputed_workspace):
    return Dashboard(precomputed_workspace, territory="t01", lang="fr")


def _figures(board) -> list[dict]:
    figures = []
    for tab in board.tabs.children:
        for block in tab.children[1:]:
            if hasattr(block, "children"):
                for output in block.children[0].outputs:
                    if PLOTLY_MIME in output.get("data", {}):
                        figures.append(output["data"][PLOTLY_MIME])
    return figures


def test_the_dashboard_is_light(board):
    # a dashboard kernel must not pay for pandas, plotly or pyxform: it reads the results JSON
    # (checked in a fresh interpreter because the test process has imported them already)
    import subprocess

    code = ("import sys\nfrom coopwork.dashboard.app import Dashboard\n"
            f"Dashboard({str(board.root)!r}, territory='t01')\n"
            "print(sorted(m for m in ('pandas', 'plotly', 'pyxform', 'networkx') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr


def test_first_tab_shows_figures_and_other_tabs_fill_when_opened(board):
    assert board.wave == "2025"
    assert "12 organisations" in board.summary.value
    first = _figures(board)
    assert first and all("data" in f and "layout" in f for f in first)
    assert board.tabs.children[1].children == ()  # not built yet: the first page shows fast
    board.tabs.selected_index = 1
    assert len(board.tabs.children[1].children) > 1


def test_org_type_filter_changes_figures_and_small_groups_show_lt3(board, precomputed_workspace):
    before = _figures(board)
    views = board.bundle["views"]
    large = next(k for k, v in views.items() if k and not v["suppressed"] and v["n"])
    board.org_picker.value = large
    assert f"{views[large]['n']} organisations" in board.summary.value
    assert _figures(board) != before
    small = next(k for k, v in views.items() if k and v["suppressed"])
    board.org_picker.value = small
    assert "&lt; 3" in board.summary.value and "Moins de 3" in board.summary.value
    assert _figures(board) == []


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


def test_adding_a_note_stores_it_and_shows_it_escaped(board, precomputed_workspace):
    block = board.tabs.children[0].children[1]
    _output, _title, notes_box, form, status = block.children
    kind, text, name, button = form.children
    kind.value = "do"
    text.value = "<b>Créer</b> un groupement d'employeurs"
    name.value = "Awa"
    button.click()
    assert text.value == ""  # cleared for the next note
    assert "Note enregistrée" in status.value
    assert "&lt;b&gt;Créer&lt;/b&gt;" in notes_box.value and "<b>Créer" not in notes_box.value
    chart_id = board._view()["charts"][0]["id"]
    stored = Journal(workspace=precomputed_workspace).notes(territory="t01", chart=chart_id)
    assert stored.iloc[-1]["kind"] == "do" and stored.iloc[-1]["display_name"] == "Awa"
    text.value = "   "
    button.click()
    assert "vide" in status.value


def test_a_page_that_adds_notes_too_fast_is_held_back(precomputed_workspace):
    from coopwork.dashboard.journal import MAX_NOTES_PER_MINUTE

    def form_of(page):
        block = page.tabs.children[0].children[1]
        return block.children[3].children, block.children[4]

    page = Dashboard(precomputed_workspace, territory="t01", lang="fr")
    (_kind, text, _name, button), status = form_of(page)
    for i in range(MAX_NOTES_PER_MINUTE):
        text.value = f"note rapide {i}"
        button.click()
        assert "Note enregistrée" in status.value
    text.value = "une de trop"
    button.click()
    assert "dans la dernière minute" in status.value and text.value == "une de trop"  # kept for later
    other = Dashboard(precomputed_workspace, territory="t01", lang="fr")  # another participant
    (_kind, text, _name, button), status = form_of(other)
    text.value = "autre page"
    button.click()
    assert "Note enregistrée" in status.value


def test_notes_written_elsewhere_appear_on_refresh(board, precomputed_workspace):
    chart_id = board._view()["charts"][0]["id"]
    journal = Journal(workspace=precomputed_workspace)
    journal.add(board.survey_id, territory="t01", wave="2025", chart=chart_id, kind="see",
                text="vu depuis un autre téléphone")
    board.refresh_notes()
    assert "vu depuis un autre téléphone" in board._blocks[chart_id]["notes"].value


def test_notes_html_escapes_every_field():
    html = notes_html([{"kind": "<x>", "text": "a & b", "display_name": "<i>x</i>"}], lang="fr")
    assert "a &amp; b" in html and "&lt;i&gt;x&lt;/i&gt;" in html and "<i>" not in html
    assert "Pas encore de note" in notes_html([], lang="fr")


def test_failures_become_a_friendly_message(tmp_path, capsys):
    widget = dashboard(tmp_path / "missing", territory="t01", lang="en")
    assert "could not be displayed" in widget.value and "Traceback" not in widget.value
    assert "Traceback" in capsys.readouterr().err  # the detail goes to the server log
