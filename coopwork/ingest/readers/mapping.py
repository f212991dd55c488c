"""Column-mapping files: ``source column → XLSForm name[/option]`` (LimeSurvey codes and the like).

Two formats, chosen by the file extension:

CSV (any separator, a header row is optional)::

    code;name
    Q1;org_type
    Q2[SQ001];mutualisation/locaux
    Q2[SQ002];mutualisation/emplois

YAML::

    Q1: org_type
    Q2[SQ001]: mutualisation/locaux

A target ``question/option`` says that the column holds one option of a select_multiple
(``Y``, ``1`` or ``True`` when chosen). A CSV may instead have three columns
``code, name, option``.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "map.csv"
>>> _ = path.write_text("code;name;option\\nQ1;org_type;\\nQ2[SQ001];mutu;locaux\\n")
>>> load_mapping(path)
{'Q1': 'org_type', 'Q2[SQ001]': 'mutu/locaux'}
"""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

from ...errors import IngestError
from ..detect import detect_encoding, detect_separator

__all__ = ["load_mapping"]

_HEADER_WORDS = {"code", "column", "colonne", "source", "name", "nom", "question", "xlsform", "option"}


def load_mapping(path: str | Path) -> dict[str, str]:
    """Read a mapping file into ``{source column: "name"` or `"name/option"}``.

    Raises
    ------
    IngestError
        When the file is missing, empty or not a two-column table / mapping.
    """
    path = Path(path)
    if not path.is_file():
        raise IngestError("ingest_readers.mapping_missing", file=path.name,
                          hint="ingest_readers.hint_mapping")
    raw = path.read_bytes()
    text = raw.decode(detect_encoding(raw), errors="replace").lstrip("\ufeff")
    if path.suffix.lower() in {".yml", ".yaml"}:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise IngestError("ingest_readers.mapping_bad", detail=str(exc).splitlines()[0], file=path.name,
                              hint="ingest_readers.hint_mapping") from None
        if not isinstance(data, dict) or not data:
            raise IngestError("ingest_readers.mapping_not_a_mapping", file=path.name,
                              hint="ingest_readers.hint_mapping")
        return {str(k).strip(): str(v).strip() for k, v in data.items() if v not in (None, "")}
    records = [r for r in csv.reader(text.splitlines(), delimiter=detect_separator(text)) if any(r)]
    if records and {c.strip().casefold() for c in records[0] if c.strip()} <= _HEADER_WORDS:
        records = records[1:]
    out: dict[str, str] = {}
    for number, record in enumerate(records, start=1):
        cells = [c.strip() for c in record]
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise IngestError("ingest_readers.mapping_no_name", file=path.name,
                              row=number, hint="ingest_readers.hint_mapping")
        option = cells[2] if len(cells) > 2 else ""
        out[cells[0]] = f"{cells[1]}/{option}" if option else cells[1]
    if not out:
        raise IngestError("ingest_readers.mapping_empty", file=path.name,
                          hint="ingest_readers.hint_mapping")
    return out
