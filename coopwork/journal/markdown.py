"""The journal's notes as Markdown: the one module that turns notes into a Markdown page.

Two pages are written from the same notes, each by one function here:

- :func:`diary_markdown` — the researcher's research diary (``coopwork journal export --format md``):
  territory → wave → chart → kind, with the participant's name, the time and the note's number;
- :func:`published_markdown` — the page an export publishes (``notes/<territory>.md``): one
  section per chart as people read it (the ``about`` column), no name, the date only.

Participants' words are escaped with :func:`coopwork.words.markdown` in both, so that they cannot
add links, images or HTML.

Examples
--------
>>> import pandas as pd
>>> notes = pd.DataFrame({"about": ["Type d'organisation"], "kind": ["see"], "text": ["Beaucoup *d'assos*"],
...                       "created_at": [pd.Timestamp("2025-03-01 10:00", tz="UTC")]})
>>> print(published_markdown(notes, title="Notes", lang="fr"), end="")  # doctest: +ELLIPSIS
# Notes
<BLANKLINE>
## Type d'organisation
<BLANKLINE>
- **...** — Beaucoup \\*d'assos\\* (2025-03-01)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..i18n import t
from ..vocabulary import KINDS, kind_label
from ..words import markdown

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["diary_markdown", "published_markdown"]


def diary_markdown(table: pd.DataFrame, *, lang: str = "fr") -> str:
    """The notes of :meth:`coopwork.journal.Journal.notes` as a research-diary page.

    Territory → wave → chart → kind (in the order of :data:`coopwork.vocabulary.KINDS`); each note
    with its author's name when given, its time (UTC) and its number.
    """
    lines = [f"# {t('dashboard.journal_title', lang)}", ""]
    if table.empty:
        lines.append(t("dashboard.no_notes", lang))
    for (territory, wave), group in table.groupby(["territory", "wave"], sort=True):
        lines += [f"## {markdown(territory)} — {t('dashboard.wave', lang)} {markdown(wave)}", ""]
        for chart, notes in group.groupby("chart", sort=False):
            lines += [f"### {markdown(chart)}", ""]
            for kind in KINDS:
                of_kind = notes[notes["kind"] == kind]
                if of_kind.empty:
                    continue
                lines += [f"**{kind_label(kind, lang)}**", ""]
                for note in of_kind.itertuples():
                    who = f" — {markdown(note.display_name)}" if note.display_name else ""
                    when = note.created_at.strftime("%Y-%m-%d %H:%M")
                    lines.append(f"- {markdown(note.text)}{who} ({when} UTC, n°{note.id})")
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def published_markdown(notes: pd.DataFrame, *, title: str, lang: str) -> str:
    """The notes an export publishes, one section per ``about`` (what the note is about, as read).

    ``notes`` has the columns ``about``, ``kind``, ``text`` and ``created_at``; no name is written.
    """
    import pandas as pd  # lazy: a dashboard kernel imports the journal and must not import pandas

    lines = [f"# {title}", ""]
    if notes.empty:
        lines.append(t("export.no_notes", lang))
    for about, group in notes.groupby("about", sort=False):
        lines += [f"## {markdown(about)}", ""]
        for note in group.itertuples():
            kind = kind_label(note.kind, lang)
            when = pd.Timestamp(note.created_at).strftime("%Y-%m-%d")
            lines.append(f"- **{markdown(kind)}** — {markdown(note.text)} ({when})")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
