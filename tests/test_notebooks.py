"""Every notebook shipped in notebooks/ is committed clean and can be run with papermill.

Clean: no outputs, no execution counts (outputs hold data and drift). Runnable: one cell tagged
``parameters`` that sets at least territory, wave, workspace, lang and min_count, so that both
``coopwork run`` and plain ``papermill … -p territory T -p workspace DIR`` can drive it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").rglob("*.ipynb"))
REQUIRED = {"territory", "wave", "workspace", "lang", "min_count"}


def test_the_report_notebooks_exist() -> None:
    names = {path.name for path in NOTEBOOKS}
    assert {"territory_report.ipynb", "synthesis.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert dirty == [], f"{path.name}: clear the outputs of cells {dirty} before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_has_a_parameters_cell(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    tagged = [cell for cell in nb.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: exactly one cell must be tagged 'parameters'"
    assigned = {target.id for node in ast.parse(tagged[0].source).body if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}
    assert assigned >= REQUIRED, f"{path.name}: the parameters cell lacks {sorted(REQUIRED - assigned)}"
