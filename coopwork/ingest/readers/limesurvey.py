"""LimeSurvey CSV exports (format ``limesurvey``).

LimeSurvey surveys are not XLSForms, so their columns are codes (``Q1``, ``Q2[SQ001]``) or
full question texts. This reader accepts:

- the **code export** (UTF-8 BOM, CRLF, ``;``): a column is matched with the mapping file
  (``--mapping``, see :mod:`.mapping`), else by its code: the XLSForm name itself, its slug
  (``Q2[SQ001]`` → ``q2_sq001``, the names ``coopwork survey draft`` writes) or
  ``question[option]`` for one option of a select_multiple (``Y`` when chosen);
- the **R export / full-text export**: headers are the question texts (matched to the
  labels of the survey), or ``"CODE. text"`` (the code is used);
- meta columns in English, French or German (``id``/``Response ID``/``Antwort ID`` is the
  submission id, ``submitdate``/``Date submitted``/``Datum Abgeschickt`` the submission time;
  ``lastpage``, ``startlanguage``, ``seed``, ``startdate``, ``datestamp``, ``ipaddr``,
  ``refurl``, timings… are ignored). The anonymised-survey stamp ``1980-01-01 00:00:00`` is
  read as an unknown time.

Answer codes are matched to choice names (case-insensitive) or labels.

Examples
--------
>>> sniff(TableSample.of(["id", "submitdate", "lastpage", "Q1"]))
0.9
>>> sniff(TableSample.of(["P", "Q1[SQ001]", "Q1[SQ002]", "Q2"]))
0.6
>>> sniff(TableSample.of(["Antwort ID", "Hintergrund? [Informatik]", "Hintergrund? [Sonstiges]"]))
0.8
"""

from __future__ import annotations

import re

import pandas as pd

from ...survey import Survey
from ..detect import TableSample
from ..raw import RawExport
from .common import finish_main, load_table, map_columns, normalise_text, row_numbers

__all__ = ["meta_columns", "read", "sniff"]

ID_NAMES = ("id", "response id", "antwort id", "id de la réponse", "id réponse", "identifiant de la réponse")
TIME_NAMES = ("submitdate", "date submitted", "datum abgeschickt", "date de soumission", "date soumise",
              "date d'envoi")
META_NAMES = frozenset({
    *ID_NAMES, *TIME_NAMES, "lastpage", "last page", "letzte seite", "dernière page", "startlanguage",
    "start language", "start-sprache", "langue de départ", "seed", "zufallsgeneratorstartwert", "graine",
    "startdate", "date started", "datum gestartet", "date de début", "datestamp", "date last action",
    "datum der letzten aktivität", "date de la dernière action", "ipaddr", "ip address", "ip-adresse",
    "adresse ip", "refurl", "referrer url", "token", "interviewtime", "total time", "gesamtzeit",
    "temps total"})
_TIMING = re.compile(r"^(grouptime\d+|.*time\d+|group time: .*|question time: .*|gruppenzeit: .*|"
                     r"fragenzeit: .*|temps du groupe : .*|temps de la question : .*)$", re.IGNORECASE)
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\[[A-Za-z0-9_#]+\])*$")
_CODE_PREFIX = re.compile(r"^(?P<code>[A-Za-z][A-Za-z0-9_]*(\[[A-Za-z0-9_#]+\])*)\.\s+\S")
_ANONYMISED = "1980-01-01 00:00:00"


def sniff(sample: TableSample) -> float:
    """Sure with LimeSurvey's meta columns; fairly sure with its response-id column before full-text
    ``Question? [Option]`` headers, or when many headers are ``Q[SQ]`` codes."""
    lowered = {normalise_text(h) for h in sample.header}
    if ("id" in lowered or "response id" in lowered or "antwort id" in lowered) and \
            lowered & {"submitdate", "lastpage", "date submitted", "last page", "datum abgeschickt",
                       "letzte seite", "startlanguage", "start language"}:
        return 0.9
    enough = max(2, len(sample.header) // 4)
    first = normalise_text(sample.header[0]) if sample.header else ""
    options = sum(bool(re.match(r"^.+\S\s*\[.+\]$", h.strip())) for h in sample.header)
    if first in set(ID_NAMES) - {"id"} and options >= enough:  # the full-text export, meta columns left out
        return 0.8
    codes = sum(bool(re.match(r"^\w+\[\w+\]$", h)) for h in sample.header)
    return 0.6 if codes >= enough else 0.0


def meta_columns(frame: pd.DataFrame) -> set[str]:
    """Columns of a LimeSurvey table that are response metadata or timings, not answers."""
    return {c for c in frame.columns if normalise_text(c) in META_NAMES or _TIMING.match(c.strip())}


def _meta_column(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    lowered = {normalise_text(c): c for c in frame.columns}
    return next((lowered[n] for n in names if n in lowered), None)


def read(sample: TableSample, survey: Survey, *, mapping: dict[str, str] | None = None) -> RawExport:
    """Read a LimeSurvey CSV export (see the module docstring)."""
    frame, sheet, _ = load_table(sample)
    rows = row_numbers(frame)
    meta = meta_columns(frame)
    renamed = {}
    for column in frame.columns:
        match = _CODE_PREFIX.match(column)
        if match and column not in meta and not (mapping and column in mapping):
            renamed[column] = match["code"]
    source = frame.rename(columns=renamed) if renamed else frame
    mapped = map_columns(source, survey, meta=meta, separators="", sheet=sheet, rows=rows,
                         mapping=mapping, blanks=("N/A",))
    id_column = _meta_column(frame, ID_NAMES)
    time_column = _meta_column(frame, TIME_NAMES)
    time = frame[time_column].mask(frame[time_column] == _ANONYMISED, "") if time_column else None
    main = finish_main(mapped, rows=rows, submission_id=frame[id_column] if id_column else None,
                       submitted_at=time)
    unmapped = [next((k for k, v in renamed.items() if v == c), c) for c in mapped.unmapped]
    return RawExport(file=sample.path, reader="limesurvey", main=main, sheet=sheet,
                     unmapped=unmapped, issues=mapped.issues, encoding=sample.encoding,
                     matched=mapped.matched)
