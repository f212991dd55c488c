"""The researcher's side: new notebooks from the template, and JupyterLab on the workspace."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

from coopwork.dashboard.serve import free_port
from coopwork.errors import CoopworkError
from coopwork.lab import TEMPLATE, lab_command, new_notebook, notebook_name


def test_notebook_names_are_file_system_safe():
    assert notebook_name("Mon analyse: gouvernance 2026") == "mon_analyse_gouvernance_2026"
    assert notebook_name("Été.ipynb") == "ete"
    with pytest.raises(CoopworkError, match="cannot be used as a notebook name"):
        notebook_name("???")


def test_template_has_parameters_workspace_and_footer():
    notebook = nbformat.read(TEMPLATE, as_version=4)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for name in ("territory", "wave", "workspace", "lang", "min_count"):
        assert re.search(rf"^{name} = ", tagged[0].source, re.MULTILINE), name
    sources = "\n".join(c.source for c in notebook.cells)
    assert "open_workspace(" in sources and "footer(" in sources
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")


def test_new_notebook_copies_the_template_and_never_overwrites(tmp_path):
    path = new_notebook("Gouvernance partagée", workspace=tmp_path)
    assert path == tmp_path / "notebooks" / "gouvernance_partagee.ipynb"
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.cells[0].source.startswith("# Gouvernance partagée")
    with pytest.raises(CoopworkError, match="already exists"):
        new_notebook("gouvernance partagée", workspace=tmp_path)


def test_new_notebook_command(tmp_path):
    result = subprocess.run([sys.executable, "-m", "coopwork.cli", "new-notebook", "essai",
                             "--workspace", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "notebooks" / "essai.ipynb").is_file()
    assert "coopwork run --notebook" in result.stderr


def test_lab_command_binds_loopback_with_a_token(tmp_path):
    command, token = lab_command(tmp_path, port=18950, open_browser=False)
    assert "--ServerApp.ip=127.0.0.1" in command
    assert f"--IdentityProvider.token={token}" in command and len(token) >= 24
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in command


@pytest.mark.slow
def test_lab_serves_the_workspace_with_the_coopwork_kernel(tmp_path):
    (tmp_path / "notebooks").mkdir()
    new_notebook("essai", workspace=tmp_path)
    port = free_port(18900, 18999) or pytest.skip("no free port in 18900-18999")
    log = tmp_path / "lab.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "coopwork.cli", "lab", "--workspace", str(tmp_path), "--port", str(port),
             "--no-browser"], stderr=stderr, stdout=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 90
        while not re.search(r"token=([\w-]+)", log.read_text()):
            assert time.monotonic() < deadline and process.poll() is None, log.read_text()
            time.sleep(0.2)
        token = re.search(r"token=([\w-]+)", log.read_text()).group(1)
        base = f"http://127.0.0.1:{port}"
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5):
                    break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, log.read_text()
                time.sleep(0.5)
        with pytest.raises(urllib.error.HTTPError):  # no token, no entry
            urllib.request.urlopen(f"{base}/api/contents", timeout=5)
        with urllib.request.urlopen(f"{base}/api/kernelspecs?token={token}", timeout=5) as response:
            specs = json.load(response)
        assert "coopwork" in specs["kernelspecs"]
        assert specs["default"] == "coopwork"
        with urllib.request.urlopen(f"{base}/api/contents/notebooks?token={token}", timeout=5) as response:
            names = [item["name"] for item in json.load(response)["content"]]
        assert names == ["essai.ipynb"]
        # the dashboard notebook opened there draws its charts: the page script and plotly.js are served
        from coopwork.dashboard.assets import asset_url

        for name in ("page.js", "plotly.js"):
            with urllib.request.urlopen(f"{base}/{asset_url(name)}", timeout=30) as response:
                assert response.status == 200 and len(response.read()) > 1000
    finally:
        process.terminate()
        process.wait(timeout=30)
