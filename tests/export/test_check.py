"""``coopwork check``: every published file re-verified from what it shows, and tampering caught."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from openpyxl import load_workbook

from coopwork.cli import main
from coopwork.export.check import check_published
from coopwork.results.audit import AUDIT_FILE


@pytest.fixture
def published(tmp_path, exported):
    """A private copy of the exported workspace (tests tamper with it)."""
    root, _ = exported
    target = tmp_path / "ws"
    shutil.copytree(root, target)
    return target


def _suppressed_row(table: dict) -> int:
    column = table["columns"].index("suppressed")
    return next(i for i, row in enumerate(table["data"]) if row[column])


def test_every_output_of_the_export_keeps_the_rules(exported, disclosure_kept):
    root, result = exported
    disclosure_kept(root)
    checked = check_published(root)
    audits = sorted(p.name for p in (result.site / "audit").glob("*.json"))
    assert audits == ["_all.json", "alpha.json", "beta.json", "tiny.json"]
    # results files (dashboards), export audits and the workbooks they cover are all read
    assert any(".coopwork/results" in f for f in checked.files)
    assert sum(f.endswith(".xlsx") for f in checked.files) == 4
    assert checked.suppressed > 0
    audit = json.loads((result.site / "audit" / "alpha.json").read_text(encoding="utf-8"))
    assert "workbooks/alpha.xlsx" in [f.replace("../", "") for f in audit["files"]]
    record = audit["audit"]["summaries"]
    assert record["min_count"] == 3 and record["dominance"] == 0.85
    assert set(record["rules"]) <= {"min_count", "small_group", "dominance", "secondary"}
    assert record["suppressed"] == len(record["suppressed_cells"]) > 0


def test_a_hidden_cell_shown_in_a_workbook_fails_the_check(published, capsys):
    book_path = published / "data" / "exports" / "cooperation_territoriale" / "workbooks" / "alpha.xlsx"
    book = load_workbook(book_path)
    sheet = book["summaries"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("suppressed")].value)
    row[header.index("n")].value = 2
    row[header.index("display")].value = "2"
    book.save(book_path)

    code = main(["check", "--workspace", str(published), "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 1
    assert "alpha.xlsx" in err and 'table "summaries"' in err
    cell = row[0].row - 1  # the table's row number (header excluded)
    assert f"row {cell}, column n: a hidden cell publishes its value (2)" in err
    # only this territory's files are wrong
    assert main(["check", "--workspace", str(published), "--territory", "beta"]) == 0


def test_a_small_count_shown_in_a_dashboard_result_fails_the_check(published):
    results = sorted((published / ".coopwork" / "results").rglob("alpha/*.json"))[0]
    data = json.loads(results.read_text(encoding="utf-8"))
    table = data["tables"]["summaries"]
    columns = table["columns"]
    index = _suppressed_row(table)
    row = table["data"][index]
    row[columns.index("suppressed")] = False
    row[columns.index("n")] = 1
    results.write_text(json.dumps(data), encoding="utf-8")
    breaches = check_published(published, territories=["alpha"]).breaches
    reasons = {(b.file, b.table, b.cell, b.reason) for b in breaches}
    assert (str(results), "summaries", index, "below_threshold") in reasons
    assert (str(results), "summaries", index, "shown_but_audited") in reasons


def test_an_audit_that_forgets_a_hidden_cell_fails_the_check(published):
    audit = published / "data" / "exports" / "cooperation_territoriale" / "audit" / "beta.json"
    data = json.loads(audit.read_text(encoding="utf-8"))
    data["audit"]["summaries"]["suppressed_cells"].pop(0)
    audit.write_text(json.dumps(data), encoding="utf-8")
    reasons = {b.reason for b in check_published(published, territories=["beta"]).breaches}
    assert "not_in_audit" in reasons


def test_a_workbook_without_its_audit_fails_the_check(published, capsys):
    (published / "data" / "exports" / "cooperation_territoriale" / "audit" / "tiny.json").unlink()
    assert main(["check", "--workspace", str(published), "--all", "--lang", "en"]) == 1
    assert "tiny.xlsx" in capsys.readouterr().err


def test_report_folders_carry_their_audit(published):
    """A folder of reports (notebooks) without ``audit.json`` is a breach; with it, it is checked."""
    reports = published / "data" / "reports" / "cooperation_territoriale" / "alpha"
    (reports / "territory_report.ipynb").write_text("{}", encoding="utf-8")
    assert {b.reason for b in check_published(published, territories=["alpha"]).breaches} == {"no_audit"}
    results = json.loads(sorted((published / ".coopwork" / "results").rglob("alpha/*.json"))[-1]
                         .read_text(encoding="utf-8"))
    from coopwork.results.audit import publication

    (reports / AUDIT_FILE).write_text(json.dumps(publication(results, files=["territory_report.html"])),
                                      encoding="utf-8")
    assert check_published(published, territories=["alpha"]).ok


def test_check_names_an_unknown_territory_and_says_when_nothing_is_published(workspace, capsys):
    assert main(["check", "--workspace", str(workspace), "--territory", "omega"]) == 2
    err = capsys.readouterr().err
    assert "omega" in err and "alpha" in err
    assert main(["check", "--workspace", str(workspace), "--lang", "en"]) == 0
    assert "Nothing published" in capsys.readouterr().out


def _first_hidden(names: list[str]) -> str:
    return next(name for name in names if name.startswith("#"))


@pytest.mark.parametrize("where", ["nodes", "edges", "gexf", "workbook"])
def test_a_real_name_put_in_place_of_an_anonymous_organisation_fails_the_check(published, where, capsys):
    """Issue 27, item 9: '#34' replaced by the name of an organisation that did not consent."""
    import pandas as pd

    site = published / "data" / "exports" / "cooperation_territoriale"
    audit = json.loads((site / "audit" / "alpha.json").read_text(encoding="utf-8"))
    hidden = _first_hidden(audit["names"])
    real = "Organisation Alpha 1"  # refused to be named (see conftest): never in the published names
    assert real not in audit["names"]
    assert check_published(published).ok
    if where in ("nodes", "edges"):
        path = site / "network" / f"alpha_{where}.csv"
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        column = "Label" if where == "nodes" else next(c for c in ("Source", "Target")
                                                       if (frame[c] == hidden).any())
        frame.loc[frame.index[frame[column] == hidden][0], column] = real
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    elif where == "gexf":
        path = site / "network" / "alpha.gexf"
        text = path.read_text(encoding="utf-8")
        assert f'label="{hidden}"' in text
        path.write_text(text.replace(f'label="{hidden}"', f'label="{real}"', 1), encoding="utf-8")
    else:
        path = site / "workbooks" / "alpha.xlsx"
        book = load_workbook(path)
        sheet = book["organisations"]
        header = [c.value for c in sheet[1]]
        cell = next(r[header.index("label")] for r in sheet.iter_rows(min_row=2)
                    if r[header.index("label")].value == hidden)
        cell.value = real
        book.save(path)
    code = main(["check", "--workspace", str(published), "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 1
    assert path.name in err and f"an organisation name that was not published ({real})" in err
    assert main(["check", "--workspace", str(published), "--territory", "beta"]) == 0


@pytest.mark.parametrize("phone", ["06 12 34 56 78", "347 123 4567", "0151 23456789", "+36 30 123 4567"])
def test_a_phone_number_of_any_partner_country_in_the_data_export_fails_the_check(published, phone):
    from coopwork.export.data import write_data
    from coopwork.workspace import open_workspace

    written = write_data(open_workspace(published), wave="2025", fmt="csv", lang="en")
    path = written.folder / "responses.csv"
    text = path.read_text(encoding="utf-8-sig")
    assert "texte libre" in text
    path.write_text(re.sub(r"texte libre \d+", f"appeler le {phone}", text, count=1), encoding="utf-8")
    breaches = check_published(published).breaches
    assert [(b.file, b.reason) for b in breaches] == [(str(path), "identifier_published")]
