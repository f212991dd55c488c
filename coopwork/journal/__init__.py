"""The journal of interpretations: participants' notes, read and written by the dashboards and the export.

The journal sits below both displays (``docs/architecture.md``, its layer table): the dashboards
write notes and the researcher moderates them; the export publishes the visible ones.

- :mod:`coopwork.journal.store` — the notes in SQLite (WAL) or PostgreSQL: :class:`Journal`,
  :func:`open_journal`, :func:`database_url`, :func:`clean_text`;
- :mod:`coopwork.journal.markdown` — the notes as Markdown (the research diary and the published page);
- :mod:`coopwork.journal.about` — what a note is about: a chart, or one bar of it (``OPTION_MARK``,
  :func:`~coopwork.journal.about.chart_options`), for the dashboards that write notes and the export
  that names them.

Examples
--------
>>> from coopwork.journal import Journal
>>> journal = Journal("sqlite://")
>>> journal.add("s", territory="t01", wave="2025", chart="c", kind="do", text="Relancer")
1
"""

from .markdown import diary_markdown, published_markdown
from .store import (
    KINDS,
    MAX_NAME,
    MAX_NOTES_PER_MINUTE,
    MAX_TEXT,
    Journal,
    clean_text,
    database_url,
    open_journal,
)

__all__ = ["KINDS", "MAX_TEXT", "MAX_NAME", "MAX_NOTES_PER_MINUTE", "Journal", "clean_text", "database_url",
           "diary_markdown", "open_journal", "published_markdown"]
