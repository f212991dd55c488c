"""Which wave: the order of waves, the current wave and the previous one — for every consumer.

A wave is an id given at ingestion (``--wave 2025``). Waves are ordered by their id (sorted
as text: ``2025`` < ``2026``, ``2025-spring`` < ``2025-autumn`` is the user's to name well).
When no wave is asked for, a display shows the **current** wave of what it shows: a
territory's own latest wave (a territory that did not answer the last wave keeps showing its
own), the latest wave overall for the synthesis, and for several territories the latest wave
any of them answered. "What changed" compares with the **previous** wave: the latest of the
same territory's waves before the one shown.

The results (``results.inputs.Inputs``), the workspace (``Workspace.current_wave``), the
dashboards and the data export (``export --data``) all take their wave from here.

Examples
--------
>>> ordered(["2026", "2025", "2026"])
['2025', '2026']
>>> current(["2025", "2026"]), current([])
('2026', None)
>>> previous(["2024", "2025", "2026"], "2026"), previous(["2025"], "2025")
('2025', None)
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["ordered", "current", "previous"]


def ordered(waves: Iterable[object]) -> list[str]:
    """The distinct waves in order (missing values left out).

    Examples
    --------
    >>> ordered(["b", None, "a"])
    ['a', 'b']
    """
    return sorted({str(w) for w in waves if not _missing(w)})


def _missing(value: object) -> bool:
    """None, NaN or pandas' NA (without importing pandas)."""
    return value is None or (isinstance(value, float) and value != value) or type(value).__name__ == "NAType"


def current(waves: Iterable[object]) -> str | None:
    """The current wave of these waves: the latest, None when there is none.

    Examples
    --------
    >>> current(["2025", "2026"])
    '2026'
    """
    found = ordered(waves)
    return found[-1] if found else None


def previous(waves: Iterable[object], wave: str) -> str | None:
    """The latest of ``waves`` before ``wave`` (the one "what changed" compares with), else None.

    Examples
    --------
    >>> previous(["2024", "2025", "2026"], "2026")
    '2025'
    """
    return current(w for w in ordered(waves) if w < str(wave))
