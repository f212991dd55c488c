"""The one path authority: how an id (territory, wave) becomes a folder or file name.

Every layer that writes per-territory files — the results store, the batch reports, the
dashboards and the exports — asks :func:`name_for` for the name, so that a territory id such as
``Pays basque / Iparralde`` lands in the same folder everywhere, and no id can climb out of
the workspace.

Rule: an id made only of ASCII letters, digits, ``_``, ``-`` and ``.`` (not starting with a
dot) and at most 80 characters long is used as it is. Any other id (spaces, ``/``, accents,
``..``, very long names) keeps its safe characters, cut to 80, followed by ``-`` and the first
8 hex digits of its SHA-256, so that two different ids never share a folder.

Examples
--------
>>> name_for("pays_de_morlaix"), name_for("Pays basque / Iparralde")
('pays_de_morlaix', 'Pays_basque_Iparralde-94aa4a9c')
>>> name_for("../../etc"), name_for("Guimarães")
('etc-74ccf3c5', 'Guimar_es-93ea6706')
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

__all__ = [
    "ALL",
    "MAX_NAME",
    "dashboards_index",
    "export_name",
    "name_for",
    "reports_dir",
    "results_dir",
    "results_file",
]

#: the territory id that stands for every territory together (the synthesis)
ALL = "_all"
#: longest name kept as it is
MAX_NAME = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def name_for(identifier: str) -> str:
    """The file or folder name of an id (see the module docstring for the rule).

    Parameters
    ----------
    identifier
        A territory id, a wave id or ``ALL``.

    Returns
    -------
    str
        A name safe on every file system, never empty, never ``.`` or ``..``.
    """
    text = str(identifier)
    if text and _UNSAFE.sub("_", text) == text and len(text) <= MAX_NAME and not text.startswith("."):
        return text
    safe = _UNSAFE.sub("_", text).strip("._-")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{safe[:MAX_NAME]}-{digest}" if safe else digest


def results_dir(root: str | Path, survey_id: str) -> Path:
    """``<workspace>/.coopwork/results/<survey>``: the results of every territory and wave."""
    return Path(root) / ".coopwork" / "results" / name_for(survey_id)


def results_file(
    root: str | Path, survey_id: str, territory: str | None, wave: str, lang: str, min_count: int
) -> Path:
    """Where the results of one territory (``None``: all of them), wave, language and threshold live.

    Examples
    --------
    >>> results_file("/ws", "enquete", "Pays basque / Iparralde", "2025", "fr", 3).as_posix()
    '/ws/.coopwork/results/enquete/Pays_basque_Iparralde-94aa4a9c/2025.fr.k3.json'
    """
    folder = results_dir(root, survey_id) / name_for(territory or ALL)
    return folder / f"{name_for(wave)}.{name_for(lang)}.k{int(min_count)}.json"


def breakdown_file(results: str | Path) -> Path:
    """Where the organisation-type views of a result live: next to it, ``….by_org_type.json``.

    Examples
    --------
    >>> breakdown_file("/ws/r/t/2025.fr.k3.json").name
    '2025.fr.k3.by_org_type.json'
    """
    results = Path(results)
    return results.with_name(results.name.removesuffix(".json") + ".by_org_type.json")


def dashboards_index(root: str | Path) -> Path:
    """``<workspace>/.coopwork/results/index.json``: the survey, waves and territories the dashboards list."""
    return Path(root) / ".coopwork" / "results" / "index.json"


def reports_dir(reports_root: str | Path, territory: str | None) -> Path:
    """The folder of one territory's batch reports (``None``: the synthesis, at the top)."""
    root = Path(reports_root)
    return root if territory is None else root / name_for(territory)


def export_name(territory: str) -> str:
    """The stem of a territory's exported files (workbook, placemat, network, notes, page)."""
    return name_for(territory)
