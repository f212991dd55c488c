"""A dashboard page's side of the journal: the notes of its place, the notes it sends, a poll for others'.

One :class:`PageNotes` per page (one Voilà kernel). It stores the notes the page's script sends —
each once, by the id the page gave it, and no more than :data:`~coopwork.journal.MAX_NOTES_PER_MINUTE`
a minute for one page (its random :attr:`~PageNotes.participant` key) — remembers what became of
them (:attr:`~PageNotes.acks`, which the page reads), and polls the journal every
:data:`NOTES_POLL_SECONDS` so that notes written or hidden on any page appear on this one without a
click. The page (:class:`coopwork.dashboard.page.Dashboard`) shows them.

Examples
--------
>>> index = {"survey_id": "s", "waves": ["2025"], "territories": {"fr": {"t01": "Nord"}}}
>>> notes = PageNotes("/nowhere", database="sqlite://", survey_id="s")
>>> notes.store({"id": "n1", "chart": "org_type", "about": "scop", "kind": "see", "text": "Beaucoup",
...              "territory": "t01", "wave": "2025"}, index=index, lang="fr", wave="2025")
>>> [(n["chart"], n["text"]) for n in notes.by_chart(territory="t01", wave="2025")["org_type#scop"]]
[('org_type#scop', 'Beaucoup')]
"""

from __future__ import annotations

import secrets
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path

from ..errors import DashboardError
from ..journal import Journal
from ..journal.about import note_chart
from ..paths import ALL

__all__ = ["MAX_ACKS", "NOTES_POLL_SECONDS", "PageNotes", "log_exception"]

#: how often an open page reads the journal for the notes written or hidden on other pages
NOTES_POLL_SECONDS = 2.5
#: notes whose fate a page's kernel remembers (the page keeps a note until it hears it was stored)
MAX_ACKS = 100


def log_exception() -> None:
    """Write the exception being handled to the server's log (a visitor sees a sentence, never this)."""
    print("coopwork dashboard error:\n" + traceback.format_exc(), file=sys.stderr, flush=True)


class PageNotes:
    """The journal as one page of the dashboards of a survey sees it.

    Parameters
    ----------
    root
        The workspace folder (its SQLite journal unless ``database`` is given).
    database
        Journal database URL.
    survey_id
        The survey whose notes the page shows.
    """

    def __init__(self, root: str | Path, *, database: str | None, survey_id: str) -> None:
        self.root, self.database, self.survey_id = Path(root), database, survey_id
        #: this page's random key: the journal limits the notes one participant adds per minute
        self.participant = secrets.token_hex(8)
        #: note id (given by the page) → ``"stored"``, or why it was refused
        self.acks: dict[str, str] = {}
        self._journal: Journal | None = None
        self._stop = threading.Event()

    @property
    def journal(self) -> Journal:
        """The journal of interpretations (opened on first use)."""
        if self._journal is None:
            self._journal = Journal(self.database, workspace=self.root)
        return self._journal

    def store(self, note: dict, *, index: dict, lang: str, wave: str) -> None:
        """Store a note the page sent (about its chart, or one bar of it: its ``about`` key) in its
        territory and wave (else ``wave``), which must be those of the results' ``index``.

        Raises
        ------
        DashboardError
            When the note is not about a place of these results, or the journal refuses it (empty,
            too long, too many in the last minute: :meth:`coopwork.journal.Journal.add`).
        """
        territory = str(note.get("territory") or ALL)
        wave = str(note.get("wave") or wave)
        chart = str(note.get("chart") or "")
        about = str(note.get("about") or "")
        known = territory == ALL or any(territory in labels for labels in index["territories"].values())
        if not known or wave not in index["waves"] or not chart or len(chart) + len(about) > 190:
            raise DashboardError("dashboard.note_failed", lang=lang)
        self.journal.add(self.survey_id, territory=territory, wave=wave,
                         chart=note_chart(chart, about), kind=str(note.get("kind") or "see"),
                         text=str(note.get("text") or ""),
                         display_name=str(note.get("name") or ""), lang=lang, participant=self.participant,
                         client_id=note["id"])

    def answer(self, note_id: str, answer: str) -> None:
        """Remember what became of a note (``"stored"`` or why not), the last :data:`MAX_ACKS` only."""
        self.acks[note_id] = answer
        while len(self.acks) > MAX_ACKS:
            self.acks.pop(next(iter(self.acks)))

    def by_chart(self, *, territory: str | None, wave: str) -> dict[str, list[dict]]:
        """The visible notes of a place, grouped by the ``chart`` they are about (none when the journal
        cannot be read: the page still shows its charts)."""
        try:
            records = self.journal.records(survey_id=self.survey_id, territory=territory or ALL,
                                           wave=str(wave))
        except Exception:
            log_exception()
            return {}
        grouped: dict[str, list[dict]] = {}
        for record in records:
            grouped.setdefault(record["chart"], []).append(record)
        return grouped

    def watch(self, refresh: Callable[[], None], lock: threading.RLock) -> None:
        """Call ``refresh`` (holding ``lock``) every :data:`NOTES_POLL_SECONDS` in a background thread,
        until :meth:`close`."""

        def loop() -> None:
            while not self._stop.wait(NOTES_POLL_SECONDS):
                try:
                    with lock:
                        refresh()
                except Exception:
                    log_exception()

        threading.Thread(target=loop, name="coopwork-notes", daemon=True).start()

    def close(self) -> None:
        """Stop polling (the page is gone)."""
        self._stop.set()
