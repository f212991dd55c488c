"""Ingestion: an export file + its Survey → processed tables, issues file and manifest.

One call, :func:`ingest_file`, runs the whole flow::

    read (registry → reader → RawExport) → validate (types, choices, constraints, relevance,
    required, territory) → pseudonymise (identifiers, emails, phones) → drop duplicates
    (submission id, else content hash) → store (atomic Parquet, manifest, issues CSV)

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
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import IngestError
from ..survey import Survey, load_survey

if TYPE_CHECKING:
    from .validate import Validated

__all__ = ["IngestResult", "content_hashes", "file_sha256", "ingest_file"]

_RESPONSE_META = ["_submission_id", "_wave", "_territory", "_submitted_at", "_source", "_row"]


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


def content_hashes(frame: pd.DataFrame) -> pd.Series:
    """``sha256:<hex>`` of each row's normalised values (column order as given).

    Examples
    --------
    >>> frame = pd.DataFrame({"a": ["x", "x", "y"], "b": [1, 1, None]})
    >>> hashes = content_hashes(frame)
    >>> bool(hashes[0] == hashes[1]), bool(hashes[0] == hashes[2]), hashes[0][:7]
    (True, False, 'sha256:')
    """
    if frame.empty:
        return pd.Series([], index=frame.index, dtype="string")
    text = None
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            strings = values.dt.strftime("%Y-%m-%dT%H:%M:%S.%f")
        else:
            strings = values.astype("string")
        strings = (column + "=" + strings.fillna("\x00")).astype(str)
        text = strings if text is None else text + "\x1f" + strings
    hashes = [("sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()) for value in text]
    return pd.Series(hashes, index=frame.index, dtype="string")


def _check_wave(wave: object) -> str:
    from ..paths import check_id

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
    from .census import start_count
    from .codes import sharing
    from .pseudonymise import load_key
    from .registry import read_export
    from .store import processed_dir, read_manifest, recover, stored_submissions, workspace_lock
    from .validate import validate

    path = Path(path)
    if not path.is_file():
        raise IngestError("ingest.err_missing_file", file=path, hint="ingest.hint_missing_file")
    survey = survey if isinstance(survey, Survey) else load_survey(survey)
    if roles or identifiers:
        from ..survey.roles import resolve_roles

        survey = resolve_roles(survey, roles=roles, identifiers=identifiers)
    wave = _check_wave(wave)
    if territory is not None and str(territory).strip():
        from ..paths import check_id

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
        tables = _Prepared(validated, survey, key, sha)

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
            entry = {"sha256": sha, "file": path.name, "reader": raw.reader, "wave": wave,
                     "territory": territory, "territories": result.territories,
                     "rows_read": result.rows_read, "accepted": result.accepted,
                     "quarantined": result.quarantined, "duplicates": result.duplicates,
                     "relations": result.relations, "issues": result.issues, "issues_file": issues_name,
                     "updated": result.updated, "absent": result.absent,
                     "coopwork_version": _version(), "ingested_at": datetime.now(UTC).isoformat()}
            manifest.setdefault("sources", []).append(entry)
            manifest["survey_id"] = survey.survey_id
            tables.store(folder, survey, manifest, issues_name)
        return result


def _repeat_rows(raw, validated: Validated, tables: _Prepared, path: Path) -> dict[str, dict[str, int]]:
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
    from ..survey.roles import identifiers_by_content

    found: dict[str, str] = {}
    for frame in (validated.responses, *validated.repeats.values()):
        found.update(identifiers_by_content(frame, survey))
    return found


def _with_identifiers(survey: Survey, found: dict[str, str]) -> Survey:
    from dataclasses import replace

    questions = {name: replace(q, identifier=True) if name in found else q
                 for name, q in survey.questions.items()}
    sources = {**survey.role_sources,
               **{f"identifier:{name}": f"inferred ({kind})" for name, kind in found.items()}}
    return replace(survey, questions=questions, role_sources=sources)


def _version() -> str:
    from ..version import __version__

    return __version__


class _Prepared:
    """Validated tables, pseudonymised, with submission ids; duplicates removed on demand."""

    def __init__(self, validated: Validated, survey: Survey, key: bytes, sha: str) -> None:
        from ..contacts import regions_for
        from .pseudonymise import pseudonymise_frame, pseudonymise_values, scrub_text

        regions = regions_for(survey.languages)  # whose phone formats the answers may hold

        identifiers = [q.name for q in survey.identifiers]
        texts = [q.name for q in survey.questions.values() if q.type == "text"]
        responses = pseudonymise_frame(validated.responses, key, identifiers=identifiers,
                                       text_columns=texts, regions=regions)
        missing = responses["_submission_id"].isna()
        if missing.any():
            answers = responses.loc[missing].drop(columns=["_row", "_submission_id"])
            responses.loc[missing, "_submission_id"] = content_hashes(answers)
        responses["_source"] = pd.Series(sha[:12], index=responses.index, dtype="string")
        questions = [c for c in responses.columns if c not in _RESPONSE_META]
        self.responses = responses[[*_RESPONSE_META, *questions]]
        self.repeats = {name: pseudonymise_frame(frame, key, identifiers=identifiers, text_columns=texts,
                                                 regions=regions)
                        for name, frame in validated.repeats.items()}
        quarantine = validated.quarantine.copy()
        data_columns = [c for c in quarantine.columns if c not in ("_row", "_reason")]
        quarantine = pseudonymise_frame(quarantine, key, identifiers=identifiers,
                                        text_columns=data_columns, regions=regions)
        quarantine["_source"] = pd.Series(sha[:12], index=quarantine.index, dtype="string")
        self.quarantine = quarantine
        issues = validated.issues.copy()
        if len(issues):
            is_identifier = issues["column"].isin(identifiers).fillna(False).astype(bool)
            values = issues["value"].astype("string")
            values = values.mask(is_identifier & values.notna() & (values != ""),
                                 pseudonymise_values(values, key, identifier=True, regions=regions))
            issues["value"] = pseudonymise_values(values, key, identifier=False, regions=regions)
            issues["reason"] = issues["reason"].astype("string").map(
                lambda text: text if pd.isna(text) else scrub_text(text, key, regions=regions)
            ).astype("string")
        self.issues = issues
        self.duplicates = 0
        self.repeat_duplicates: dict[str, int] = {}
        self.updated: set[str] = set()
        self.absent = 0
        self.source = sha[:12]

    def drop_duplicates(self, known: pd.DataFrame, *, folder: Path, survey: Survey, wave: str) -> None:
        """Remove rows already stored or repeated within the file (their issues go too).

        ``known`` holds ``_submission_id``, ``_wave``, ``_territory`` of the stored submissions. A
        stored submission of this wave whose answers changed is kept as an update
        (``self.updated``); stored submissions of this wave that this re-download lacks are
        reported (``self.absent``). See the module docstring.
        """
        from .pseudonymise import message
        from .store import stored_digests
        from .validate import FLAGGED, _issue, issues_frame

        ids = self.responses["_submission_id"]
        in_file = ids.duplicated(keep="first")
        stored = set(known["_submission_id"].dropna().astype(str))
        in_store = ids.isin(stored)
        this_wave = known[known["_wave"] == wave]
        same_wave = set(this_wave["_submission_id"].dropna().astype(str))
        candidates = set(ids[in_store & ~in_file & ids.isin(same_wave)].astype(str))
        if candidates:
            tables = {self.target(name, survey) for name in self.repeats}
            before = stored_digests(folder, candidates, columns=self.carried, tables=tables)
            now = self.digests(survey, candidates)
            self.updated = {sid for sid in candidates if before.get(sid) != now.get(sid)}
        updated = ids.isin(self.updated) & ~in_file
        duplicate = in_file | (in_store & ~updated)
        self._report_absent(this_wave, survey)
        self.duplicates = int(duplicate.sum())
        rows = self.responses["_row"]
        issues = self.issues
        if updated.any():
            sheet = issues["sheet"].iloc[0] if len(issues) else ""
            issues = issues_frame([issues, _issue(
                rows[updated], sheet=sheet or "", column="_submission_id", values=ids[updated],
                reason=message("reason_updated"), action=FLAGGED)])
        if not self.duplicates:
            self.issues = issues
            return
        dropped = set(rows[duplicate].dropna().astype(int).tolist())
        issues = issues[~issues["_main_row"].isin(dropped).fillna(False).astype(bool)]
        first_row = pd.Series(rows[~in_file].to_numpy(), index=ids[~in_file].to_numpy())
        repeated = in_file & ~in_store
        if repeated.any():
            sheet = issues["sheet"].iloc[0] if len(issues) else ""
            first = ids[repeated].map(first_row).astype("Int64").astype("string")
            issues = issues_frame([issues, _issue(
                rows[repeated], sheet=sheet or "", column="_submission_id", values=ids[repeated],
                reason=first.map(lambda row: message("reason_duplicate", row=row)),
                action=FLAGGED)])
        self.issues = issues
        self.responses = self.responses[~duplicate]
        kept = {name: ~frame["_main_row"].isin(dropped).fillna(False).astype(bool)
                for name, frame in self.repeats.items()}
        self.repeat_duplicates = {name: int((~mask).sum()) for name, mask in kept.items()}
        self.repeats = {name: frame[kept[name]] for name, frame in self.repeats.items()}

    def _report_absent(self, this_wave: pd.DataFrame, survey: Survey) -> None:
        """Issues for the stored submissions of this wave that this re-download lacks (kept)."""
        from .pseudonymise import message
        from .validate import FLAGGED, _issue, issues_frame

        in_file = set(self.responses["_submission_id"].dropna().astype(str))
        if "_submission_id" in self.quarantine.columns:
            in_file |= set(self.quarantine["_submission_id"].dropna().astype(str))
        if not in_file & set(this_wave["_submission_id"].dropna().astype(str)):
            return  # no submission in common: a new or incremental file, not a re-download
        territories = set(self.responses["_territory"].dropna().astype(str))
        gone = this_wave[this_wave["_territory"].isin(territories)
                         & ~this_wave["_submission_id"].astype(str).isin(in_file)]
        self.absent = len(gone)
        if self.absent:
            sheet = self.issues["sheet"].iloc[0] if len(self.issues) else ""
            self.issues = issues_frame([self.issues, _issue(
                pd.Series([pd.NA] * self.absent, dtype="Int64"), sheet=sheet or "", column="_submission_id",
                values=gone["_submission_id"].astype("string").reset_index(drop=True),
                reason=message("reason_absent"), action=FLAGGED, main_rows=[pd.NA] * self.absent)])

    def digests(self, survey: Survey, ids: set[str]) -> dict[str, str]:
        """:func:`~coopwork.ingest.store.submission_digests` of this file's submissions ``ids``."""
        from .store import submission_digests

        responses = self.responses[self.responses["_submission_id"].isin(ids)]
        by_row = responses.set_index("_row")["_submission_id"]
        responses = responses[["_submission_id", *self.carried]]
        repeats = {}
        for name, frame in self.repeats.items():
            mine = frame[frame["_main_row"].isin(by_row.index)]
            repeats[self.target(name, survey)] = mine.assign(
                _submission_id=by_row.reindex(mine["_main_row"].to_numpy()).to_numpy())
        return submission_digests(responses, repeats)

    @property
    def carried(self) -> list[str]:
        """The answer columns this file holds (a column empty in every row is one it does not hold)."""
        return ["_territory", *(c for c in self.responses.columns
                                if not str(c).startswith("_") and self.responses[c].notna().any())]

    @staticmethod
    def target(name: str, survey: Survey) -> str:
        """The stored table of a repeat (relative to the processed folder)."""
        return "relations.parquet" if name == survey.relations_repeat else f"repeats/{name}.parquet"

    def repeat_keys(self) -> dict[str, tuple[pd.Series, pd.Series]]:
        """``_key`` and ``_parent_key`` of every repeat row, at any depth (ODK's KEY style).

        A row's key is its parent's key (the submission id for a top-level repeat) followed by
        ``/<repeat>[<_index>]``: ``u-1/participants[2]/feedback[1]``.
        """
        sid = self.responses.set_index("_row")["_submission_id"]
        keys: dict[str, tuple[pd.Series, pd.Series]] = {}
        todo = dict(self.repeats)
        while todo:
            progress = False
            for name, frame in list(todo.items()):
                if "_parent_repeat" not in frame.columns:
                    frame = frame.assign(_parent_repeat=pd.Series(pd.NA, index=frame.index, dtype="string"))
                nested = frame["_parent_repeat"].notna()
                waiting = {p for p in frame.loc[nested, "_parent_repeat"].unique() if p != name} - set(keys)
                if waiting & set(todo):
                    continue
                parent = sid.reindex(frame["_main_row"].to_numpy()).astype("string")
                parent.index = frame.index
                if nested.any():
                    for repeat in frame.loc[nested, "_parent_repeat"].unique():
                        lookup = keys.get(repeat)
                        these = nested & (frame["_parent_repeat"] == repeat)
                        found = None if lookup is None else lookup[0].reindex(
                            frame.loc[these, "_parent_repeat_row"].to_numpy())
                        parent[these] = pd.NA if found is None else found.to_numpy()
                key = parent + f"/{name}[" + frame["_index"].astype("string") + "]"
                keys[name] = (pd.Series(key.to_numpy(), index=frame["_row"].to_numpy(), dtype="string"),
                              parent)
                del todo[name]
                progress = True
            if not progress:  # a loop of parents cannot happen in a form; be safe anyway
                for name, frame in todo.items():
                    empty = pd.Series(pd.NA, index=frame.index, dtype="string")
                    keys[name] = (empty, empty)
                break
        return keys

    def _repeat_table(self, frame: pd.DataFrame, keys: tuple[pd.Series, pd.Series]) -> pd.DataFrame:
        parents = self.responses.set_index("_row")[["_submission_id", "_wave", "_territory"]]
        meta = parents.reindex(frame["_main_row"].to_numpy()).reset_index(drop=True)
        meta["_key"] = keys[0].to_numpy()
        meta["_parent_key"] = keys[1].to_numpy()
        drop = [c for c in ("_main_row", "_row", "_parent_repeat", "_parent_repeat_row")
                if c in frame.columns]
        questions = frame.drop(columns=drop).reset_index(drop=True)
        return pd.concat([meta, questions], axis=1)

    def relation_rows(self, survey: Survey) -> int:
        frame = self.repeats.get(survey.relations_repeat or "")
        return 0 if frame is None else len(frame)

    def store(self, folder: Path, survey: Survey, manifest: dict, issues_name: str) -> None:
        import os

        from ..i18n import normalise_lang
        from .issue_codes import with_codes
        from .store import HISTORY, Transaction, read_table

        superseded_at = pd.Timestamp.now(tz="UTC")

        def replace(tx: Transaction, target: str, new: pd.DataFrame) -> None:
            """Append ``new`` to the stored table; the rows of updated submissions go to its history."""
            old = read_table(folder / target)
            if self.updated and old is not None:
                moved = old["_submission_id"].astype(str).isin(self.updated).to_numpy()
                if moved.any():
                    earlier = old[moved]
                    if target == "responses.parquet":  # answers this file does not hold are kept
                        new = _keep_uncarried(new, earlier, self.updated, self.carried)
                    history = (HISTORY / target).as_posix()
                    tx.write_parquet(history, _append(read_table(folder / history), earlier.assign(
                        _superseded_at=superseded_at,
                        _superseded_by=pd.Series(self.source, index=earlier.index, dtype="string"))))
                    old = old[~moved].reset_index(drop=True)
            tx.write_parquet(target, _append(old, new))

        with Transaction(folder) as tx:
            replace(tx, "responses.parquet", self.responses)
            keys = self.repeat_keys()
            for name, frame in self.repeats.items():  # only the repeats this file holds (a CSV: none)
                replace(tx, self.target(name, survey), self._repeat_table(frame, keys[name]))
            old = read_table(folder / "quarantine.parquet")
            if old is not None:
                old = old[old["_source"] != self.source]
            if old is not None or len(self.quarantine):
                tx.write_parquet("quarantine.parquet", _append(old, self.quarantine))
            lang = normalise_lang(os.environ.get("COOPWORK_LANG"))  # the language the reasons are in
            tx.write_csv(issues_name, with_codes(self.issues.drop(columns=["_main_row"]), lang))
            tx.write_json("manifest.json", manifest)


def _keep_uncarried(new: pd.DataFrame, earlier: pd.DataFrame, updated: set[str],
                    carried: list[str]) -> pd.DataFrame:
    """``new`` whose updated rows take their stored answers to the questions the file does not hold."""
    rows = new["_submission_id"].astype(str).isin(updated).to_numpy()
    stored = earlier.drop_duplicates("_submission_id").set_index(earlier["_submission_id"].astype(str)
                                                                  .drop_duplicates().to_numpy())
    new = new.copy()
    ids = new.loc[rows, "_submission_id"].astype(str).to_numpy()
    for column in new.columns:
        if str(column).startswith("_") or column in carried or column not in stored.columns:
            continue
        values = stored[column].reindex(ids)
        values.index = new.index[rows]
        try:
            new.loc[rows, column] = values.astype(new[column].dtype)
        except (TypeError, ValueError):
            new[column] = new[column].astype("string")
            new.loc[rows, column] = values.astype("string")
    return new


def _append(old: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    if old is None or old.empty:
        return new.reset_index(drop=True)
    if new.empty:
        return old
    for column in new.columns.intersection(old.columns):
        if old[column].dtype != new[column].dtype:
            try:
                old[column] = old[column].astype(new[column].dtype)
            except (TypeError, ValueError):
                old[column] = old[column].astype("string")
                new = new.assign(**{column: new[column].astype("string")})
    return pd.concat([old, new], ignore_index=True)
