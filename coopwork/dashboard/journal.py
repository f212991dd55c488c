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

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DashboardError
from ..i18n import t

if TYPE_CHECKING:
    import pandas as pd
    import sqlalchemy as sa

__all__ = ["KINDS", "MAX_TEXT", "MAX_NAME", "Journal", "database_url", "open_journal"]

KINDS = ("see", "means", "do")
MAX_TEXT = 2000
MAX_NAME = 60
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
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if value is None or str(value) == "":
        if workspace is None:
            raise DashboardError("dashboard_errors.no_database", hint="dashboard_errors.hint_no_database")
        value = (Path(workspace).expanduser().resolve() / "data" / "journal.sqlite").as_posix()
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
        import sqlalchemy as sa

        self.url = _parse_url(url, workspace)
        self._sqlite = self.url.get_backend_name() == "sqlite"
        if self._sqlite and self.url.database not in (None, "", ":memory:"):
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
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
            sa.Index("ix_notes_place", "survey_id", "territory", "wave", "chart"),
        )
        try:
            self._retry(lambda: metadata.create_all(self.engine))
        except sa.exc.OperationalError as err:
            raise DashboardError("dashboard_errors.cannot_open",
                                 value=self.url.render_as_string(hide_password=True),
                                 hint="dashboard_errors.hint_cannot_open") from err

    # -- writing ---------------------------------------------------------------------------
    def add(self, survey_id: str, *, territory: str, wave: str, chart: str, kind: str, text: str,
            display_name: str = "", lang: str = "fr") -> int:
        """Store one note and return its id.

        Raises
        ------
        DashboardError
            When the text is empty or too long, or the kind is unknown (the message is in ``lang``).
        """
        text = (text or "").strip()
        display_name = " ".join((display_name or "").split())
        if kind not in KINDS:
            raise DashboardError("dashboard.note_bad_kind", kinds=", ".join(KINDS), value=kind, lang=lang)
        if not text:
            raise DashboardError("dashboard.note_empty", lang=lang)
        if len(text) > MAX_TEXT:
            raise DashboardError("dashboard.note_too_long", n=MAX_TEXT, value=len(text), lang=lang)
        if len(display_name) > MAX_NAME:
            raise DashboardError("dashboard.name_too_long", n=MAX_NAME, value=len(display_name), lang=lang)
        row = {"survey_id": str(survey_id), "territory": str(territory), "wave": str(wave),
               "chart": str(chart), "kind": kind, "text": text, "display_name": display_name,
               "created_at": datetime.now(UTC), "hidden": False}

        def insert() -> int:
            with self.engine.begin() as conn:
                return int(conn.execute(self.table.insert().values(**row)).inserted_primary_key[0])

        return self._retry(insert)

    def hide(self, note_id: int) -> None:
        """Hide a note from the dashboards (moderation); it stays in the database."""
        self._moderate(note_id, hidden=True)

    def restore(self, note_id: int) -> None:
        """Show a hidden note again."""
        self._moderate(note_id, hidden=False)

    def _moderate(self, note_id: int, *, hidden: bool) -> None:
        def update() -> int:
            with self.engine.begin() as conn:
                statement = (self.table.update().where(self.table.c.id == int(note_id))
                             .values(hidden=hidden, moderated_at=datetime.now(UTC)))
                return conn.execute(statement).rowcount

        if self._retry(update) == 0:
            raise DashboardError("dashboard_errors.no_note", note_id=note_id, value=note_id,
                                 hint="dashboard_errors.hint_no_note")

    # -- reading ---------------------------------------------------------------------------
    def records(self, *, survey_id: str | None = None, territory: str | None = None,
                wave: str | None = None, chart: str | None = None,
                include_hidden: bool = False) -> list[dict]:
        """Notes as plain dicts in the order they were written (light: no pandas, for the dashboards)."""
        import sqlalchemy as sa

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
        import pandas as pd

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
        """The notes as CSV (cells that a spreadsheet would run as a formula are neutralised).

        Returns the CSV text; also writes it to ``path`` when given. ``filters`` are those of
        :meth:`notes`.
        """
        from ..export.safe import neutralise_frame

        table = self.notes(**filters)  # type: ignore[arg-type]
        table["created_at"] = table["created_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        text = neutralise_frame(table).to_csv(index=False, lineterminator="\n")
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def to_markdown(self, path: str | Path | None = None, *, lang: str = "fr", **filters: object) -> str:
        """The notes as a Markdown research-diary page: territory → wave → chart → kind.

        Participants' words are escaped so that they cannot add links, images or HTML.
        """
        table = self.notes(**filters)  # type: ignore[arg-type]
        lines = [f"# {t('dashboard.journal_title', lang)}", ""]
        if table.empty:
            lines.append(t("dashboard.no_notes", lang))
        for (territory, wave), group in table.groupby(["territory", "wave"], sort=True):
            lines += [f"## {_md(territory)} — {t('dashboard.wave', lang)} {_md(wave)}", ""]
            for chart, notes in group.groupby("chart", sort=False):
                lines += [f"### {_md(chart)}", ""]
                for kind in KINDS:
                    of_kind = notes[notes["kind"] == kind]
                    if of_kind.empty:
                        continue
                    lines += [f"**{t(f'dashboard.kind_{kind}', lang)}**", ""]
                    for note in of_kind.itertuples():
                        who = f" — {_md(note.display_name)}" if note.display_name else ""
                        when = note.created_at.strftime("%Y-%m-%d %H:%M")
                        lines.append(f"- {_md(note.text)}{who} ({when} UTC, n°{note.id})")
                    lines.append("")
        text = "\n".join(lines).rstrip() + "\n"
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    # -- helpers ---------------------------------------------------------------------------
    def _retry(self, action, attempts: int = 20):
        """Run ``action``, retrying while SQLite says the database is locked (many writers)."""
        import sqlalchemy as sa

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


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _md(text: object) -> str:
    """Escape Markdown and HTML in a participant's words (one line)."""
    value = " ".join(str(text).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char in "\\`*_{}[]()#+!|":
        value = value.replace(char, "\\" + char)
    return value


def open_journal(workspace: str | Path | None = None, *, database: str | None = None) -> Journal:
    """The journal of a workspace (its SQLite file) or of the ``database`` URL when given."""
    return Journal(database, workspace=workspace)
