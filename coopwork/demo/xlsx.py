"""A minimal, fast, byte-stable ``.xlsx`` writer (SpreadsheetML with inline strings).

KoboToolbox writes its XLSX exports with a streaming writer; openpyxl is slow for the
~100 000 cells of a demo wave on a shared machine and stamps the save time into the file.
This writer produces the smallest valid workbook (content types, relationships, workbook,
one worksheet per sheet, a ``dimension`` so that streaming readers pad short rows) with
fixed zip times, so the same content always gives the same bytes — and the same sha256 in
the ingestion manifest.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape as xml_escape

__all__ = ["sheet_title", "xlsx_bytes"]

_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        "{sheets}</Types>"),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        "<sheets>{sheets}</sheets></workbook>"),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        "{sheets}</Relationships>"),
}


def _column_letter(k: int) -> str:
    letters = ""
    k += 1
    while k:
        k, rest = divmod(k - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_xml(rows: list[list[object]]) -> str:
    letters = [_column_letter(k) for k in range(max((len(r) for r in rows), default=0))]
    extent = f"A1:{letters[-1]}{len(rows)}" if letters and rows else "A1"
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
             'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="{extent}"/><sheetData>']
    for n, row in enumerate(rows, start=1):
        parts.append(f'<row r="{n}">')
        for letter, value in zip(letters, row, strict=False):
            if value is None or value == "":
                continue
            if hasattr(value, "item"):      # numpy scalars
                value = value.item()
            if isinstance(value, bool):
                value = int(value)
            if isinstance(value, int | float):
                parts.append(f'<c r="{letter}{n}"><v>{value!r}</v></c>')
            else:
                parts.append(f'<c r="{letter}{n}" t="inlineStr"><is><t xml:space="preserve">'
                             f"{xml_escape(str(value))}</t></is></c>")
        parts.append("</row>")
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


def sheet_title(name: str) -> str:
    """A valid worksheet title: without ``[ ] : * ? / \\`` and at most 31 characters (as Kobo does).

    Examples
    --------
    >>> sheet_title("Coopérations économiques territoriales — enquête")
    'Coopérations économiques territ'
    """
    return re.sub(r"[\[\]:*?/\\]", "", name)[:31] or "Sheet"


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    """An ``.xlsx`` workbook holding ``sheets`` (title → rows, first row = header), as bytes.

    Cells are numbers (int, float, bool, numpy scalars) or inline strings; ``None`` and ``""``
    leave the cell empty. Titles are cleaned with :func:`sheet_title`.

    Examples
    --------
    >>> import io
    >>> from openpyxl import load_workbook
    >>> data = xlsx_bytes({"main": [["name", "n"], ["Tiers-lieu <La Fabrique>", 3], ["x", None]]})
    >>> data == xlsx_bytes({"main": [["name", "n"], ["Tiers-lieu <La Fabrique>", 3], ["x", None]]})
    True
    >>> [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]
    [['name', 'n'], ['Tiers-lieu <La Fabrique>', 3], ['x', None]]
    """
    titles = [sheet_title(name) for name in sheets]
    if len(set(titles)) < len(titles):
        raise ValueError(f"sheet titles collide once cleaned: {titles}")
    rows_of = dict(zip(titles, sheets.values(), strict=True))
    names = titles
    fill = {
        "[Content_Types].xml": "".join(
            f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for k in range(1, len(names) + 1)),
        "_rels/.rels": "",
        "xl/workbook.xml": "".join(f'<sheet name="{xml_escape(name)}" sheetId="{k}" r:id="rId{k}"/>'
                                   for k, name in enumerate(names, start=1)),
        "xl/_rels/workbook.xml.rels": "".join(
            f'<Relationship Id="rId{k}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/worksheet" Target="worksheets/sheet{k}.xml"/>' for k in range(1, len(names) + 1)),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        def put(name: str, text: str) -> None:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))

        for part, template in _XLSX_PARTS.items():
            put(part, template.replace("{sheets}", fill[part]))
        for k, name in enumerate(names, start=1):
            put(f"xl/worksheets/sheet{k}.xml", _sheet_xml(rows_of[name]))
    return out.getvalue()
