"""`coopwork export --all` on the demo workspace (6 territories × 2 waves): the "done when" of issue 7."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import networkx as nx
import pytest
from openpyxl import load_workbook

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo_export(demo_prepared, tmp_path_factory):
    root = tmp_path_factory.mktemp("demo-export") / "ws"
    shutil.copytree(demo_prepared, root)
    done = subprocess.run([sys.executable, "-m", "coopwork.cli", "export", "--all", "--workspace", str(root),
                           "--json"], capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return root, json.loads(done.stdout)


def test_everything_is_written_for_every_territory(demo_export):
    root, result = demo_export
    from coopwork.workspace import open_workspace

    ws = open_workspace(root)
    assert result["territories"] == ws.territories and len(ws.territories) == 6
    assert result["warnings"] == []
    site = ws.exports_dir
    for territory in ws.territories:
        for relative in (f"territories/{territory}.html", f"workbooks/{territory}.xlsx",
                         f"placemats/{territory}.pdf", f"network/{territory}.gexf",
                         f"network/{territory}_nodes.csv", f"notes/{territory}.md"):
            assert (site / relative).is_file(), relative
    assert (site / "index.html").is_file() and (site / "workbooks" / "synthesis.xlsx").is_file()


def test_files_open_back(demo_export):
    root, _ = demo_export
    from coopwork.workspace import open_workspace

    ws = open_workspace(root)
    site = ws.exports_dir
    territory = ws.territories[0]
    book = load_workbook(site / "workbooks" / f"{territory}.xlsx")
    assert book.sheetnames[0] == "README" and "summaries" in book.sheetnames
    graph = nx.read_gexf(site / "network" / f"{territory}.gexf")
    assert graph.number_of_edges() > 10
    info = subprocess.run(["pdfinfo", str(site / "placemats" / f"{territory}.pdf")], capture_output=True,
                          text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\b", info)
    synthesis = load_workbook(site / "workbooks" / "synthesis.xlsx")
    changes = list(synthesis["changes"].iter_rows(values_only=True))
    assert len(changes) > 6  # two waves: something to compare for every territory
    index = (site / "index.html").read_text(encoding="utf-8")
    for name in ws.territories:
        assert f'href="territories/{name}.html"' in index


def test_no_identifier_and_no_hidden_name_anywhere(demo_export, scan):
    root, _ = demo_export
    from coopwork.analysis.disclosure import has_consent
    from coopwork.workspace import open_workspace

    ws = open_workspace(root)
    responses = ws.responses()
    organisation = ws.survey.role("organisation").name
    consent = ws.survey.role("name_consent").name
    refused = responses.loc[~responses[consent].map(has_consent), organisation].dropna().unique().tolist()
    named = set(responses.loc[responses[consent].map(has_consent), organisation].dropna())
    refused = [name for name in refused if name not in named and len(name) > 6]
    assert refused  # the demo has organisations that refused
    patterns = scan.identifiers + [rf"(?<![\w-]){re.escape(name)}(?![\w-])" for name in refused]
    assert scan(ws.exports_dir, patterns) == []
