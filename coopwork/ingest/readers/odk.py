"""ODK Central and ODK Briefcase CSV exports (format ``odk``).

What ODK writes, and what this reader does with it:

- ``,`` separated; group names joined to question names with ``-`` (``group-question``);
  split select multiples as ``question/CHOICE`` columns holding ``1``/``0`` (joined into one
  answer); geopoints split into ``-Latitude``, ``-Longitude``, ``-Altitude``, ``-Accuracy``
  (joined again);
- meta columns ``SubmissionDate`` (submission time), ``meta-instanceID`` and ``KEY``
  (submission id, without ``uuid:``), ``SubmitterID``, ``SubmitterName``,
  ``AttachmentsPresent``, ``AttachmentsExpected``, ``Status``, ``ReviewState``,
  ``DeviceID``, ``Edits``, ``FormVersion``, ``SET-OF-<repeat>``;
- repeat groups are separate CSVs ``<stem>-<repeat>.csv`` linked by ``PARENT_KEY``: given the
  main CSV, the sibling repeat CSVs of the same folder are read into ``repeats``; nested
  repeats are linked to the top-level submission and, through the ``PARENT_KEY`` → ``KEY``
  chain, to their parent row (``_parent_repeat``, ``_parent_repeat_row``). A repeat CSV
  given instead of the main CSV is refused with the name of the file to give (unless the
  survey has these questions at top level, as in a draft made from that CSV: then it is a
  table of its own, ``KEY`` the id).

Examples
--------
>>> sniff(TableSample.of(["SubmissionDate", "q", "KEY"]))
0.9
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ...errors import IngestError
from ...survey import Survey
from ..census import data_records
from ..detect import TableSample, read_csv_strings, sniff_table
from ..raw import RawExport
from .common import finish_main, load_table, map_columns, row_numbers, slugify, strip_uuid

__all__ = ["meta_columns", "read", "sibling_repeats", "sniff"]

ODK_META = ("SubmissionDate", "KEY", "PARENT_KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
            "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion",
            "instanceID", "instanceName")
_INDEX_RE = re.compile(r"\[(\d+)\]$")


def sniff(sample: TableSample) -> float:
    """Sure with ODK's ``KEY`` and ``SubmissionDate``, ``meta-instanceID`` or ``PARENT_KEY``."""
    columns = sample.columns
    if "KEY" in columns and columns & {"SubmissionDate", "meta-instanceID", "PARENT_KEY"}:
        return 0.9
    if "SubmissionDate" in columns or "meta-instanceID" in columns:
        return 0.6
    return 0.0


def meta_columns(frame: pd.DataFrame) -> set[str]:
    """Columns of an ODK table that are submission metadata or repeat links, not answers."""
    return {c for c in frame.columns if c in ODK_META or c.startswith(("meta-", "SET-OF-"))}


def _ids(frame: pd.DataFrame) -> pd.Series | None:
    ids = None
    for column in ("meta-instanceID", "KEY"):
        if column in frame.columns:
            values = frame[column]
            ids = values if ids is None else ids.mask(ids == "", values)
    return None if ids is None else strip_uuid(ids)


def sibling_repeats(path: Path, survey: Survey) -> dict[str, Path]:
    """Repeat CSVs next to the main CSV ``path``: ``<stem>-<repeat>.csv`` → repeat name.

    Examples
    --------
    >>> from coopwork.survey import Question, Survey
    >>> s = Survey("s", "s", None, ["fr"], "fr", {"p": Question("p", "text", repeat="partenariats")}, {})
    >>> sibling_repeats(Path("/nonexistent/export.csv"), s)
    {}
    """
    out: dict[str, Path] = {}
    if not path.parent.is_dir():
        return out
    by_slug = {slugify(name): name for name in survey.repeats}
    for candidate in sorted(path.parent.glob(f"{path.stem}-*{path.suffix}")):
        suffix = candidate.stem[len(path.stem) + 1:]
        last = suffix.split("-")[-1]
        name = by_slug.get(slugify(suffix)) or by_slug.get(slugify(last))
        if name and name not in out:
            out[name] = candidate
    return out


def _repeat_table(path: Path, repeat: str, survey: Survey, issues: list[dict], matched: list[str],
                  counts: dict[str, int], unmapped: list[str]) -> pd.DataFrame:
    sample = sniff_table(path)
    frame = read_csv_strings(sample)
    counts[repeat] = data_records(sample, read=len(frame))
    rows = row_numbers(frame)
    mapped = map_columns(frame, survey, repeat=repeat, meta=meta_columns(frame),
                         sheet=path.name, rows=rows)
    issues.extend(mapped.issues)
    matched.extend(f"{path.name}!{column}" for column in mapped.matched)
    unmapped.extend(f"{path.name}!{column}" for column in mapped.unmapped)  # never dropped unsaid
    head = pd.DataFrame({"_row": pd.array(rows.to_numpy(), dtype="Int64")}, index=frame.index)
    if "PARENT_KEY" in frame.columns:
        parent = strip_uuid(frame["PARENT_KEY"].str.split("/").str[0]).astype("string")
        head["_parent_submission_id"] = parent.mask(parent == "")
    if "PARENT_KEY" in frame.columns and "KEY" in frame.columns:  # read by _link_nested, then dropped
        head["_source_key"] = strip_uuid(frame["KEY"]).astype("string")
        head["_source_parent_key"] = strip_uuid(frame["PARENT_KEY"]).astype("string")
    if "KEY" in frame.columns:
        index = frame["KEY"].str.extract(_INDEX_RE, expand=False)
        head["_index"] = pd.array(pd.to_numeric(index, errors="coerce").to_numpy(), dtype="Int64")
    else:
        head["_index"] = pd.array(head.groupby("_parent_submission_id").cumcount().to_numpy() + 1,
                                  dtype="Int64")
    return pd.concat([head, mapped.frame], axis=1).reset_index(drop=True)


def _link_nested(repeats: dict[str, pd.DataFrame]) -> None:
    """Give rows of nested repeats their parent row: ``PARENT_KEY`` is another repeat row's ``KEY``.

    Sets ``_parent_repeat`` and ``_parent_repeat_row`` (see ``raw.py``) in place.
    """
    owner: dict[str, tuple[str, int]] = {}
    for name, table in repeats.items():
        if "_source_key" in table.columns:
            owner.update({key: (name, int(row)) for key, row in zip(table["_source_key"], table["_row"],
                                                                   strict=True) if not pd.isna(key)})
    for name, table in repeats.items():
        if "_source_parent_key" not in table.columns:
            continue
        parents = [owner.get(key) if isinstance(key, str) and "/" in key else None
                   for key in table["_source_parent_key"]]
        if any(parents):
            table["_parent_repeat"] = pd.array([p[0] if p else None for p in parents], dtype="string")
            table["_parent_repeat_row"] = pd.array([p[1] if p else None for p in parents], dtype="Int64")
        repeats[name] = table.drop(columns=["_source_key", "_source_parent_key"])


def _refuse_repeat_file(path: Path, frame: pd.DataFrame, survey: Survey) -> None:
    """A repeat CSV given instead of the main CSV: say which file to give."""
    for repeat in survey.repeats:
        probe = map_columns(frame.head(0), survey, repeat=repeat, meta=meta_columns(frame))
        if not probe.frame.columns.empty:
            main = path.stem.rsplit("-", 1)[0] + path.suffix
            raise IngestError("ingest_readers.odk_repeat_file", repeat=repeat, file=path.name,
                              hint="ingest_readers.hint_odk_repeat_file", main=main)


def read(sample: TableSample, survey: Survey, *, mapping: dict[str, str] | None = None,
         meta: set[str] = frozenset(), reader: str = "odk") -> RawExport:
    """Read an ODK Central / Briefcase CSV and its sibling repeat CSVs (see the module docstring).

    ``meta`` names more metadata columns and ``reader`` the format recorded (the SurveyCTO
    reader, whose exports are ODK's with other metadata, calls this function).
    """
    frame, sheet, _ = load_table(sample)
    rows = row_numbers(frame)
    mapped = map_columns(frame, survey, meta=meta_columns(frame) | set(meta), sheet=sheet,
                         rows=rows, mapping=mapping)
    if "PARENT_KEY" in frame.columns and mapped.frame.columns.empty:
        _refuse_repeat_file(sample.path, frame, survey)
    time = frame["SubmissionDate"] if "SubmissionDate" in frame.columns else None
    main = finish_main(mapped, rows=rows, submission_id=_ids(frame), submitted_at=time)
    issues = list(mapped.issues)
    repeats = {}
    matched = list(mapped.matched)
    unmapped = list(mapped.unmapped)
    counts: dict[str, int] = {}
    if "PARENT_KEY" not in frame.columns and sample.kind == "csv":
        for repeat, path in sibling_repeats(sample.path, survey).items():
            repeats[repeat] = _repeat_table(path, repeat, survey, issues, matched, counts, unmapped)
        _link_nested(repeats)
    return RawExport(file=sample.path, reader=reader, main=main, sheet=sheet, repeats=repeats,
                     unmapped=unmapped, issues=issues, encoding=sample.encoding, matched=matched,
                     repeat_counts=counts)
