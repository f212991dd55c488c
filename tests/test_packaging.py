"""The project's set-up files agree with each other and with the README."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names of the PyPI packages that are spelled differently there
CONDA_NAMES = {"kaleido": "python-kaleido", "dask": "dask", "psycopg": "psycopg"}


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ]", requirement.strip(), maxsplit=1)[0].lower()


def _pyproject_packages() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        names |= {_name(r) for r in extra if not r.startswith("coopwork")}
    return {CONDA_NAMES.get(n, n) for n in names}


def _conda_packages() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    names = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    return names - {"python", "pip", "distributed"}


def test_environment_yml_lists_the_same_packages_as_pyproject():
    assert _conda_packages() == _pyproject_packages()


def test_environment_yml_pins_python_311():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "python=3.11" in env["dependencies"]


def test_lower_bounds_on_the_core_packages():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    bounds = {_name(r): r for r in project["dependencies"]}
    for name, bound in {"pandas": ">=3.0", "voila": ">=0.5", "papermill": ">=2.6", "plotly": ">=6"}.items():
        assert bound in bounds[name], bounds[name]


def test_every_dependency_is_justified_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8").lower()
    missing = [n for n in _pyproject_packages() if f"`{n}`" not in readme
               and f"`{n.removeprefix('python-')}`" not in readme]
    assert not missing, f"README's dependency list does not justify: {missing}"


def test_layout_of_the_design_card():
    for entry in ["notebooks", "coopwork", "surveys", "data", "tests", "environment.yml",
                  "pyproject.toml", "README.md", "Makefile", ".ci/run", "benchmarks", "docs"]:
        assert (ROOT / entry).exists(), entry


def test_ci_runs_make_test():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in script


def test_raw_data_is_git_ignored():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    for entry in ["data/raw/", "data/processed/", ".coopwork/", ".venv/"]:
        assert entry in ignored
