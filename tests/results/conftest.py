"""Fixtures of the results tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo_every_language(demo_prepared, tmp_path_factory) -> Path:
    """The prepared demo with the results of every territory's latest wave, and the syntheses, in every
    language of the catalogue (French and English come prepared). Built once per session, for the
    tests that read what each language says; tests must not modify it."""
    from coopwork.i18n import LANGS
    from coopwork.results.store import ensure
    from coopwork.workspace import open_workspace

    root = tmp_path_factory.mktemp("demo_every_language") / "ws"
    shutil.copytree(demo_prepared, root)
    ensure(open_workspace(root), territories=None, waves=None, langs=LANGS, min_count=3, jobs=1)
    return root
