"""What a note is about (coopwork.journal.about): the dashboards write the key, the export reads it back."""

from __future__ import annotations

from coopwork.export.content import note_headings
from coopwork.journal.about import OPTION_MARK, chart_options, note_chart, notes_of, option_of

BARS = {"data": [{"type": "bar", "orientation": "h", "y": ["Société<br>coopérative", "Association"],
                  "ids": ["scop", "asso"], "x": [3, 4]}], "layout": {}}


def test_a_note_about_a_bar_is_stored_by_the_bar_s_key_and_read_back():
    for key, _label in chart_options(BARS):
        chart = note_chart("org_type", key)
        assert chart == f"org_type{OPTION_MARK}{key}" and option_of({"chart": chart}) == key
    assert note_chart("org_type") == "org_type" and option_of({"chart": "org_type"}) == ""


def test_the_export_names_a_bar_as_the_dashboards_offer_it():
    chart = {"id": "org_type", "title": "Types", "figure": BARS}
    headings = note_headings({"views": {"": {"charts": [chart]}}})
    offered = dict(chart_options(BARS))
    assert offered == {"scop": "Société coopérative", "asso": "Association"}
    assert {headings[note_chart("org_type", key)] for key in offered} == {f"Types — {label}"
                                                                          for label in offered.values()}


def test_the_notes_of_a_chart_are_its_own_and_its_bars_not_a_chart_whose_id_starts_alike():
    grouped = {"org": [{"id": 5}], f"org{OPTION_MARK}scop": [{"id": 2}], "org_type": [{"id": 1}]}
    assert [n["id"] for n in notes_of(grouped, "org")] == [2, 5]
