"""The disclosure audit: how each published table was protected, and its re-verification.

Every protected table carries a ``rule`` column (:func:`coopwork.analysis.disclosure.protect`):
the rule that hid each suppressed cell. :func:`audit_tables` turns the tables of a result into
the machine-readable record that travels with every published output (results files, report
folders, exports)::

    {table name: {"min_count": 3,                 # thresholds of the rules
                  "dominance": 0.85,
                  "count_columns": ["n", ...],     # counts no shown cell may have in 1 .. min_count-1
                  "cells": 42, "suppressed": 5,
                  "rules": {"min_count": 3, "secondary": 2},
                  "suppressed_cells": [{"row": 4, "rule": "min_count", "keys": {"question": ..., ...}}]}}

:func:`verify_table` re-checks a published table against its record, from the published values
alone: no shown cell rests on 1 .. ``min_count - 1`` units, no suppressed cell shows a number,
every suppressed cell names a rule and reads as its rule says (``"< 3"`` only for a cell hidden
because it is small, :func:`coopwork.analysis.disclosure.hidden_label`), and the suppressed cells
are those of the record. It returns
:class:`Breach` es (file, table, cell, what is wrong) rather than raising. What the labels of hidden
cells mean — the legend a page, a report or a workbook prints under them — is
:func:`hidden_legend` (the disclosure control's own words), which the displays take from here.

Examples
--------
>>> table = {"columns": ["option", "n", "suppressed", "display", "rule"],
...          "dtypes": ["str", "Int64", "bool", "str", "str"],
...          "data": [["a", 12, False, "12", ""], ["b", None, True, "< 3", "min_count"]]}
>>> record = audit_table(table, min_count=3)
>>> record["rules"], record["suppressed_cells"][0]["keys"]
({'min_count': 1}, {'option': 'b'})
>>> verify_table("t.json", "summary", table, record)
[]
>>> table["data"][1][3] = "hidden"  # a small cell that does not say it is small
>>> [(b.cell, b.reason) for b in verify_table("t.json", "summary", table, record)]
[(1, 'label_not_rule')]
>>> table["data"][1] = ["b", 2, False, "2", ""]          # someone shows the hidden cell
>>> [(b.cell, b.column, b.reason) for b in verify_table("t.json", "summary", table, record)]
[(1, 'n', 'below_threshold'), (1, 'suppressed', 'shown_but_audited')]
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..analysis.disclosure import DOMINANCE, RULES, SMALL_RULES, hidden_legend

__all__ = ["AUDIT_FILE", "AUDIT_VERSION", "COUNT_COLUMNS", "Breach", "audit_table", "audit_tables",
           "hidden_legend", "publication", "verify_table", "verify_tables"]

#: changes whenever the shape of an audit changes
AUDIT_VERSION = 1
#: the name of the audit written beside published files (report folders)
AUDIT_FILE = "audit.json"
#: the columns that count the units (organisations, ties, respondents) behind a published cell
COUNT_COLUMNS = ("n", "respondents", "n_from", "n_to")
_NOT_KEYS = {"display", "rule", "suppressed"}
_DIGITS = re.compile(r"\d+")
#: the label of a cell hidden because it is small, in every language: "< 3" (a threshold after "<")
_SAYS_SMALL = re.compile(r"<\s*\d")


@dataclass(frozen=True)
class Breach:
    """A published cell that breaks the disclosure rules (``reason`` is a ``results.check_<reason>``
    catalogue key)."""

    file: str
    table: str
    cell: int | None
    column: str | None
    reason: str
    value: object = None


def _rows(table: dict) -> list[dict]:
    columns = table["columns"]
    return [dict(zip(columns, row, strict=True)) for row in table["data"]]


def _keys(table: dict) -> list[str]:
    """The text columns that say which cell a row is (first three), for people reading the audit."""
    return [c for c, d in zip(table["columns"], table["dtypes"], strict=True)
            if d == "str" and c not in _NOT_KEYS][:3]


def audit_table(table: dict, *, min_count: int) -> dict:
    """The audit record of one protected table (encoded as by :func:`coopwork.results.tables.encode`)."""
    keys = _keys(table)
    cells = []
    for index, row in enumerate(_rows(table)):
        if row.get("suppressed"):
            cells.append({"row": index, "rule": row.get("rule") or "min_count",
                          "keys": {k: row[k] for k in keys if row[k] is not None}})
    return {
        "min_count": int(min_count),
        "dominance": DOMINANCE,
        "count_columns": [c for c in COUNT_COLUMNS if c in table["columns"]],
        "cells": len(table["data"]),
        "suppressed": len(cells),
        "rules": dict(Counter(cell["rule"] for cell in cells)),
        "suppressed_cells": cells,
    }


def audit_tables(tables: dict[str, dict], *, min_count: int) -> dict[str, dict]:
    """The audit of every protected table of a result (tables without ``suppressed`` are not cells)."""
    return {name: audit_table(table, min_count=min_count)
            for name, table in tables.items() if "suppressed" in table["columns"]}


def _number(value: object) -> float | None:
    """A published number (text, booleans and empty cells are not)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if value != value else float(value)  # NaN: an empty cell


def verify_table(file: str, name: str, table: dict, record: dict | None) -> list[Breach]:
    """Every breach of the disclosure rules in one published table (see the module docstring).

    ``table`` has ``columns`` and ``data`` (``dtypes`` optional: without them, a column is a
    number column when one of its values is a number); ``record`` is its audit record.
    """
    if record is None:
        return [Breach(file, name, None, None, "no_audit")]
    k = int(record["min_count"])
    columns = table["columns"]
    dtypes = table.get("dtypes") or [
        "Float64" if any(_number(r[i]) is not None for r in table["data"]) else "str"
        for i in range(len(columns))]
    numeric = [c for c, d in zip(columns, dtypes, strict=True) if d in {"Int64", "Float64"}]
    counts = [c for c in COUNT_COLUMNS if c in columns]
    audited = {cell["row"]: cell for cell in record.get("suppressed_cells", [])}
    found: list[Breach] = []
    rows = _rows({"columns": columns, "data": table["data"]})
    if len(rows) != record.get("cells", len(rows)):
        found.append(Breach(file, name, None, None, "cells_differ", len(rows)))
    for index, row in enumerate(rows):
        hidden = row.get("suppressed")
        if isinstance(hidden, str):
            hidden = hidden.strip().lower() in {"true", "vrai", "1"}
        if not hidden:
            for column in counts:
                value = _number(row[column])
                if value is not None and 0 < value < k:
                    found.append(Breach(file, name, index, column, "below_threshold", row[column]))
            if index in audited:
                found.append(Breach(file, name, index, "suppressed", "shown_but_audited"))
            continue
        for column in numeric:
            if _number(row[column]) is not None:
                found.append(Breach(file, name, index, column, "value_published", row[column]))
        display = str(row.get("display") or "")
        if any(int(d) != k for d in _DIGITS.findall(display)):
            found.append(Breach(file, name, index, "display", "value_published", display))
        if index not in audited:
            found.append(Breach(file, name, index, "suppressed", "not_in_audit"))
        elif audited[index].get("rule") not in RULES:
            found.append(Breach(file, name, index, "rule", "unknown_rule", audited[index].get("rule")))
        elif "display" in row and bool(_SAYS_SMALL.search(display)) != (audited[index]["rule"]
                                                                        in SMALL_RULES):
            # "< 3" says the cell holds fewer than 3: true only of a cell hidden because it is small
            found.append(Breach(file, name, index, "display", "label_not_rule", display))
    for index in audited:
        if index >= len(rows):
            found.append(Breach(file, name, index, "suppressed", "not_in_table"))
    return found


def verify_tables(file: str, tables: dict[str, dict], audit: dict[str, dict] | None) -> list[Breach]:
    """Every breach in the protected tables of a published file (a table without record is one)."""
    audit = audit or {}
    return [breach for name, table in tables.items() if "suppressed" in table["columns"]
            for breach in verify_table(file, name, table, audit.get(name))]


def publication(results: dict, *, files: list[str], tables: dict[str, dict] | None = None) -> dict:
    """The audit written beside published files: what they show and how each table was protected.

    Parameters
    ----------
    results
        The result the files format (:mod:`coopwork.results`).
    files
        The published files it covers, relative to the audit file's folder.
    tables
        The tables as published (encoded), when they are not the result's own (an export's
        sheets); default: the result's tables.

    Returns
    -------
    dict
        ``{"audit_version", "survey_id", "territory", "wave", "lang", "min_count",
        "results_digest", "files", "tables", "audit"}``; ``tables`` holds the protected tables.
    """
    published = results["tables"] if tables is None else tables
    published = {name: table for name, table in published.items() if "suppressed" in table["columns"]}
    return {
        "audit_version": AUDIT_VERSION,
        "survey_id": results.get("survey_id"),
        "territory": results.get("territory"),
        "wave": results.get("wave"),
        "lang": results.get("lang"),
        "min_count": results["min_count"],
        "results_digest": results.get("digest"),
        "files": sorted(files),
        "tables": published,
        "audit": audit_tables(published, min_count=results["min_count"]),
    }
