"""The bundled sample: the ``cooperation_territoriale`` survey and seeded synthetic data.

- :func:`sample_survey_path` — the sample XLSForm (``surveys/cooperation_territoriale.xlsx`` of a
  source checkout, else built once into the user cache folder);
- :mod:`coopwork.demo.form` — the survey as reviewable Python data and the XLSForm writer;
- :mod:`coopwork.demo.generate` — KoboToolbox-shaped synthetic exports (fictional data);
- :mod:`coopwork.demo.cli` — ``coopwork demo``.

Examples
--------
>>> sample_survey_path().name
'cooperation_territoriale.xlsx'
"""

from __future__ import annotations

import os
from pathlib import Path

from ..paths import surveys_dir
from .form import FORM_ID, SETTINGS, build_sample_survey

__all__ = ["cache_dir", "sample_survey_path"]

#: ``surveys/`` of a source checkout (absent in an installed package)
REPO_SURVEYS = surveys_dir(Path(__file__).resolve().parents[2])  # a checkout is laid out as a workspace


def cache_dir() -> Path:
    """coopwork's cache folder (``$XDG_CACHE_HOME/coopwork`` or ``~/.cache/coopwork``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "coopwork"


def sample_survey_path() -> Path:
    """Path of the sample XLSForm ``cooperation_territoriale.xlsx``.

    In a source checkout this is the committed ``surveys/cooperation_territoriale.xlsx``;
    in an installed package the form is built once into :func:`cache_dir` (rebuilt when the
    form's version changes).
    """
    repo_file = REPO_SURVEYS / f"{FORM_ID}.xlsx"
    if repo_file.is_file():
        return repo_file
    cached = cache_dir() / f"{FORM_ID}-{SETTINGS['version']}.xlsx"
    if not cached.is_file():
        build_sample_survey(cached)
    return cached
