"""The shipped report notebooks run on the sample data, through coopwork run."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from coopwork.batch import run_batch
from coopwork.i18n import t
from coopwork.workspace import open_workspace


def test_territory_report_and_synthesis_run_on_the_sample(demo_prepared: Path, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(demo_prepared, root)
    ws = open_workspace(root)
    territory = ws.territories[0]
    result = run_batch(root, territories=[territory], lang="en", show_progress=False)
    assert result.failed == [], result.failed
    assert result.executed == ["*", territory]
    reports = Path(result.reports_dir)
    nb = nbformat.read(reports / territory / "territory_report.ipynb", as_version=4)
    outputs = [o for cell in nb.cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    figures = [o for o in outputs if "application/vnd.plotly.v1+json" in o.get("data", {})]
    assert len(figures) >= 10  # profile, network, mutualisation, governance, trust, … comparison, change
    markdown = "\n".join(o["data"]["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {}))
    for section in ("ties", "compare", "change", "themes"):  # the results' sections, as report headings
        assert f"## {t(f'dashboard.section_{section}', 'en')}" in markdown
    assert "Cooperation network" in markdown and "Themes of the free-text answers" in markdown
    assert "Report produced by coopwork" in markdown
    page = (reports / territory / "territory_report.html").read_text(encoding="utf-8")
    assert "report.show_section" not in page and "Plotly.newPlot(" in page
    synthesis = (reports / "synthesis.html").read_text(encoding="utf-8")
    assert ws.territory_label(ws.territories[-1], "en") in synthesis
