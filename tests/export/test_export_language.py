"""An export speaks the language it is asked for, the batch reports it publishes included (issue 24).

The reports were run in French; ``coopwork export --lang ro`` runs them again in Romanian before it
publishes them, and every HTML page it writes declares its real language (``<html lang="ro">``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from coopwork.i18n import t

pytestmark = [pytest.mark.slow]

TERRITORY = "matera"


@pytest.fixture(scope="module")
def exported_in_romanian(demo_workspace, tmp_path_factory):
    from coopwork.batch import run_batch

    root = tmp_path_factory.mktemp("export-ro") / "ws"
    shutil.copytree(demo_workspace, root)
    ran = run_batch(root, territories=[TERRITORY], lang="fr", show_progress=False)  # the reports, in French
    assert ran.ok, ran.failed
    done = subprocess.run([sys.executable, "-m", "coopwork.cli", "export", "--territory", TERRITORY,
                           "--lang", "ro", "--workspace", str(root), "--json"],
                          capture_output=True, text=True, timeout=1500, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return root, json.loads(done.stdout)


def test_the_reports_are_run_again_in_the_export_language(exported_in_romanian):
    from coopwork.workspace import open_workspace

    root, result = exported_in_romanian
    assert result["warnings"] == []
    site = open_workspace(root).exports_dir
    report = (site / "reports" / TERRITORY / "territory_report.html").read_text(encoding="utf-8")
    synthesis = (site / "reports" / "synthesis.html").read_text(encoding="utf-8")
    label = open_workspace(root).territory_label(TERRITORY, "ro")
    assert t("batch.report_title", "ro", territory=label) in report
    assert t("batch.report_title", "fr", territory=open_workspace(root).territory_label(TERRITORY, "fr")) \
        not in report
    assert '<html lang="ro"' in report and '<html lang="ro"' in synthesis
    page = (site / "territories" / f"{TERRITORY}.html").read_text(encoding="utf-8")
    assert t("export.dl_report", "ro", name="")[:8] in page  # the link to it, in Romanian too


def test_every_published_page_declares_its_language(exported_in_romanian):
    from coopwork.workspace import open_workspace

    root, _ = exported_in_romanian
    site = open_workspace(root).exports_dir
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 4
    declared = {page.relative_to(site).as_posix(): re.search(r"<html\b[^>]*\blang=\"([^\"]+)\"",
                                                             page.read_text(encoding="utf-8"))
                for page in pages}
    assert {name: found and found.group(1) for name, found in declared.items()} == {
        name: "ro" for name in declared}
