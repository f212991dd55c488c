"""``coopwork check``: re-verify, from the published files alone, that no cell breaks the rules.

What is published, and what is read back (never the raw or processed data):

- the dashboards' results (``.coopwork/results/<survey>/<t>/<wave>.<lang>.k<k>.json``): their
  tables against the audit they carry;
- the reports' folders (``data/reports/<survey>/<t>/audit.json``): the tables the reports show;
  a folder of reports without an audit is a breach;
- the exports (``data/exports/<survey>/audit/<t>.json``): the tables, and every sheet of the
  workbooks they cover read back from the ``.xlsx``; a workbook without an audit is a breach;
  the organisations' names of the network files (GEXF, Gephi's nodes and edges CSV) and of the
  workbook's ``organisations`` sheet must be the names the audit says were published
  (``names``: ``#k`` for an organisation that did not consent) — a real name put in place of
  ``#34`` is a breach;
- the answers for statistics software (``data/exports/<survey>/data/<wave>/``, whole waves: not
  with ``territories``): read back, no column of a declared identifier and no text that holds
  a pseudonym, an e-mail address, a phone number or an IP address (:mod:`coopwork.contacts`).

Each table is checked by :func:`coopwork.results.audit.verify_table`. :func:`check_published`
returns a :class:`CheckResult`; the command prints one catalogue message per breach, naming the
file, the table and the cell, and exits 1 when there is one.

Examples
--------
>>> CheckResult().ok, CheckResult().as_dict()["breaches"]
(True, [])
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import networkx as nx
import pandas as pd
from openpyxl import load_workbook

from ..contacts import QUICK_PATTERN, find_contacts
from ..fileio import RESULTS_VERSION
from ..i18n import command_lang, t
from ..paths import ALL, AUDIT, DATA, WORKBOOKS, export_name, in_export, name_for, reports_dir, results_dir
from ..results.audit import AUDIT_FILE, Breach, verify_table, verify_tables
from ..workspace import open_workspace
from .workbook import README, sheet_title

__all__ = ["CheckResult", "check_published", "main"]


@dataclass
class CheckResult:
    """What :func:`check_published` read and the breaches it found."""

    files: list[str] = field(default_factory=list)
    tables: int = 0
    cells: int = 0
    suppressed: int = 0
    breaches: list[Breach] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaches

    def as_dict(self) -> dict:
        return {"files": list(self.files), "tables": self.tables, "cells": self.cells,
                "suppressed": self.suppressed, "breaches": [asdict(b) for b in self.breaches]}


def _read(path: Path, result: CheckResult) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        result.breaches.append(Breach(str(path), "", None, None, "unreadable"))
        return None
    return data if isinstance(data, dict) else None


def _count(result: CheckResult, file: Path, audit: dict) -> None:
    result.files.append(str(file))
    result.tables += len(audit)
    result.cells += sum(int(record.get("cells", 0)) for record in audit.values())
    result.suppressed += sum(int(record.get("suppressed", 0)) for record in audit.values())


def _check_tables(result: CheckResult, file: Path, data: dict) -> None:
    tables, audit = data.get("tables") or {}, data.get("audit") or {}
    min_count = data.get("min_count")
    for name, record in audit.items():
        if min_count is not None and int(record.get("min_count", 0)) < int(min_count):
            result.breaches.append(Breach(str(file), name, None, None, "threshold_lowered",
                                          record.get("min_count")))
    result.breaches += verify_tables(str(file), tables, audit)
    _count(result, file, audit)


def _sheet_rows(book, sheet: str) -> dict:
    rows = list(book[sheet].iter_rows(values_only=True))
    columns = [str(c) for c in rows[0]] if rows else []
    return {"columns": columns, "data": [list(r) for r in rows[1:]]}


def _check_workbook(result: CheckResult, path: Path, audit: dict, names: set[str] | None = None) -> None:
    try:
        book = load_workbook(path, read_only=True)
    except (OSError, ValueError, KeyError):
        result.breaches.append(Breach(str(path), "", None, None, "unreadable"))
        return
    try:
        taken: set[str] = {README}
        for name, record in audit.items():
            sheet = sheet_title(name, taken)
            taken.add(sheet)
            if sheet not in book.sheetnames:
                result.breaches.append(Breach(str(path), sheet, None, None, "missing_table"))
                continue
            result.breaches += verify_table(str(path), sheet, _sheet_rows(book, sheet), record)
        for sheet in book.sheetnames:  # a table of cells (it has "suppressed") needs its audit
            if sheet not in taken and "suppressed" in _sheet_rows(book, sheet)["columns"]:
                result.breaches.append(Breach(str(path), sheet, None, None, "no_audit"))
        if names is not None and ORGANISATIONS in book.sheetnames:
            rows = _sheet_rows(book, ORGANISATIONS)
            result.breaches += _unpublished_names(str(path), ORGANISATIONS, rows["columns"], rows["data"],
                                                  ("node", "label"), names)
    finally:
        book.close()
    result.files.append(str(path))


#: the workbook sheet that lists the organisations of the network
ORGANISATIONS = "organisations"
#: the columns of network files that hold an organisation's published name
_NAME_COLUMNS = {"_nodes.csv": ("Id", "Label"), "_edges.csv": ("Source", "Target")}


def _unpublished_names(file: str, table: str, columns: list[str], rows: list[list], name_columns: tuple,
                       names: set[str]) -> list[Breach]:
    """A breach for each cell of ``name_columns`` that holds a name the audit did not publish."""
    found = []
    for column in (c for c in name_columns if c in columns):
        k = columns.index(column)
        for row, values in enumerate(rows):
            value = values[k] if k < len(values) else None
            if value is not None and str(value) not in names:
                found.append(Breach(file, table, row, column, "name_not_published", value))
    return found


def _check_network_file(result: CheckResult, path: Path, names: set[str]) -> None:
    """The organisations named in a GEXF or a Gephi CSV file are those the audit published."""
    try:
        if path.suffix == ".gexf":
            graph = nx.read_gexf(path)
            rows = [[node, data.get("label", node)] for node, data in graph.nodes(data=True)]
            columns, name_columns = ["id", "label"], ("id", "label")
        else:
            frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
            columns, rows = list(frame.columns), frame.to_numpy().tolist()
            name_columns = next(v for k, v in _NAME_COLUMNS.items() if path.name.endswith(k))
    except (OSError, ValueError, StopIteration, KeyError) as exc:
        result.breaches.append(Breach(str(path), "", None, None, "unreadable", type(exc).__name__))
        return
    result.breaches += _unpublished_names(str(path), path.stem, columns, rows, name_columns, names)
    result.files.append(str(path))


def check_published(workspace: str | Path = ".", *, territories: list[str] | None = None) -> CheckResult:
    """Re-verify every published file of a workspace (or of some territories) against the rules.

    Parameters
    ----------
    workspace
        The workspace folder.
    territories
        Territory ids (default: every published file, the syntheses included).

    Returns
    -------
    CheckResult
    """
    ws = open_workspace(workspace)
    for territory in territories or []:
        ws.responses(territory=territory)  # an unknown territory: the message lists the others
    wanted = None if territories is None else {name_for(x) for x in territories}
    result = CheckResult()

    def chosen(folder_name: str) -> bool:
        return wanted is None or folder_name in wanted

    # the dashboards' bundles: every result file the dashboards may read
    root = results_dir(ws.root, ws.survey_id)
    for path in sorted(root.glob("*/*.json")) if root.is_dir() else []:
        if path.name.endswith(".by_org_type.json") or not chosen(path.parent.name):
            continue
        data = _read(path, result)
        if data is not None and data.get("version") == RESULTS_VERSION:
            _check_tables(result, path, data)

    # the reports: one audit per folder of reports
    folders = [reports_dir(ws.reports_dir, x) for x in territories] if territories else (
        [ws.reports_dir, *sorted(p for p in ws.reports_dir.iterdir() if p.is_dir())]
        if ws.reports_dir.is_dir() else [])
    for folder in folders:
        if folder.name.startswith("_") or not any(folder.glob("*.ipynb")):
            continue
        audit = folder / AUDIT_FILE
        if not audit.is_file():
            result.breaches.append(Breach(str(folder), "", None, None, "no_audit"))
            continue
        data = _read(audit, result)
        if data is not None:
            _check_tables(result, audit, data)

    # the exports: the audits, and the workbooks they cover read back
    site = ws.exports_dir
    covered: set[Path] = set()
    for audit in sorted(in_export(site, AUDIT).glob("*.json")):
        if wanted is not None and audit.stem not in {export_name(x) for x in territories or []}:
            continue
        data = _read(audit, result)
        if data is None:
            continue
        _check_tables(result, audit, data)
        names = None if data.get("names") is None else {str(n) for n in data["names"]}
        for name in data.get("files", []):
            path = (audit.parent / name).resolve()
            if path.suffix == ".xlsx" and path.is_file():
                covered.add(path)
                _check_workbook(result, path, data.get("audit") or {}, names)
            elif names is not None and path.is_file() and (
                    path.suffix == ".gexf" or path.name.endswith(tuple(_NAME_COLUMNS))):
                _check_network_file(result, path, names)
    for path in sorted(in_export(site, WORKBOOKS).glob("*.xlsx")):
        stem = ALL if path.stem == "synthesis" else path.stem
        if path.resolve() not in covered and chosen(stem):
            result.breaches.append(Breach(str(path), "", None, None, "no_audit"))

    # the answers for statistics software (a whole wave): no identifier column or value
    if wanted is None:
        identifiers = {q.name for q in ws.survey.identifiers}
        for audit in sorted(in_export(site, DATA).glob(f"*/{AUDIT_FILE}")):
            data = _read(audit, result)
            for name in (data or {}).get("files", []):
                path = audit.parent / name
                if path.suffix in {".sav", ".dta", ".csv"} and path.name != "codebook.csv":
                    result.breaches += _check_data(path, identifiers)
                    result.files.append(str(path))
    return result


def _check_data(path: Path, identifiers: set[str]) -> list[Breach]:
    """Identifier columns, or identifying texts (pseudonyms, e-mails, phones), in a data file."""
    if path.suffix == ".csv":
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    else:
        import pyreadstat  # lazy: only a data export's .sav/.dta needs it (~0.2 s at `coopwork check` start)

        reader = pyreadstat.read_sav if path.suffix == ".sav" else pyreadstat.read_dta
        frame, _ = reader(path)
    found = [Breach(str(path), path.stem, None, column, "identifier_published")
             for column in frame.columns if column in identifiers]
    for column in frame.columns:
        if frame[column].dtype != object and not pd.api.types.is_string_dtype(frame[column]):
            continue
        values = frame[column].astype("string")
        texts = pd.to_numeric(values, errors="coerce").isna()  # numbers (decimals) are not phones
        maybe = values.str.contains(QUICK_PATTERN, regex=True).fillna(False).astype(bool) & texts
        holds = {v: bool(find_contacts(v, pseudonyms=True)) for v in values[maybe].unique()}
        hits = values.map(holds).fillna(False).astype(bool).to_numpy()
        found += [Breach(str(path), path.stem, int(row), column, "identifier_published")
                  for row in hits.nonzero()[0][:10]]
    return found


def describe(breach: Breach, lang: str) -> str:
    """One sentence naming the file, the table and the cell, and what is wrong."""
    reason = t(f"export.check_{breach.reason}", lang, value=breach.value)
    if breach.cell is None:
        return t("export.check_breach_file", lang, file=breach.file, table=breach.table or "—", reason=reason)
    return t("export.check_breach", lang, file=breach.file, table=breach.table, cell=breach.cell + 1,
             column=breach.column or "—", reason=reason)


def main(args: argparse.Namespace) -> int:
    """Run ``coopwork check``: 0 when every published cell keeps the rules, 1 otherwise."""
    lang = command_lang(args)
    territories = None if getattr(args, "all", False) else (args.territory or None)
    result = check_published(args.workspace, territories=territories)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, default=str))
    else:
        for breach in result.breaches:
            print(describe(breach, lang), file=sys.stderr)
        key = "export.check_ok" if result.ok else "export.check_failed"
        key = "export.check_nothing" if result.ok and not result.files else key
        print(t(key, lang, files=len(result.files), tables=result.tables, cells=result.cells,
                suppressed=result.suppressed, breaches=len(result.breaches)))
    sys.stdout.flush()
    return 0 if result.ok else 1
