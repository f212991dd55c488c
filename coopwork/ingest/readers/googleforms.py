"""Google Forms CSV exports (format ``googleforms``), from Google Sheets or "Download responses".

- The first column is the submission time: ``Timestamp`` (English UI), ``Horodateur``
  (French), ``Marca temporal``, ``Zeitstempel``, ``Informazioni cronologiche``, ``Carimbo de
  data/hora``; kept as written (``dd/mm/yyyy HH:MM:SS``, ``2023/11/13 4:20:37 pm CET``…).
- Headers are the question **labels** in any language of the survey (names and slugs work
  too); grid questions ``Question [Row]`` match a question labelled so or named by its slug.
- Values are choice **labels**, resolved to choice names; checkbox answers are joined with
  ``", "`` (Sheets) or ``;`` (Forms download) and resolved longest label first, so a label
  that itself holds a comma is not cut. An "Other" free answer that matches no label is
  dropped from the answer and reported.
- ``Email Address``/``Adresse e-mail`` and ``Score`` columns are meta: never stored unless
  the survey has a question for them.

Examples
--------
>>> sniff(TableSample.of(["Horodateur", "Votre structure ?"]))
0.9
"""

from __future__ import annotations

import pandas as pd

from ...survey import Survey
from ..detect import TableSample
from ..raw import RawExport
from .common import Vocabulary, finish_main, load_table, map_columns, normalise_text, row_numbers

__all__ = ["TIMESTAMP_NAMES", "meta_columns", "read", "sniff"]

TIMESTAMP_NAMES = ("timestamp", "horodateur", "marca temporal", "zeitstempel", "informazioni cronologiche",
                   "carimbo de data/hora", "tijdstempel", "sygnatura czasowa")
META_NAMES = frozenset({"email address", "adresse e-mail", "adresse email", "score", "total score",
                        "e-mail-adresse", "dirección de correo electrónico"})


def sniff(sample: TableSample) -> float:
    """Sure when the first header is Google's timestamp column in one of its UI languages."""
    return 0.9 if sample.header and normalise_text(sample.header[0]) in TIMESTAMP_NAMES else 0.0


def _time_column(frame: pd.DataFrame) -> str | None:
    return next((c for c in frame.columns if normalise_text(c) in TIMESTAMP_NAMES), None)


def meta_columns(frame: pd.DataFrame) -> set[str]:
    """The timestamp, e-mail and score columns Google adds to the answers."""
    return {c for c in frame.columns if normalise_text(c) in META_NAMES} | ({_time_column(frame)} - {None})


def read(sample: TableSample, survey: Survey, *, mapping: dict[str, str] | None = None) -> RawExport:
    """Read a Google Forms CSV or XLSX export (see the module docstring)."""
    frame, sheet, _ = load_table(sample)
    rows = row_numbers(frame)
    time_column = _time_column(frame)
    vocabulary = Vocabulary.of(survey)
    meta = {c for c in meta_columns(frame) if c == time_column or vocabulary.question(c) is None}
    meta = {c for c in meta if not (mapping and c in mapping)}
    mapped = map_columns(frame, survey, meta=meta, separators="", sheet=sheet, rows=rows, mapping=mapping,
                         multi_separators=(", ", ";", ","))
    main = finish_main(mapped, rows=rows, submitted_at=frame[time_column] if time_column else None)
    return RawExport(file=sample.path, reader="googleforms", main=main, sheet=sheet,
                     unmapped=mapped.unmapped, issues=mapped.issues, encoding=sample.encoding,
                     matched=mapped.matched)
