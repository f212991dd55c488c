"""Shared fixtures: the sample survey and a demo workspace built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REALWORLD = ROOT.parent / "shared" / "realworld"


@pytest.fixture(scope="session")
def sample_survey_path() -> Path:
    """Path of the bundled sample XLSForm."""
    from coopwork.demo import sample_survey_path

    return sample_survey_path()


@pytest.fixture(scope="session")
def sample_survey(sample_survey_path):
    """The bundled sample survey as a Survey object."""
    from coopwork.survey import load_survey

    return load_survey(sample_survey_path)


@pytest.fixture(scope="session")
def realworld() -> Path:
    """The folder of real public exports (../shared/realworld); tests skip when it is absent."""
    if not REALWORLD.is_dir():
        pytest.skip(f"real-world files not present at {REALWORLD} (they are never copied into the repo)")
    return REALWORLD


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory) -> Path:
    """A workspace with the seeded sample data of 6 territories × 2 waves, ingested (not run).

    Built once per test session; tests must not modify it (copy it when they need to).
    """
    from coopwork.demo.cli import run_demo

    root = tmp_path_factory.mktemp("demo_workspace")
    run_demo(root, territories=6, run=False)
    return root



def _assert_disclosure_kept(workspace: Path, *, territories: list[str] | None = None) -> None:
    from coopwork.export.check import check_published, describe

    result = check_published(workspace, territories=territories)
    assert result.files, "nothing published to check"
    assert result.ok, "\n".join(describe(b, "en") for b in result.breaches)


@pytest.fixture(scope="session")
def disclosure_kept():
    """The shared check of every output's tests: ``disclosure_kept(workspace)`` runs ``coopwork
    check`` on the published files of the workspace (results, reports, exports) and fails, naming
    file, table and cell, when one breaks the disclosure rules."""
    return _assert_disclosure_kept
