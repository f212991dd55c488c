"""The ingest pipeline: an export file + its Survey → processed tables, issues file and manifest.

One call, :func:`ingest_file`, runs the whole flow::

    read (registry → reader → RawExport) → validate (types, choices, constraints, relevance,
    required, territory) → pseudonymise (identifiers, emails, phones) → drop duplicates
    (submission id, else content hash) → store (atomic Parquet, manifest, issues CSV)

(the tables are made ready and stored by :class:`~coopwork.ingest.prepare.Prepared`)
and returns an :class:`IngestResult` whose counts always satisfy
``rows_read == accepted + quarantined + duplicates``. A file that cannot be read or that
answers another survey raises :class:`~coopwork.errors.IngestError` and nothing is written.
Ingesting the same file again adds nothing (``already_ingested`` is then true).

**A re-downloaded export.** Researchers clean their data on the platform and download the wave
again. A submission already stored for the same wave, under the same platform id (``_uuid``,
``KEY``, ``instanceID``), whose answers (its row, its territory and its repeat rows) changed was
**edited on the platform**: the stored rows are replaced by the new ones (``updated``, counted
among ``accepted``), the earlier ones are kept in the wave's history (``history/responses.parquet``
and ``history/<repeat table>``, with ``_superseded_at`` and ``_superseded_by``), and the issues
file says so for each. Unchanged ones are ``duplicates``. A file that shares at least one
submission with the stored wave is taken as a **full re-download** of that wave for the
territories it holds: a stored submission of those territories that it lacks was deleted on the
platform (or the file is only part of the wave) — it is reported (``absent``, one line of the
issues file each) and kept. An *incremental* file (only the submissions since the last
download) shares none, and reports nothing. Submissions without a platform id are known by a
hash of their answers: an edit of one of those looks like a new submission.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from coopwork.survey import Choice, Question, Survey
>>> survey = Survey("enquete", "Enquête", None, ["fr"], "fr", {
...     "zone": Question("zone", "select_one", role="territory", choices=(Choice("nord"), Choice("sud"))),
...     "org": Question("org", "text", role="organisation"),
...     "staff": Question("staff", "integer", constraint=". >= 0")}, {})
>>> folder = Path(tempfile.mkdtemp())
>>> export = folder / "export.csv"
>>> _ = export.write_text("zone;org;staff\\nnord;Atelier A;3\\n;Café B;2\\nsud;Régie C;-1\\n",
...                       encoding="utf-8")
>>> result = ingest_file(export, survey=survey, wave="2025", workspace=folder)
>>> result.rows_read, result.accepted, result.quarantined, result.duplicates, result.issues
(3, 2, 1, 0, 2)
>>> ingest_file(export, survey=survey, wave="2025", workspace=folder).already_ingested
True
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from ..errors import IngestError
from ..paths import check_id, processed_dir
from ..survey import Survey, load_survey
from ..survey.roles import identifiers_by_content, resolve_roles
from ..version import __version__
from .census import start_count
from .codes import sharing
from .prepare import Prepared
from .pseudonymise import load_key
from .raw import RawExport
from .registry import read_export
from .store import read_manifest, recover, stored_submissions, workspace_lock
from .validate import Validated, validate

__all__ = ["IngestResult", "file_sha256", "ingest_file"]


@dataclass
class IngestResult:
    """What one ingest did (``to_dict()`` is the ``--json`` output of ``coopwork ingest``)."""

    rows_read: int
    accepted: int
    quarantined: int
    duplicates: int
    issues: int
    issues_file: str
    relations: int
    survey_id: str
    source_sha256: str
    reader: str = ""
    wave: str = ""
    territories: list[str] = field(default_factory=list)
    already_ingested: bool = False
    processed_dir: str = ""
    #: where each role and identifier of the survey came from (``Survey.role_sources``)
    roles: dict[str, str] = field(default_factory=dict)
    #: text questions found to hold e-mails or phones, pseudonymised as identifiers
    content_identifiers: dict[str, str] = field(default_factory=dict)
    #: every repeat table of the export: ``read`` (rows in its sheet or file) ``== stored +
    #: quarantined + orphans + duplicates``; the quarantined and orphan rows have their line in
    #: the issues file, the duplicates belong to submissions already stored
    repeat_rows: dict[str, dict[str, int]] = field(default_factory=dict)
    #: repeat groups of the form this export does not hold (a Kobo CSV drops them)
    missing_repeats: list[str] = field(default_factory=list)
    #: translations of the form left out because of broken cells (language → the cells)
    dropped_languages: dict[str, list[str]] = field(default_factory=dict)
    #: submissions stored before and edited on the platform since: replaced (among ``accepted``)
    updated: int = 0
    #: submissions of this wave and these territories stored before but not in this re-download
    absent: int = 0

    def to_dict(self) -> dict:
        """Plain JSON-serialisable dict of every field."""
        return asdict(self)


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes (read in blocks).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = path.write_bytes(b"abc")
    >>> file_sha256(path)[:12]
    'ba7816bf8f01'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

def _check_wave(wave: object) -> str:
    text = "" if wave is None else str(wave).strip()
    if not text:
        raise IngestError("ingest.err_wave", hint="ingest.hint_wave")
    return check_id(text, what="wave", error=IngestError)


def ingest_file(path: str | Path, *, survey: str | Path | Survey, wave: str,
                territory: str | None = None, fmt: str = "auto",
                mapping: str | Path | dict[str, str] | None = None,
                workspace: str | Path = ".", roles: dict[str, str] | None = None,
                identifiers: list[str] | tuple[str, ...] = (), partial: bool = False) -> IngestResult:
    """Read, validate, pseudonymise and store one export; return what was done.

    Parameters
    ----------
    path
        The export file (KoboToolbox, ODK Central, LimeSurvey, Google Forms, CSV, XLSX).
    survey
        The survey's XLSForm (path) or a loaded :class:`~coopwork.survey.Survey`.
    wave
        Wave id stored with every row (e.g. ``"2025"``).
    territory
        Territory of rows that have none (or of every row when the survey or the export has
        no territory question). A survey without a territory question needs none: its rows have
        no territory and go to the one report of all respondents.
    fmt
        ``"auto"`` or a reader name (``kobo``, ``odk``, ``limesurvey``, ``googleforms``,
        ``csv``, ``xlsx``).
    mapping
        Column mapping (file or dict) from export codes to XLSForm names (LimeSurvey).
    workspace
        Folder holding ``data/`` and ``.coopwork/``.
    roles
        ``role → question name`` (or ``"none"``) overriding the form, its side file and what
        was inferred (``--territory-question NAME``), see :mod:`coopwork.survey.roles`.
    identifiers
        More questions to pseudonymise as direct identifiers (``--identifier NAME``).
    partial
        Only part of the export is meant to be read (``--partial-read``): an export whose columns
        mostly match no question, or that lacks most of the form's questions, or has sheets that
        match no repeat group, is read anyway (what is left out is listed in the issues file)
        instead of refused.

    Returns
    -------
    IngestResult
        Counts (``rows_read == accepted + quarantined + duplicates``), the issues file, …

    Raises
    ------
    IngestError
        The file is missing, unreadable, empty, or does not match the survey (or only in part,
        without ``partial``), its records were not all read exactly once, or the export has no column
        for the survey's territory question and no ``territory`` is given: nothing is written.
    """
    path = Path(path)
    if not path.is_file():
        raise IngestError("ingest.err_missing_file", file=path, hint="ingest.hint_missing_file")
    survey = survey if isinstance(survey, Survey) else load_survey(survey)
    if roles or identifiers:
        survey = resolve_roles(survey, roles=roles, identifiers=identifiers)
    wave = _check_wave(wave)
    if territory is not None and str(territory).strip():
        territory = check_id(territory, what="territory", error=IngestError)
    # the file's sha256 and its record count (census) are computed on other threads while it is read
    with ThreadPoolExecutor(max_workers=2) as pool, sharing():  # sharing: each column hashed once
        digest = pool.submit(file_sha256, path)
        start_count(path, pool)
        raw = read_export(path, survey, fmt=fmt, mapping=mapping, partial=partial)
        if raw.rows_read == 0:
            raise IngestError("ingest.err_no_record", file=path.name, hint="ingest.hint_no_record")
        validated = validate(raw, survey, wave=wave, territory=territory)
        found = _content_identifiers(validated, survey)
        if found:
            survey = _with_identifiers(survey, found)
        sha = digest.result()
        workspace = Path(workspace)
        key = load_key(workspace)
        tables = Prepared(validated, survey, key, sha)

        with workspace_lock(workspace):
            folder = processed_dir(workspace, survey.survey_id)
            recover(folder)  # finish a transaction a crash interrupted
            tables.drop_duplicates(stored_submissions(folder), folder=folder, survey=survey, wave=wave)
            manifest = read_manifest(folder, survey.survey_id)
            issues_name = f"issues/{sha[:12]}.csv"
            already = any(s.get("sha256") == sha for s in manifest.get("sources", []))
            result = IngestResult(
                rows_read=raw.rows_read, accepted=len(tables.responses), quarantined=len(tables.quarantine),
                duplicates=tables.duplicates, issues=len(tables.issues),
                issues_file=str(folder / issues_name), relations=tables.relation_rows(survey),
                survey_id=survey.survey_id, source_sha256=sha, reader=raw.reader, wave=wave,
                territories=sorted(tables.responses["_territory"].dropna().unique().tolist()),
                already_ingested=already and tables.responses.empty, processed_dir=str(folder),
                roles=dict(survey.role_sources), content_identifiers=found,
                repeat_rows=_repeat_rows(raw, validated, tables, path),
                missing_repeats=[r for r in survey.repeats if r not in raw.repeats],
                dropped_languages=dict(survey.dropped_languages),
                updated=len(tables.updated), absent=tables.absent)
            if result.already_ingested:
                result.relations = 0
                return result
            manifest.setdefault("sources", []).append(_source_entry(result, file=path.name,
                                                                    territory=territory,
                                                                    issues_name=issues_name))
            manifest["survey_id"] = survey.survey_id
            tables.store(folder, survey, manifest, issues_name)
        return result


def _source_entry(result: IngestResult, *, file: str, territory: str | None, issues_name: str) -> dict:
    """The manifest's record of one ingested file (``sources`` of ``manifest.json``)."""
    return {"sha256": result.source_sha256, "file": file, "reader": result.reader, "wave": result.wave,
            "territory": territory, "territories": result.territories,
            "rows_read": result.rows_read, "accepted": result.accepted,
            "quarantined": result.quarantined, "duplicates": result.duplicates,
            "relations": result.relations, "issues": result.issues, "issues_file": issues_name,
            "updated": result.updated, "absent": result.absent,
            "coopwork_version": __version__, "ingested_at": datetime.now(UTC).isoformat()}


def _repeat_rows(raw: RawExport, validated: Validated, tables: Prepared,
                 path: Path) -> dict[str, dict[str, int]]:
    """Rows of every repeat table: read = stored + quarantined + orphans + duplicates, or an error."""
    out = {}
    for name, frame in raw.repeats.items():
        dropped = validated.repeat_dropped.get(name, {})
        counts = {"read": len(frame), "stored": len(tables.repeats.get(name, ())),
                  "quarantined": dropped.get("quarantined", 0), "orphans": dropped.get("orphans", 0),
                  "duplicates": tables.repeat_duplicates.get(name, 0)}
        if counts["read"] != sum(v for k, v in counts.items() if k != "read"):
            raise IngestError("ingest_readers.repeat_count_mismatch", repeat=name, counted=counts["read"],
                              read=counts["read"] - sum(v for k, v in counts.items() if k != "read"),
                              reader=raw.reader, file=path.name, hint="ingest_readers.hint_count_mismatch")
        out[name] = counts
    return out


def _content_identifiers(validated: Validated, survey: Survey) -> dict[str, str]:
    """Text questions of any table whose answers are mostly e-mails or phones (name → kind)."""
    found: dict[str, str] = {}
    for frame in (validated.responses, *validated.repeats.values()):
        found.update(identifiers_by_content(frame, survey))
    return found


def _with_identifiers(survey: Survey, found: dict[str, str]) -> Survey:
    questions = {name: replace(q, identifier=True) if name in found else q
                 for name, q in survey.questions.items()}
    sources = {**survey.role_sources,
               **{f"identifier:{name}": f"inferred ({kind})" for name, kind in found.items()}}
    return replace(survey, questions=questions, role_sources=sources)

