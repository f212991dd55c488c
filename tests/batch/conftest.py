"""Fixtures of the batch tests (helpers in ``batch_helpers``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helpers module next to this file

from batch_helpers import make_workspace, probe_notebook


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A processed workspace with three territories and ``notebooks/probe.ipynb``."""
    root = make_workspace(tmp_path / "ws", ["alpha", "beta", "gamma"])
    probe_notebook(root / "notebooks" / "probe.ipynb")
    return root
