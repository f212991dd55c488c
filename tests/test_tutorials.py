"""The tutorial notebooks run end to end on the demo workspace, so they never rot."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import papermill
import pytest

TUTORIALS = Path(__file__).resolve().parents[1] / "notebooks" / "tutorial"


def test_committed_tutorials_match_their_build_script(tmp_path):
    spec = importlib.util.spec_from_file_location("build_tutorials", TUTORIALS / "build_tutorials.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for lang, name in (("fr", "tutoriel_fr.ipynb"), ("en", "tutorial_en.ipynb")):
        committed = nbformat.read(TUTORIALS / name, as_version=4)
        assert [c.source for c in committed.cells] == [c.source for c in module.build(lang).cells], name


@pytest.mark.slow
@pytest.mark.parametrize("name", ["tutoriel_fr.ipynb", "tutorial_en.ipynb"])
def test_tutorial_runs_end_to_end(name, demo_workspace, tmp_path):
    output = tmp_path / name
    papermill.execute_notebook(str(TUTORIALS / name), str(output), kernel_name="coopwork",
                               parameters={"workspace": str(demo_workspace)}, cwd=str(TUTORIALS),
                               progress_bar=False)
    executed = nbformat.read(output, as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    kinds = [data for c in executed.cells if c.cell_type == "code" for o in c.outputs
             for data in o.get("data", {})]
    assert kinds.count("application/vnd.plotly.v1+json") == 3  # Likert, network, scores
    assert "text/html" in kinds  # the workspace and survey reprs, the cross-tab
