"""The tables of one export made ready to store: pseudonymised, with submission ids, without
what is already stored, then written in one transaction.

:class:`Prepared` is the middle of :func:`coopwork.ingest.ingest_file` (see
:mod:`coopwork.ingest.pipeline` for the flow and the rules of a re-downloaded export): it
pseudonymises the validated tables (:mod:`coopwork.ingest.pseudonymise`), gives a submission
without a platform id the hash of its answers (:func:`content_hashes`), drops the duplicates and
keeps the edits (:meth:`Prepared.drop_duplicates`), and stores the tables, their history and the
issues file (:meth:`Prepared.store`, through :mod:`coopwork.ingest.store`).

Examples
--------
>>> RESPONSE_META[:3]
['_submission_id', '_wave', '_territory']
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd

from ..contacts import regions_for
from ..i18n import normalise_lang
from ..survey import Survey
from .issue_codes import with_codes
from .pseudonymise import message, pseudonymise_frame, pseudonymise_values, scrub_text
from .store import HISTORY, Transaction, read_table, stored_digests, submission_digests
from .validate import FLAGGED, Validated, _issue, issues_frame

__all__ = ["RESPONSE_META", "Prepared", "content_hashes"]

#: the columns coopwork adds to every stored response, in their order
RESPONSE_META = ["_submission_id", "_wave", "_territory", "_submitted_at", "_source", "_row"]


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



class Prepared:
    """Validated tables, pseudonymised, with submission ids; duplicates removed on demand.

    Examples
    --------
    >>> Prepared.target("visits", Survey("s", "s", None, ["fr"], "fr", {}, {}))
    'repeats/visits.parquet'
    """

    def __init__(self, validated: Validated, survey: Survey, key: bytes, sha: str) -> None:
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
        questions = [c for c in responses.columns if c not in RESPONSE_META]
        self.responses = responses[[*RESPONSE_META, *questions]]
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
        """Rows of the survey's relations repeat (the ties of the network) in this file."""
        frame = self.repeats.get(survey.relations_repeat or "")
        return 0 if frame is None else len(frame)

    def store(self, folder: Path, survey: Survey, manifest: dict, issues_name: str) -> None:
        """Write the tables, the issues file and ``manifest`` into ``folder`` in one transaction: the
        rows of updated submissions move to the tables' history."""
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
