"""Writing the small workbooks the tests read (XLSForms, exports): one writer for every test package.

Examples
--------
>>> import tempfile, pathlib, openpyxl
>>> path = write_workbook(pathlib.Path(tempfile.mkdtemp()) / "f.xlsx",
...                       {"survey": [["type", "name"], ["text", "q"]], "choices": None})
>>> openpyxl.load_workbook(path).sheetnames
['survey']
"""

from __future__ import annotations

from pathlib import Path


def write_workbook(path: Path, sheets: dict[str, list[list[object]] | None]) -> Path:
    """Write a workbook of plain sheets (first row = header), in order; a sheet given ``None`` is left out."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        if rows is None:
            continue
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path
