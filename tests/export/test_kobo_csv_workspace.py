"""A workspace made only of the demo's per-territory Kobo CSV exports, through the real commands.

A Kobo CSV has no repeat groups, hence no relations table: the reports, the dashboards and the
export have no network section, and nothing fails. In these files a select_one question nobody
answered (``ca_tranche``) must not break anything either, and the latest wave (2026) lacks one
territory (Veszprém answered in 2025 only): the synthesis covers the territories of 2026, and the
index still lists Veszprém, with its own latest wave.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.browser  # the export prints placemats with Chromium

SURVEY = "cooperation_territoriale"
PLAN = {"2025": ["matera", "guimaraes", "veszprem"], "2026": ["matera", "guimaraes"]}
UNANSWERED = "profil/ca_tranche"  # a select_one, blanked in every file


def _coopwork(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COOPWORK_LANG": "en"}
    done = subprocess.run([sys.executable, "-m", "coopwork.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, f"coopwork {' '.join(args)}: {done.stderr}"
    assert "Traceback" not in done.stderr and "nexpected" not in done.stderr, done.stderr
    return done


@pytest.fixture(scope="module")
def csv_workspace(tmp_path_factory, demo_workspace) -> Path:
    root = tmp_path_factory.mktemp("kobo-csv") / "ws"
    (root / "surveys").mkdir(parents=True)
    shutil.copy(demo_workspace / "surveys" / f"{SURVEY}.xlsx", root / "surveys")
    exports = root / "exports"
    exports.mkdir()
    for wave, territories in PLAN.items():
        for territory in territories:
            source = demo_workspace / "data" / "raw" / "csv" / f"{SURVEY}_{wave}_{territory}.csv"
            frame = pd.read_csv(source, sep=";", dtype=str, keep_default_na=False)
            frame[UNANSWERED] = ""
            export = exports / source.name
            frame.to_csv(export, sep=";", index=False)
            done = _coopwork("ingest", str(export), "--survey", f"surveys/{SURVEY}.xlsx", "--wave", wave,
                             "--workspace", ".", "--json", cwd=root)
            assert json.loads(done.stdout)["relations"] == 0
    assert not (root / "data" / "processed" / SURVEY / "relations.parquet").exists()
    return root


def test_export_has_no_network_section_and_publishes_no_small_missing_count(csv_workspace):
    done = _coopwork("export", "--all", "--lang", "en", "--workspace", ".", cwd=csv_workspace)
    site = csv_workspace / "data" / "exports" / SURVEY
    assert "3 territory(ies) exported" in done.stdout + done.stderr
    assert not (site / "network").exists()  # no GEXF, no node/edge lists: there are no ties
    page = (site / "territories" / "matera.html").read_text(encoding="utf-8")
    assert "Network" not in page and "gexf" not in page
    # the synthesis is the latest wave's; Veszprém (2025 only) keeps its row and its page
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "(no response in wave 2026: its page shows wave 2025)" in index
    assert (site / "territories" / "veszprem.html").is_file()
    overview = pd.read_excel(site / "workbooks" / "synthesis.xlsx", sheet_name="overview",
                             dtype={"wave": str}, engine="openpyxl")
    assert sorted(overview["territory"]) == ["guimaraes", "matera"] and set(overview["wave"]) == {"2026"}
    # the workbooks: the unanswered question is there, and no 'missing' count of 1 or 2 is published
    for workbook in (site / "workbooks").glob("*.xlsx"):
        for name, sheet in pd.read_excel(workbook, sheet_name=None, engine="openpyxl").items():
            if "missing" in sheet.columns:
                small = sheet[sheet["missing"].isin([1, 2])][["question", "missing"]]
                assert small.empty, f"{workbook.name}/{name}: {small.values.tolist()}"
    summaries = pd.read_excel(site / "workbooks" / "matera.xlsx", sheet_name="summaries", engine="openpyxl")
    assert "ca_tranche" in set(summaries["question"])


def test_reports_run_without_a_network(csv_workspace):
    done = _coopwork("run", "--lang", "en", "--workspace", ".", "--json", cwd=csv_workspace)
    result = json.loads(done.stdout)
    assert result["failed"] == [] and sorted(result["executed"]) == ["*", "guimaraes", "matera", "veszprem"]
    report = json.loads((Path(result["reports_dir"]) / "matera" / "territory_report.ipynb").read_text())
    outputs = [o for cell in report["cells"] for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error" or o.get("name") == "stderr"]


def test_dashboards_have_no_network_section(csv_workspace):
    from coopwork.dashboard.page import Dashboard

    for territory in ("matera", "veszprem", None):
        board = Dashboard(csv_workspace, territory=territory, lang="en")
        charts = board._view()["charts"]
        assert charts and not [c for c in charts if c["id"] == "network" or c.get("unit") == "ties"]
        assert "error" not in board.summary.value.lower()
        for position in range(len(board.tabs.children)):
            board.tabs.selected_index = position  # every tab builds
            assert board.tabs.children[position].children
    assert Dashboard(csv_workspace, territory="veszprem").wave == "2025"
