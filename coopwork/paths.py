"""The one path authority: the folders of a workspace and of an export, and how an id becomes a name.

The layout (``docs/architecture.md``, "Workspace"): ``surveys/``, ``data/raw``,
``data/processed/<survey>``, ``data/reports/<survey>``, ``data/exports/<survey>`` (whose
folders are :data:`EXPORT_FOLDERS`), ``data/journal.sqlite`` and ``.coopwork/`` (key, locks,
run state, results). No other module types these names: each asks a function here.

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

Ids that a person types or that a form declares (``--wave``, ``--territory``, the form's
``form_id``, a territory answer) are checked at the edge by :func:`check_id` first: an id with a
path separator, ``..``, a drive or root, a control character, or more than :data:`MAX_ID`
characters is refused with a clear message, so it never reaches a file name at all.

>>> problem("2025"), problem("../../tmp/x"), problem("C:evil"), problem("a\\x1b[31m")
(None, 'id_separator', 'id_absolute', 'id_control')

A respondent's free-text territory answer is a *label*, not an id: its id is the slug
:func:`territory_slug` makes of it (lower-case ASCII letters, digits and ``-``), so that an
answer never reaches a file name, a URL or a page as it was typed; the answer itself is shown,
escaped, as the territory's label.

>>> territory_slug("Pays de Morlaix"), territory_slug(" pays  de MORLAIX"), territory_slug("Szeged–Csongrád")
('pays-de-morlaix', 'pays-de-morlaix', 'szeged-csongrad')
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path, PureWindowsPath

from .errors import CoopworkError
from .i18n import Key, normalise_lang
from .words import BIDI

__all__ = [
    "ALL",
    "MAX_ID",
    "MAX_NAME",
    "check_id",
    "dashboards_index",
    "export_name",
    "name_for",
    "problem",
    "processed_dir",
    "reports_dir",
    "results_dir",
    "results_file",
    "side_file_path",
    "survey_dir",
    "territory_slug",
]

#: the territory id that stands for every territory together (the synthesis)
ALL = "_all"
#: longest name kept as it is
MAX_NAME = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
#: longest id accepted at the edge (a wave, a territory, a form_id)
MAX_ID = 120


def problem(identifier: object) -> str | None:
    """What makes an id unusable as a name, as a message key of ``results.yml`` (None: fine).

    The rule, in the order it is checked: not empty (``id_empty``); at most :data:`MAX_ID`
    characters (``id_too_long``); no control character, line separator or bidirectional override
    (``id_control``); no ``/`` or ``\\`` (``id_separator``); no ``..`` (``id_dotdot``); no drive or
    root such as ``C:`` (``id_absolute``). Spaces, accents and other scripts are fine.

    Examples
    --------
    >>> problem("Pays de Bray"), problem(""), problem("x" * 121), problem("..")
    (None, 'id_empty', 'id_too_long', 'id_dotdot')
    """
    text = "" if identifier is None else str(identifier)
    if not text.strip():
        return "id_empty"
    if len(text) > MAX_ID:
        return "id_too_long"
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in BIDI for c in text):
        return "id_control"
    if "/" in text or "\\" in text:
        return "id_separator"
    if ".." in text:
        return "id_dotdot"
    if PureWindowsPath(text).anchor:
        return "id_absolute"
    return None


def check_id(identifier: object, *, what: str, error: type[Exception] | None = None,
             lang: str | None = None, **where: object) -> str:
    """Return ``identifier`` without surrounding spaces, or raise a clear error if :func:`problem` finds one.

    Parameters
    ----------
    identifier
        The id as given (a command-line option, a form's ``form_id``, ...).
    what
        ``wave``, ``territory`` or ``form_id``: named in the message.
    error
        The :class:`~coopwork.errors.CoopworkError` subclass to raise (default: the base class).
    lang
        Language of the message (default: ``COOPWORK_LANG``, else French).
    where
        ``file``, ``row``, ``column`` passed on to the error.

    Raises
    ------
    CoopworkError
        (or ``error``) naming the id, what is wrong with it and what to do; the CLI prints it and
        exits with code 2.

    Examples
    --------
    >>> check_id(" 2025 ", what="wave")
    '2025'
    >>> check_id("../../tmp/x", what="wave", lang="en")
    Traceback (most recent call last):
    ...
    coopwork.errors.CoopworkError: the wave '../../tmp/x' contains a / or \\...: it names files...
    """
    import os


    key = problem(identifier)
    if key is None:
        return str(identifier).strip()
    lang = normalise_lang(lang or os.environ.get("COOPWORK_LANG"))
    shown = "" if identifier is None else str(identifier)
    shown = "".join(c if unicodedata.category(c)[0] != "C" and c not in BIDI else "\ufffd" for c in shown)
    if len(shown) > 60:
        shown = shown[:57] + "…"
    raise (error or CoopworkError)(f"results.{key}", what=Key(f"results.id_what_{what}"), id=shown,
                                   max=MAX_ID, hint="results.id_hint", lang=lang, **where)


#: letters that Unicode does not decompose into an ASCII letter and a mark
_TRANSLITERATE = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe",
                                "ı": "i", "ħ": "h", "ŧ": "t"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def territory_slug(answer: str) -> str:
    """The territory id of a free-text territory answer (the answer itself is the label).

    Case, accents, spaces and punctuation are folded: ``"Pays de Morlaix"`` and ``"pays de
    morlaix "`` are one territory, ``pays-de-morlaix``. The slug holds only ``a-z``, ``0-9`` and
    ``-`` (at most :data:`MAX_NAME` characters; a longer one ends with 8 hex digits of the
    answer's SHA-256); an answer without any Latin letter or digit gets ``t-`` and those 8 digits.

    Examples
    --------
    >>> territory_slug("Guimarães"), territory_slug("Łódź"), territory_slug("Київ")[:2]
    ('guimaraes', 'lodz', 't-')
    >>> territory_slug('<img src=x onerror="alert(1)">')
    'img-src-x-onerror-alert-1'
    """
    folded = " ".join(str(answer).split()).casefold()
    digest = hashlib.sha256(folded.encode("utf-8")).hexdigest()[:8]
    plain = "".join(c for c in unicodedata.normalize("NFKD", folded.translate(_TRANSLITERATE))
                    if not unicodedata.combining(c))
    slug = _NOT_SLUG.sub("-", plain).strip("-")
    if not slug:
        return f"t-{digest}"
    if len(slug) > MAX_NAME:
        slug = f"{slug[:MAX_NAME - 9].rstrip('-')}-{digest}"
    return slug


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


#: the workspace's folders, relative to its root
SURVEYS = Path("surveys")
RAW = Path("data") / "raw"
PROCESSED = Path("data") / "processed"
STATE = Path(".coopwork")
#: the folders of an export (``data/exports/<survey>/<folder>``)
WORKBOOKS, PLACEMATS, NETWORK = "workbooks", "placemats", "network"
NOTES, AUDIT, REPORTS, DATA = "notes", "audit", "reports", "data"
EXPORT_FOLDERS = (WORKBOOKS, PLACEMATS, NETWORK, NOTES, AUDIT, REPORTS, DATA)


def surveys_dir(root: str | Path) -> Path:
    """``<workspace>/surveys``: the XLSForms."""
    return Path(root) / SURVEYS


def raw_dir(root: str | Path) -> Path:
    """``<workspace>/data/raw``: exports as downloaded (never committed)."""
    return Path(root) / RAW


def state_dir(root: str | Path) -> Path:
    """``<workspace>/.coopwork``: key, locks, run state, results (git-ignored, never published)."""
    return Path(root) / STATE


def journal_file(root: str | Path) -> Path:
    """``<workspace>/data/journal.sqlite``: the journal of interpretations."""
    return Path(root) / "data" / "journal.sqlite"


def in_export(site: str | Path, folder: str, file: str | None = None) -> Path:
    """``<export>/<folder>[/<file>]``, ``folder`` one of :data:`EXPORT_FOLDERS`.

    Examples
    --------
    >>> in_export("/ws/data/exports/s", WORKBOOKS, "t1.xlsx").as_posix()
    '/ws/data/exports/s/workbooks/t1.xlsx'
    """
    if folder not in EXPORT_FOLDERS:
        raise ValueError(f"in_export(): {folder!r} is not one of {EXPORT_FOLDERS}")
    path = Path(site) / folder
    return path / file if file is not None else path


def processed_dir(root: str | Path, survey_id: str) -> Path:
    """``<workspace>/data/processed/<survey>``: the tidy tables one survey's ingests write.

    Examples
    --------
    >>> processed_dir("/ws", "enquete").as_posix()
    '/ws/data/processed/enquete'
    """
    return Path(root) / PROCESSED / name_for(survey_id)


def survey_dir(root: str | Path, area: str, survey_id: str) -> Path:
    """``<workspace>/data/<area>/<survey>``: one survey's ``reports`` or ``exports``.

    Examples
    --------
    >>> survey_dir("/ws", "reports", "enquete").as_posix()
    '/ws/data/reports/enquete'
    """
    return Path(root) / "data" / name_for(area) / name_for(survey_id)


def results_dir(root: str | Path, survey_id: str) -> Path:
    """``<workspace>/.coopwork/results/<survey>``: the results of every territory and wave."""
    return state_dir(root) / "results" / name_for(survey_id)


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
    return state_dir(root) / "results" / "index.json"


def reports_dir(reports_root: str | Path, territory: str | None) -> Path:
    """The folder of one territory's batch reports (``None``: the synthesis, at the top)."""
    root = Path(reports_root)
    return root if territory is None else root / name_for(territory)


def export_name(territory: str) -> str:
    """The stem of a territory's exported files (workbook, placemat, network, notes, page)."""
    return name_for(territory)


def side_file_path(form: str | Path) -> Path:
    """The side file of ``form`` (its roles, :mod:`coopwork.survey.roles`): ``surveys/enquete.xlsx`` →
    ``surveys/enquete.coopwork.yml``.

    Examples
    --------
    >>> side_file_path("surveys/enquete.xlsx").as_posix()
    'surveys/enquete.coopwork.yml'
    """
    form = Path(form)
    return form.with_name(f"{form.stem}.coopwork.yml")
