"""Ingestion: an export file + its Survey → processed tables, issues file and manifest.

One call, :func:`ingest_file`, runs the whole flow::

    read (registry → reader → RawExport) → validate (types, choices, constraints, relevance,
    required, territory) → pseudonymise (identifiers, emails, phones) → drop duplicates
    (submission id, else content hash) → store (atomic Parquet, manifest, issues CSV)

and returns an :class:`IngestResult` whose counts always satisfy
``rows_read == accepted + quarantined + duplicates``. A file that cannot be read or that
answers another survey raises :class:`~coopwork.errors.IngestError` and nothing is written.
Ingesting the same file again adds nothing (``already_ingested`` is then true).

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
    from ..results.paths import check_id

    text = "" if wave is None else str(wave).strip()
    if not text:
        raise IngestError("ingest.err_wave", hint="ingest.hint_wave")
    return check_id(text, what="wave", error=IngestError)


def ingest_file(path: str | Path, *, survey: str | Path | Survey, wave: str,
                territory: str | None = None, fmt: str = "auto",
                mapping: str | Path | dict[str, str] | None = None,
                workspace: str | Path = ".", roles: dict[str, str] | None = None,
                identifiers: list[str] | tuple[str, ...] = ()) -> IngestResult:
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
        was inferred (``--territory-question NAME``), see :mod:`coopwork.ingest.roles`.
    identifiers
        More questions to pseudonymise as direct identifiers (``--identifier NAME``).

    Returns
    -------
    IngestResult
        Counts (``rows_read == accepted + quarantined + duplicates``), the issues file, …

    Raises
    ------
    IngestError
        The file is missing, unreadable, empty, or does not match the survey, or the export has
        no column for the survey's territory question and no ``territory`` is given: nothing is
        written.
    """
    from .codes import sharing
    from .pseudonymise import load_key
    from .registry import read_export
    from .store import processed_dir, read_manifest, recover, stored_ids, workspace_lock
    from .validate import validate

    path = Path(path)
    if not path.is_file():
        raise IngestError("ingest.err_missing_file", file=path, hint="ingest.hint_missing_file")
    survey = survey if isinstance(survey, Survey) else load_survey(survey)
    if roles or identifiers:
        from .roles import resolve_roles

        survey = resolve_roles(survey, roles=roles, identifiers=identifiers)
    wave = _check_wave(wave)
    if territory is not None and str(territory).strip():
        from ..results.paths import check_id

        territory = check_id(territory, what="territory", error=IngestError)
    # the file's sha256 is computed on a second thread while the file is read and validated
    with ThreadPoolExecutor(max_workers=1) as pool, sharing():  # sharing: each column hashed once
        digest = pool.submit(file_sha256, path)
        raw = read_export(path, survey, fmt=fmt, mapping=mapping)
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
            tables.drop_duplicates(stored_ids(folder))
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
                roles=dict(survey.role_sources), content_identifiers=found)
            if result.already_ingested:
                result.relations = 0
                return result
            entry = {"sha256": sha, "file": path.name, "reader": raw.reader, "wave": wave,
                     "territory": territory, "territories": result.territories,
                     "rows_read": result.rows_read, "accepted": result.accepted,
                     "quarantined": result.quarantined, "duplicates": result.duplicates,
                     "relations": result.relations, "issues": result.issues, "issues_file": issues_name,
                     "coopwork_version": _version(), "ingested_at": datetime.now(UTC).isoformat()}
            manifest.setdefault("sources", []).append(entry)
            manifest["survey_id"] = survey.survey_id
            tables.store(folder, survey, manifest, issues_name)
        return result


def _content_identifiers(validated: Validated, survey: Survey) -> dict[str, str]:
    """Text questions of any table whose answers are mostly e-mails or phones (name → kind)."""
    from .roles import identifiers_by_content

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
    from .. import __version__

    return __version__


class _Prepared:
    """Validated tables, pseudonymised, with submission ids; duplicates removed on demand."""

    def __init__(self, validated: Validated, survey: Survey, key: bytes, sha: str) -> None:
        from .pseudonymise import pseudonymise_frame, pseudonymise_values, scrub_text

        identifiers = [q.name for q in survey.identifiers]
        texts = [q.name for q in survey.questions.values() if q.type == "text"]
        responses = pseudonymise_frame(validated.responses, key, identifiers=identifiers,
                                       text_columns=texts)
        missing = responses["_submission_id"].isna()
        if missing.any():
            answers = responses.loc[missing].drop(columns=["_row", "_submission_id"])
            responses.loc[missing, "_submission_id"] = content_hashes(answers)
        responses["_source"] = pd.Series(sha[:12], index=responses.index, dtype="string")
        questions = [c for c in responses.columns if c not in _RESPONSE_META]
        self.responses = responses[[*_RESPONSE_META, *questions]]
        self.repeats = {name: pseudonymise_frame(frame, key, identifiers=identifiers, text_columns=texts)
                        for name, frame in validated.repeats.items()}
        quarantine = validated.quarantine.copy()
        data_columns = [c for c in quarantine.columns if c not in ("_row", "_reason")]
        quarantine = pseudonymise_frame(quarantine, key, identifiers=identifiers,
                                        text_columns=data_columns)
        quarantine["_source"] = pd.Series(sha[:12], index=quarantine.index, dtype="string")
        self.quarantine = quarantine
        issues = validated.issues.copy()
        if len(issues):
            is_identifier = issues["column"].isin(identifiers).fillna(False).astype(bool)
            values = issues["value"].astype("string")
            values = values.mask(is_identifier & values.notna() & (values != ""),
                                 pseudonymise_values(values, key, identifier=True))
            issues["value"] = pseudonymise_values(values, key, identifier=False)
            issues["reason"] = issues["reason"].astype("string").map(
                lambda text: text if pd.isna(text) else scrub_text(text, key)).astype("string")
        self.issues = issues
        self.duplicates = 0
        self.source = sha[:12]

    def drop_duplicates(self, stored: set[str]) -> None:
        """Remove rows already stored or repeated within the file (their issues go too)."""
        from .pseudonymise import message
        from .validate import FLAGGED, _issue, issues_frame

        ids = self.responses["_submission_id"]
        in_file = ids.duplicated(keep="first")
        in_store = ids.isin(stored)
        duplicate = in_file | in_store
        self.duplicates = int(duplicate.sum())
        if not self.duplicates:
            return
        rows = self.responses["_row"]
        dropped = set(rows[duplicate].dropna().astype(int).tolist())
        issues = self.issues[~self.issues["_main_row"].isin(dropped).fillna(False).astype(bool)]
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
        self.repeats = {name: frame[~frame["_main_row"].isin(dropped).fillna(False).astype(bool)]
                        for name, frame in self.repeats.items()}

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
        from .store import Transaction, read_table

        with Transaction(folder) as tx:
            old = read_table(folder / "responses.parquet")
            tx.write_parquet("responses.parquet", _append(old, self.responses))
            keys = self.repeat_keys()
            for name, frame in self.repeats.items():
                target = ("relations.parquet" if name == survey.relations_repeat
                          else f"repeats/{name}.parquet")
                table = self._repeat_table(frame, keys[name])
                tx.write_parquet(target, _append(read_table(folder / target), table))
            old = read_table(folder / "quarantine.parquet")
            if old is not None:
                old = old[old["_source"] != self.source]
            if old is not None or len(self.quarantine):
                tx.write_parquet("quarantine.parquet", _append(old, self.quarantine))
            lang = normalise_lang(os.environ.get("COOPWORK_LANG"))  # the language the reasons are in
            tx.write_csv(issues_name, with_codes(self.issues.drop(columns=["_main_row"]), lang))
            tx.write_json("manifest.json", manifest)


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
