"""`coopwork export` through the real command line (subprocess: exit codes, stdout JSON, stderr)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from openpyxl import load_workbook


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coopwork.cli", "export", *args], capture_output=True,
                          text=True, timeout=600, check=False)


@pytest.mark.browser
def test_json_output_is_one_object_and_files_exist(workspace):
    done = _run("--territory", "beta", "--lang", "en", "--min-count", "5", "--workspace", str(workspace),
                "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["territories"] == ["beta"]
    assert result["index"].endswith("index.html")
    assert any(p.endswith("beta.pdf") for p in result["placemats"])
    for path in result["files"]:
        assert (workspace / path).is_file()
    site = workspace / "data/exports/cooperation_territoriale"
    html = (site / "territories/beta.html").read_text("utf-8")
    assert "fewer than 5 respondents" in html  # the threshold is the one asked for
    assert 'lang="en"' in html and "Downloads" in html and "Téléchargements" not in html
    readme = [c.value for row in load_workbook(site / "workbooks/beta.xlsx")["README"].iter_rows()
              for c in row if c.value]
    assert "Meaning" in readme and any("fewer than 5 respondents" in str(v) for v in readme)
    # the index still shows every territory of the wave, linking only the pages that exist
    index = (site / "index.html").read_text("utf-8")
    assert 'href="territories/beta.html"' in index and 'href="territories/alpha.html"' not in index
    assert "<td>alpha</td>" in index and "<td>tiny</td>" in index


def test_unknown_territory_exits_2_with_one_message(workspace):
    done = _run("--territory", "gamma", "--workspace", str(workspace), "--lang", "en")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert "no territory 'gamma'" in done.stderr and "alpha, beta, tiny" in done.stderr


def test_a_target_is_required(workspace):
    done = _run("--workspace", str(workspace))
    assert done.returncode == 2
    assert "--territory" in done.stderr and "--all" in done.stderr


def test_empty_workspace_exits_2(tmp_path, sample_survey_path):
    (tmp_path / "surveys").mkdir()
    (tmp_path / "surveys" / sample_survey_path.name).write_bytes(sample_survey_path.read_bytes())
    done = _run("--all", "--workspace", str(tmp_path), "--lang", "en")
    assert done.returncode == 2
    assert "nothing to export" in done.stderr and "coopwork ingest" in done.stderr
    done = _run("--all", "--workspace", str(tmp_path))  # French by default, from end to end
    assert "rien à exporter" in done.stderr and "Que faire" in done.stderr and "What to do" not in done.stderr
