"""No identifier and no cell under min_count in any exported file (every file of the export is scanned)."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.browser

COUNT_COLUMNS = ("n", "base", "respondents")


def test_no_identifier_name_or_free_text_in_any_exported_file(exported, planted, scan):
    _, result = exported
    suffixes = {p.suffix for p in result.site.rglob("*") if p.is_file()}
    assert suffixes >= {".html", ".xlsx", ".csv", ".gexf", ".md", ".pdf"}
    forbidden = [
        *scan.identifiers,
        re.escape(planted["participant"]),
        # organisations that refused to be named (1st, 4th, … of each territory), partners never asked,
        # and everyone of the territory with two respondents
        r"Organisation (?:Alpha|Beta) (?:1|4|7|10)\b",
        r"Mairie de",
        r"Organisation Tiny",
        # free-text answers are never exported
        r"texte libre",
        r"evil\.example\",\"x\"",
    ]
    assert scan(result.site, forbidden) == []


def test_no_count_under_min_count_in_any_workbook(exported):
    _, result = exported
    min_count = 3
    checked = 0
    for path in sorted(result.site.rglob("*.xlsx")):
        book = load_workbook(path, read_only=True)
        for sheet in book.worksheets[1:]:
            rows = list(sheet.iter_rows(values_only=True))
            if not rows:
                continue
            header = list(rows[0])
            for column in (c for c in COUNT_COLUMNS if c in header):
                index = header.index(column)
                for row in rows[1:]:
                    value = row[index]
                    checked += 1
                    assert value is None or value == 0 or value >= min_count, (
                        path.name,
                        sheet.title,
                        column,
                        row,
                    )
                    if "suppressed" in header and row[header.index("suppressed")]:
                        assert value is None, (path.name, sheet.title, row)
    assert checked > 500


def test_no_count_under_min_count_in_html_tables(exported):
    """Display texts of counts read ``< 3``, ``0 …`` or at least 3 (``12 (34 %)``)."""
    _, result = exported
    cell = re.compile(r'<td class="num(?: hidden)?">([^<]*)</td>')
    for path in [*sorted((result.site / "territories").glob("*.html")), result.index]:
        html = path.read_text(encoding="utf-8")
        for text in cell.findall(html):
            match = re.fullmatch(r"(\d+) \((?:\d+(?:,\d+)?)\u202f?%\)", text.strip())
            if match:  # "n (p %)" count cells
                assert int(match.group(1)) == 0 or int(match.group(1)) >= 3, (path.name, text)


def test_hidden_journal_notes_and_participant_names_are_not_exported(exported, planted):
    _, result = exported
    notes = (result.site / "notes" / "alpha.md").read_text(encoding="utf-8")
    assert "Beaucoup d'associations" in notes and "\\[…\\]" in notes  # masked, Markdown-escaped
    assert planted["email"] not in notes and planted["participant"] not in notes
    assert "note masquée" not in notes
    csv_text = (result.site / "notes" / "alpha.csv").read_text(encoding="utf-8-sig")
    assert "display_name" not in csv_text
    assert "'=HYPERLINK" in csv_text  # neutralised
