"""The journal of interpretations (*co-interprétation*): notes that workshop participants attach to charts.

A note is what a group says about one chart of one territory's dashboard: *what we see*,
*what it means for us* or *what we will do*. Notes live in a real database so that the 25–30
participants of a workshop can write at the same time without losing any: SQLite in WAL mode
by default (``<workspace>/data/journal.sqlite``), or any PostgreSQL URL (``pip install
"coopwork[postgres]"``). Visitors add notes; only the researcher hides or restores them
(moderation never deletes: a hidden note is kept and can be restored).

Data shape: :meth:`Journal.notes` returns one row per note with the columns ``id`` (int),
``survey_id``, ``territory``, ``wave``, ``chart``, ``kind`` (``see`` / ``means`` / ``do``),
``text``, ``display_name`` (may be empty), ``created_at`` (UTC), ``hidden`` (bool).

What participants type is cleaned *before* it is stored (:func:`clean_text`): terminal escape
sequences, other control characters (NUL, bell, backspace…) and the invisible bidirectional
overrides that make text read backwards are removed, so neither ``coopwork journal list`` in a
terminal nor an export can be tricked. A participant — one dashboard page, identified by a
random ``participant`` key stored with the note — may add at most :data:`MAX_NOTES_PER_MINUTE`
notes per minute.

On disk, the SQLite file is readable by its owner only (mode 0600): notes are participants' words.

sqlalchemy is imported where a journal is opened, not with this module: :mod:`coopwork.export`
imports the journal but opens one only when the workspace has notes, and sqlalchemy would add
0.3–0.5 s to every export (measured after ``import coopwork.export``, about 1 s). pandas, too, is
imported by :meth:`Journal.notes` only: a dashboard kernel reads :meth:`Journal.records` without it.

Examples
--------
>>> journal = Journal("sqlite://")                     # in memory, for the example
>>> note = journal.add("cooperation_territoriale", territory="t01", wave="2025", chart="profile.org_type",
...                    kind="see", text="Beaucoup d'associations", display_name="Awa")
>>> journal.notes(territory="t01")[["id", "kind", "text", "hidden"]].to_dict("records")
[{'id': 1, 'kind': 'see', 'text': "Beaucoup d'associations", 'hidden': False}]
>>> journal.hide(note); len(journal.notes(territory="t01")), len(journal.notes(include_hidden=True))
(0, 1)
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DashboardError
from ..paths import journal_file
from ..vocabulary import KINDS
from ..words import BIDI, to_csv
from .markdown import diary_markdown

if TYPE_CHECKING:
    import pandas as pd
    import sqlalchemy as sa

__all__ = ["KINDS", "MAX_TEXT", "MAX_NAME", "MAX_NOTES_PER_MINUTE", "Journal", "clean_text", "database_url",
           "open_journal"]

MAX_TEXT = 2000
MAX_NAME = 60
#: notes one participant (one dashboard page) may add in any 60 seconds
MAX_NOTES_PER_MINUTE = 6
MAX_PARTICIPANT = 64
_COLUMNS = ["id", "survey_id", "territory", "wave", "chart", "kind", "text", "display_name",
            "created_at", "hidden"]


def database_url(value: str | Path | None, *, workspace: str | Path | None = None) -> str:
    """Turn what a user typed into the SQLAlchemy URL of the journal (password hidden, for display).

    ``None`` gives the workspace's SQLite file; a path gives a SQLite file; ``postgres://`` and
    ``postgresql://`` URLs use the psycopg 3 driver.

    Raises
    ------
    DashboardError
        For a URL of an unsupported database or a malformed one.

    Examples
    --------
    >>> database_url(None, workspace="/data/ws")
    'sqlite:////data/ws/data/journal.sqlite'
    >>> database_url("postgres://rap:secret@db.example.org:5432/journal")
    'postgresql+psycopg://rap:***@db.example.org:5432/journal'
    >>> database_url("notes.sqlite")
    'sqlite:///notes.sqlite'
    """
    return _parse_url(value, workspace).render_as_string(hide_password=True)


def _parse_url(value: str | Path | None, workspace: str | Path | None) -> sa.URL:
    from sqlalchemy.engine import make_url  # lazy: coopwork.export, 0.3–0.5 s (module doc)
    from sqlalchemy.exc import ArgumentError  # lazy: coopwork.export, 0.3–0.5 s (module doc)

    if value is None or str(value) == "":
        if workspace is None:
            raise DashboardError("dashboard_errors.no_database", hint="dashboard_errors.hint_no_database")
        value = journal_file(Path(workspace).expanduser().resolve()).as_posix()
    text = str(value)
    if "://" not in text:
        return make_url(f"sqlite:///{Path(text).expanduser().as_posix()}")
    if text.startswith("postgres://"):
        text = "postgresql://" + text.removeprefix("postgres://")
    try:
        url = make_url(text)
    except ArgumentError as err:
        raise DashboardError("dashboard_errors.bad_url", value=_masked(text),
                             hint="dashboard_errors.hint_bad_url") from err
    backend = url.get_backend_name()
    if backend == "postgresql":
        if url.drivername != "postgresql+psycopg":
            url = url.set(drivername="postgresql+psycopg")
        if not url.database:
            raise DashboardError("dashboard_errors.no_database_name", value=_masked(text),
                                 hint="dashboard_errors.hint_no_database_name")
    elif backend != "sqlite":
        raise DashboardError("dashboard_errors.bad_backend", backend=backend, value=_masked(text),
                             hint="dashboard_errors.hint_bad_backend")
    return url


def _masked(text: str) -> str:
    """Hide the password of a URL before showing it in a message."""
    if "@" in text and "://" in text:
        scheme, rest = text.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return text


# ANSI/VT escape sequences: CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \\), other ESC + one char;
# and their 8-bit C1 forms (CSI = U+009B, OSC = U+009D)
_ESCAPES = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
                      r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\\\|\x9c)?"
                      r"|\x1b[@-Z\\-_]?")


def clean_text(text: str, *, multiline: bool = True) -> str:
    """Remove what could fool a terminal or a reader from a participant's words.

    Terminal escape sequences are removed whole; other control characters (category ``Cc``: NUL,
    bell, backspace, C1 controls…) and bidirectional overrides are dropped. Line breaks
    (``\\r\\n``, ``\\r``, U+2028/U+2029) become ``\\n`` when ``multiline``, else spaces like tabs;
    spaces at both ends are trimmed. Letters, accents and emoji (with their joiners) are kept.

    Examples
    --------
    >>> clean_text("\\x1b[2J\\x1b[31mrouge\\x1b[0m et\\x00 nul")
    'rouge et nul'
    >>> clean_text("facture\\u202etxt.exe"), clean_text("a\\r\\nb\\tc", multiline=False)
    ('facturetxt.exe', 'a b c')
    >>> clean_text("Élan  coopératif 🤝\\nligne 2")
    'Élan  coopératif 🤝\\nligne 2'
    """
    text = str(text or "").replace("\r\n", "\n").translate({0x0D: "\n", 0x2028: "\n", 0x2029: "\n"})
    text = _ESCAPES.sub("", text)
    kept = []
    for char in text:
        if char == "\n":
            kept.append("\n" if multiline else " ")
        elif char == "\t":
            kept.append("\t" if multiline else " ")
        elif char in BIDI or unicodedata.category(char) == "Cc":
            continue
        else:
            kept.append(char)
    return "".join(kept).strip()


class Journal:
    """A connection to the journal database; create the table on first use.

    Parameters
    ----------
    url
        SQLAlchemy URL, file path, or ``None`` for the workspace's SQLite file.
    workspace
        The workspace folder (used when ``url`` is ``None``).
    """

    def __init__(self, url: str | Path | None = None, *, workspace: str | Path | None = None) -> None:
        import sqlalchemy as sa  # lazy: coopwork.export, 0.3–0.5 s (module doc)

        self.url = _parse_url(url, workspace)
        self._sqlite = self.url.get_backend_name() == "sqlite"
        if self._sqlite and self.url.database not in (None, "", ":memory:"):
            _private_database(Path(self.url.database))
        options: dict = {}
        if self._sqlite:
            options["connect_args"] = {"timeout": 30}
            if self.url.database in (None, "", ":memory:"):
                options["poolclass"] = sa.pool.StaticPool
        try:
            self.engine = sa.create_engine(self.url, **options)
        except ModuleNotFoundError as err:
            raise DashboardError("dashboard_errors.no_driver", driver=err.name,
                                 hint="dashboard_errors.hint_no_driver") from err
        if self._sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata = sa.MetaData()
        self.table = sa.Table(
            "notes", metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("survey_id", sa.String(200), nullable=False),
            sa.Column("territory", sa.String(200), nullable=False),
            sa.Column("wave", sa.String(100), nullable=False),
            sa.Column("chart", sa.String(200), nullable=False),
            sa.Column("kind", sa.String(10), nullable=False),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("display_name", sa.String(MAX_NAME), nullable=False, default=""),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("hidden", sa.Boolean, nullable=False, default=False),
            sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("participant", sa.String(MAX_PARTICIPANT), nullable=True),
            # the id a dashboard page gives a note: a page that sends it again (its kernel went away
            # before it heard back) does not store it twice
            sa.Column("client_id", sa.String(MAX_PARTICIPANT), nullable=True),
            sa.Index("ix_notes_place", "survey_id", "territory", "wave", "chart"),
            sa.Index("ix_notes_client_id", "client_id", unique=True),
        )
        try:
            self._retry(lambda: metadata.create_all(self.engine))
            self._retry(self._add_missing_columns)
        except sa.exc.OperationalError as err:
            raise DashboardError("dashboard_errors.cannot_open",
                                 value=self.url.render_as_string(hide_password=True),
                                 hint="dashboard_errors.hint_cannot_open") from err

    def _add_missing_columns(self) -> None:
        """Bring a journal written by an older coopwork up to date (columns are only ever added)."""
        import sqlalchemy as sa  # lazy: coopwork.export, 0.3–0.5 s (module doc)

        with self.engine.begin() as conn:
            present = {column["name"] for column in sa.inspect(conn).get_columns("notes")}
            for column in self.table.columns:
                if column.name not in present:
                    kind = column.type.compile(dialect=self.engine.dialect)
                    conn.execute(sa.text(f'ALTER TABLE notes ADD COLUMN "{column.name}" {kind}'))
            conn.execute(sa.text("CREATE UNIQUE INDEX IF NOT EXISTS ix_notes_client_id ON notes (client_id)"))

    # -- writing ---------------------------------------------------------------------------
    def add(self, survey_id: str, *, territory: str, wave: str, chart: str, kind: str, text: str,
            display_name: str = "", lang: str = "fr", participant: str | None = None,
            client_id: str | None = None) -> int:
        """Store one note and return its id.

        The text and the name are cleaned first (:func:`clean_text`). ``participant`` is the
        random key of the dashboard page writing the note: one participant may add at most
        :data:`MAX_NOTES_PER_MINUTE` notes in any 60 seconds (the researcher's own writes,
        without a key, are not limited). ``client_id`` is the id the page gave the note: a note
        already stored under it is not stored again (its id is returned).

        Raises
        ------
        DashboardError
            When the text is empty or too long, the kind is unknown, or the participant wrote too
            many notes in the last minute (the message is in ``lang``).
        """
        import sqlalchemy as sa  # lazy: coopwork.export, 0.3–0.5 s (module doc)

        text = clean_text(text)
        display_name = " ".join(clean_text(display_name, multiline=False).split())
        participant = clean_text(participant, multiline=False)[:MAX_PARTICIPANT] or None
        client_id = clean_text(client_id, multiline=False)[:MAX_PARTICIPANT] or None
        if kind not in KINDS:
            raise DashboardError("dashboard.note_bad_kind", kinds=", ".join(KINDS), value=kind, lang=lang)
        if not text:
            raise DashboardError("dashboard.note_empty", lang=lang)
        if len(text) > MAX_TEXT:
            raise DashboardError("dashboard.note_too_long", n=MAX_TEXT, value=len(text), lang=lang)
        if len(display_name) > MAX_NAME:
            raise DashboardError("dashboard.name_too_long", n=MAX_NAME, value=len(display_name), lang=lang)
        now = datetime.now(UTC)
        row = {"survey_id": clean_text(survey_id, multiline=False), "territory": str(territory),
               "wave": str(wave), "chart": str(chart), "kind": kind, "text": text,
               "display_name": display_name, "created_at": now, "hidden": False, "participant": participant,
               "client_id": client_id}

        def stored(conn) -> int | None:
            if client_id is None:
                return None
            query = sa.select(self.table.c.id).where(self.table.c.client_id == client_id)
            return conn.execute(query).scalar_one_or_none()

        def limited(conn) -> bool:
            return participant is not None and self._recent(conn, participant, now) >= MAX_NOTES_PER_MINUTE

        def insert() -> int:
            try:
                with self.engine.begin() as conn:
                    earlier = stored(conn)
                    if earlier is not None:
                        return int(earlier)
                    if limited(conn):
                        raise DashboardError("dashboard.note_rate_limited", n=MAX_NOTES_PER_MINUTE, lang=lang)
                    return int(conn.execute(self.table.insert().values(**row)).inserted_primary_key[0])
            except sa.exc.IntegrityError:  # the same note, sent twice at the same moment: stored once
                with self.engine.connect() as conn:
                    earlier = stored(conn)
                if earlier is None:
                    raise
                return int(earlier)

        return self._retry(insert)

    def _recent(self, conn, participant: str, now: datetime) -> int:
        """Notes of ``participant`` written in the 60 seconds before ``now``."""
        import sqlalchemy as sa  # lazy: coopwork.export, 0.3–0.5 s (module doc)

        query = (sa.select(sa.func.count()).select_from(self.table)
                 .where(self.table.c.participant == participant)
                 .where(self.table.c.created_at > now - timedelta(minutes=1)))
        return int(conn.execute(query).scalar_one())

    def hide(self, *note_ids: int) -> None:
        """Hide notes from the dashboards (moderation); they stay in the database.

        All or nothing: when one id is unknown, no note is hidden.
        """
        self._moderate(note_ids, hidden=True)

    def restore(self, *note_ids: int) -> None:
        """Show hidden notes again (all or nothing, like :meth:`hide`)."""
        self._moderate(note_ids, hidden=False)

    def _moderate(self, note_ids: tuple[int, ...], *, hidden: bool) -> None:
        import sqlalchemy as sa  # lazy: coopwork.export, 0.3–0.5 s (module doc)

        wanted = sorted({int(note_id) for note_id in note_ids})

        def update() -> None:
            with self.engine.begin() as conn:
                query = sa.select(self.table.c.id).where(self.table.c.id.in_(wanted))
                found = set(conn.execute(query).scalars())
                missing = [note_id for note_id in wanted if note_id not in found]
                if missing:  # raised inside the transaction: nothing is changed
                    raise DashboardError("dashboard_errors.no_note", note_id=", ".join(map(str, missing)),
                                         value=missing[0], hint="dashboard_errors.hint_no_note")
                conn.execute(self.table.update().where(self.table.c.id.in_(wanted))
                             .values(hidden=hidden, moderated_at=datetime.now(UTC)))

        self._retry(update)

    # -- reading ---------------------------------------------------------------------------
    def records(self, *, survey_id: str | None = None, territory: str | None = None,
                wave: str | None = None, chart: str | None = None,
                include_hidden: bool = False) -> list[dict]:
        """Notes as plain dicts in the order they were written (light: no pandas, for the dashboards)."""
        import sqlalchemy as sa  # lazy: coopwork.export, 0.3–0.5 s (module doc)

        query = sa.select(*(self.table.c[name] for name in _COLUMNS)).order_by(self.table.c.id)
        for name, value in (("survey_id", survey_id), ("territory", territory), ("wave", wave),
                            ("chart", chart)):
            if value is not None:
                query = query.where(self.table.c[name] == str(value))
        if not include_hidden:
            query = query.where(self.table.c.hidden == sa.false())

        def select() -> list:
            with self.engine.connect() as conn:
                return conn.execute(query).all()

        return [dict(zip(_COLUMNS, row, strict=True)) for row in self._retry(select)]

    def notes(self, *, survey_id: str | None = None, territory: str | None = None,
              wave: str | None = None, chart: str | None = None,
              include_hidden: bool = False) -> pd.DataFrame:
        """Notes in the order they were written, optionally filtered (hidden ones left out by default)."""
        import pandas as pd  # lazy: a dashboard kernel must not import pandas (it reads records)

        rows = self.records(survey_id=survey_id, territory=territory, wave=wave, chart=chart,
                            include_hidden=include_hidden)
        table = pd.DataFrame([tuple(r.values()) for r in rows], columns=_COLUMNS)
        table["id"] = table["id"].astype("int64")
        table["hidden"] = table["hidden"].astype(bool)
        table["created_at"] = pd.to_datetime(table["created_at"], utc=True)
        for name in _COLUMNS[1:8]:
            table[name] = table[name].astype("str")
        return table

    # -- exporting -------------------------------------------------------------------------
    def to_csv(self, path: str | Path | None = None, **filters: object) -> str:
        """The notes as CSV, written by :func:`coopwork.words.to_csv`.

        Cells that a spreadsheet would run as a formula are neutralised, lines end with CRLF, and
        the file written to ``path`` starts with a UTF-8 byte-order mark so that spreadsheets
        show accents correctly. Returns the CSV text (without the mark). ``filters`` are those of
        :meth:`notes`.
        """
        table = self.notes(**filters)  # type: ignore[arg-type]
        table["created_at"] = table["created_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        return to_csv(table, path)

    def to_markdown(self, path: str | Path | None = None, *, lang: str = "fr", **filters: object) -> str:
        """The notes as a Markdown research-diary page: territory → wave → chart → kind.

        Written by :func:`coopwork.journal.markdown.diary_markdown`: participants' words are escaped
        so that they cannot add links, images or HTML.
        """
        text = diary_markdown(self.notes(**filters), lang=lang)  # type: ignore[arg-type]
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    # -- helpers ---------------------------------------------------------------------------
    def _retry(self, action, attempts: int = 20):
        """Run ``action``, retrying while SQLite says the database is locked (many writers)."""
        import sqlalchemy as sa  # lazy: coopwork.export, 0.3–0.5 s (module doc)

        for attempt in range(attempts):
            try:
                return action()
            except sa.exc.OperationalError as err:
                if not self._sqlite or "locked" not in str(err) or attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        """Close the connections."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Journal({self.url.render_as_string(hide_password=True)!r})"


def _private_database(path: Path) -> None:
    """Create the SQLite file (and its folder) readable by its owner only; tighten an existing one.

    SQLite gives its ``-wal`` and ``-shm`` files the mode of the database file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
    except OSError:  # a journal file shared on purpose, owned by someone else: leave its mode
        pass
    finally:
        os.close(descriptor)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.is_file():
            with contextlib.suppress(OSError):
                os.chmod(companion, 0o600)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def open_journal(workspace: str | Path | None = None, *, database: str | None = None) -> Journal:
    """The journal of a workspace (its SQLite file) or of the ``database`` URL when given."""
    return Journal(database, workspace=workspace)
