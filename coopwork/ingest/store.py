"""Processed tables on disk: Parquet files replaced atomically, one writer at a time.

Layout (contract in ``docs/architecture.md``), under ``<workspace>/data/processed/<survey_id>/``:

``responses.parquet``
    accepted rows (one per submission);
``relations.parquet``
    rows of the repeat group that holds the ``partner`` question;
``repeats/<name>.parquet``
    rows of the other repeat groups;
``quarantine.parquet``
    rejected rows (pseudonymised strings) with ``_reason``, ``_source``, ``_row``;
``manifest.json``
    one entry per ingested source file;
``issues/<sha256[:12]>.csv``
    the issues file of each source (UTF-8 with BOM so that spreadsheet programs show accents;
    written by :func:`coopwork.words.to_csv`, the one writer of spreadsheet-bound CSV: a
    rejected value that a spreadsheet would run as a formula, such as ``-1+1+cmd|' /C calc'!A0``,
    is prefixed with ``'`` and stays readable; numbers and coordinates are left as they are).

Every file is written to a temporary file in the same folder and moved into place with
``os.replace``, so readers (notebooks, dashboards, many at once) always see a complete file.
One ingest is one **transaction**: all new files are written first; only then a small journal
(``.pending.json``) lists the moves, the moves happen, and the journal is removed. A crash
while writing leaves the previous state untouched (the temporary files are removed); a crash
while moving is completed by the next writer (:func:`recover`). Writers of one workspace
serialise on ``<workspace>/.coopwork/ingest.lock``.

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp()) / "data" / "processed" / "s"
>>> frame = pd.DataFrame({"_submission_id": ["a", "b"]}, dtype="string")
>>> with Transaction(folder) as tx:
...     tx.write_parquet("responses.parquet", frame)
>>> sorted(stored_ids(folder))
['a', 'b']
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import IngestError
from ..paths import PROCESSED, STATE, processed_dir
from ..words import to_csv

__all__ = [
    "JOURNAL",
    "LOCK_PATH",
    "PROCESSED",
    "Transaction",
    "processed_dir",
    "read_manifest",
    "read_table",
    "recover",
    "stored_ids",
    "workspace_lock",
]

LOCK_PATH = STATE / "ingest.lock"
JOURNAL = ".pending.json"
_TMP_PREFIX = ".tmp-"


@contextlib.contextmanager
def workspace_lock(workspace: str | Path, *, timeout: float = 600.0) -> Iterator[None]:
    """Hold the workspace's ingest lock (other ingests wait up to ``timeout`` seconds).

    Raises
    ------
    IngestError
        When another ingest keeps the lock longer than ``timeout``.

    Examples
    --------
    >>> import tempfile
    >>> with workspace_lock(tempfile.mkdtemp()):
    ...     pass
    """
    path = Path(workspace) / LOCK_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# coopwork private state: never commit\n*\n", encoding="utf-8")
    handle = open(path, "a+")  # noqa: SIM115 - closed in the finally clause
    try:
        try:
            import fcntl  # platform: POSIX; not there on Windows
        except ImportError:  # pragma: no cover - Windows: msvcrt locks the first byte
            import msvcrt  # platform: Windows only

            def acquire() -> bool:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
                    return True
                except OSError:
                    return False

            def release() -> None:
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            def acquire() -> bool:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except BlockingIOError:
                    return False

            def release() -> None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

        deadline = time.monotonic() + timeout
        while not acquire():
            if time.monotonic() > deadline:
                raise IngestError("ingest.err_busy", file=path, hint="ingest.hint_busy")
            time.sleep(0.05)
        try:
            yield
        finally:
            release()
    finally:
        handle.close()


def recover(folder: Path) -> None:
    """Finish the moves of a transaction that was interrupted after its files were written.

    Leftover temporary files of a transaction that never reached its journal are removed.

    Examples
    --------
    >>> import tempfile
    >>> recover(Path(tempfile.mkdtemp()))
    """
    folder = Path(folder)
    journal = folder / JOURNAL
    if journal.exists():
        moves = json.loads(journal.read_text(encoding="utf-8"))
        for temporary, final in moves:
            source = folder / temporary
            if source.exists():
                (folder / final).parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, folder / final)
        journal.unlink()
    if folder.exists():
        for leftover in folder.rglob(f"{_TMP_PREFIX}*"):
            leftover.unlink()


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write with pyarrow; min/max statistics only for the meta columns (``_wave``, ``_territory``…).

    Statistics of every answer column cost more than the rest of the write and only serve
    row-group skipping, which readers do on the meta columns.
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = [str(c) for c in frame.columns if str(c).startswith("_")]
    pq.write_table(table, path, write_statistics=meta or False)


class Transaction:
    """Write several files of ``folder`` so that they all appear, or none does.

    Use as a context manager; ``write_parquet``, ``write_json`` and ``write_csv`` stage
    files, leaving the context without an exception moves them into place.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.token = secrets.token_hex(4)
        self.moves: list[tuple[str, str]] = []

    def __enter__(self) -> Transaction:
        self.folder.mkdir(parents=True, exist_ok=True)
        recover(self.folder)
        return self

    def _temporary(self, name: str) -> Path:
        final = Path(name)
        temporary = final.parent / f"{_TMP_PREFIX}{self.token}-{final.name}"
        (self.folder / temporary).parent.mkdir(parents=True, exist_ok=True)
        self.moves.append((temporary.as_posix(), final.as_posix()))
        return self.folder / temporary

    def write_parquet(self, name: str, frame: pd.DataFrame) -> None:
        """Stage ``frame`` as the Parquet file ``name`` (relative to the folder)."""
        _write_parquet(frame, self._temporary(name))

    def write_json(self, name: str, data: object) -> None:
        """Stage ``data`` as the JSON file ``name``."""
        self._temporary(name).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n",
                                         encoding="utf-8")

    def write_csv(self, name: str, frame: pd.DataFrame) -> None:
        """Stage ``frame`` as the CSV file ``name`` (UTF-8 with BOM, formulas neutralised)."""
        to_csv(frame, self._temporary(name))

    def __exit__(self, kind: type | None, error: BaseException | None, traceback: object) -> None:
        if kind is not None:
            for temporary, _ in self.moves:
                with contextlib.suppress(FileNotFoundError):
                    (self.folder / temporary).unlink()
            return
        journal = self.folder / f"{_TMP_PREFIX}{self.token}-{JOURNAL}"
        journal.write_text(json.dumps(self.moves), encoding="utf-8")
        os.replace(journal, self.folder / JOURNAL)
        recover(self.folder)


def read_table(path: str | Path, *, columns: list[str] | None = None) -> pd.DataFrame | None:
    """Read a Parquet table, or None when it does not exist yet.

    Examples
    --------
    >>> read_table("no/such/file.parquet") is None
    True
    """
    path = Path(path)
    if not path.exists():
        return None
    return pd.read_parquet(path, columns=columns, engine="pyarrow")


def read_manifest(folder: str | Path, survey_id: str = "") -> dict:
    """The manifest of a processed folder (``{"survey_id", "sources": []}`` when new).

    Examples
    --------
    >>> read_manifest("no/such/folder", "s")
    {'survey_id': 's', 'sources': []}
    """
    path = Path(folder) / "manifest.json"
    if not path.exists():
        return {"survey_id": survey_id, "sources": []}
    return json.loads(path.read_text(encoding="utf-8"))


def stored_ids(folder: str | Path) -> set[str]:
    """Submission ids already stored in ``responses.parquet`` (only that column is read)."""
    frame = read_table(Path(folder) / "responses.parquet", columns=["_submission_id"])
    return set() if frame is None else set(frame["_submission_id"].dropna().astype(str))


#: where the earlier versions of edited submissions go, inside the processed folder
HISTORY = Path("history")


def answers_digest(frame: pd.DataFrame, *, extra: tuple[str, ...] = ()) -> pd.Series:
    """sha256 of each row's answers (columns not starting with ``_``, plus ``extra``).

    Missing answers count for nothing, so a question added to the form since (empty in every
    earlier row) changes no digest; columns are taken in sorted order.

    Examples
    --------
    >>> a = pd.DataFrame({"q": ["x"], "n": pd.array([1], dtype="Int64")})
    >>> b = a.assign(new=pd.Series([None], dtype="string"))
    >>> bool(answers_digest(a)[0] == answers_digest(b)[0])  # an empty new question changes nothing
    True
    >>> bool(answers_digest(a)[0] == answers_digest(a.assign(q="y"))[0])
    False
    """
    columns = sorted(c for c in frame.columns if not str(c).startswith("_") or c in extra)
    text = pd.Series("", index=frame.index, dtype="string")
    for column in columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            strings = values.dt.strftime("%Y-%m-%dT%H:%M:%S.%f")
        else:
            strings = values.astype("string")
        text = text + ("\x1f" + str(column) + "=" + strings).fillna("")
    return pd.Series([hashlib.sha256(str(v).encode("utf-8")).hexdigest() for v in text],
                     index=frame.index, dtype="string")


def submission_digests(responses: pd.DataFrame, repeats: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Submission id → sha256 of everything it answered: its row (and territory) and its repeat rows.

    ``repeats`` maps each repeat table's name to its rows, each with a ``_submission_id``; the
    order of repeat rows does not count.
    """
    ids = responses["_submission_id"].astype(str).tolist()
    parts: dict[str, list[str]] = {i: [d] for i, d in zip(ids, answers_digest(
        responses, extra=("_territory",)).tolist(), strict=True)}
    for name in sorted(repeats):
        frame = repeats[name]
        if frame.empty:
            continue
        digests = pd.DataFrame({"id": frame["_submission_id"].astype(str).to_numpy(),
                                "d": answers_digest(frame).to_numpy()})
        for sid, group in digests.groupby("id", sort=False):
            if sid in parts:
                parts[sid].append(name + ":" + ",".join(sorted(group["d"])))
    return {sid: hashlib.sha256("|".join(values).encode("utf-8")).hexdigest()
            for sid, values in parts.items()}


def stored_submissions(folder: str | Path) -> pd.DataFrame:
    """``_submission_id``, ``_wave``, ``_territory`` of every stored submission (only those columns read)."""
    frame = read_table(Path(folder) / "responses.parquet", columns=["_submission_id", "_wave", "_territory"])
    if frame is None:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in ("_submission_id", "_wave", "_territory")})
    return frame


def repeat_tables(folder: str | Path) -> list[str]:
    """The stored repeat tables, relative to ``folder`` (``relations.parquet``, ``repeats/<n>.parquet``)."""
    folder = Path(folder)
    found = ["relations.parquet"] if (folder / "relations.parquet").is_file() else []
    found += sorted(p.relative_to(folder).as_posix() for p in (folder / "repeats").glob("*.parquet"))
    return found


def stored_digests(folder: str | Path, ids: set[str], *, columns: list[str] | None = None,
                   tables: set[str] | None = None) -> dict[str, str]:
    """:func:`submission_digests` of the stored submissions ``ids``.

    Only the answer ``columns`` (default: all) and the repeat ``tables`` (default: all) count:
    those a new download holds, so that a CSV (no repeats) is compared on what it has.
    """
    folder = Path(folder)
    responses = read_table(folder / "responses.parquet")
    if responses is None or not ids:
        return {}
    responses = responses[responses["_submission_id"].isin(ids)]
    if columns is not None:
        responses = responses[["_submission_id", *(c for c in columns if c in responses.columns)]]
    repeats = {}
    for name in repeat_tables(folder):
        if tables is not None and name not in tables:
            continue
        table = read_table(folder / name)
        if table is not None:
            repeats[name] = table[table["_submission_id"].isin(ids)]
    return submission_digests(responses, repeats)
