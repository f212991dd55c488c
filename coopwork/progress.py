"""The progress bar convention for long work: tqdm on **stderr**, never on stdout.

stdout is kept for results (``--json`` prints exactly one JSON object there), so every
progress bar and message of a long command goes to stderr. Bars are hidden when stderr is
not a terminal (CI logs, papermill, Voilà) unless ``COOPWORK_PROGRESS=1``.

Examples
--------
>>> sum(progress(range(3), desc="demo"))
3
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

__all__ = ["progress", "say"]


def progress(items: Iterable[T], *, total: int | None = None, desc: str = "",
             unit: str = "it") -> Iterator[T]:
    """Iterate over ``items`` with a progress bar on stderr (when stderr is a terminal)."""
    from tqdm.auto import tqdm  # lazy: tqdm, 30 to 110 ms, and a run with nothing to do shows no bar

    forced = os.environ.get("COOPWORK_PROGRESS") == "1"
    disable = False if forced else not sys.stderr.isatty()
    yield from tqdm(items, total=total, desc=desc, unit=unit, file=sys.stderr,
                    disable=disable, dynamic_ncols=True, leave=False)


def say(message: str) -> None:
    """Print a human message on stderr (stdout is for results)."""
    print(message, file=sys.stderr, flush=True)
