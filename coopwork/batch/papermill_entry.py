"""What papermill's ``papermill.engine`` entry point loads: ``papermill --engine coopwork``.

papermill reads its entry points while ``papermill.engines`` is being imported, and
:mod:`coopwork.batch.engine` imports ``papermill.engines`` to subclass its engine. An entry point
naming that module would be loaded half-way through its own import (a circular import). This
module imports nothing from papermill: it hands each notebook to the real engine, imported only
when papermill runs one.

Examples
--------
>>> from coopwork.batch.papermill_entry import CoopworkEngine
>>> callable(CoopworkEngine.execute_notebook)
True
"""

from __future__ import annotations

from typing import Any

__all__ = ["CoopworkEngine"]


class CoopworkEngine:
    """papermill's view of :class:`coopwork.batch.engine.CoopworkEngine` (same call, same result)."""

    @classmethod
    def execute_notebook(cls, *args: Any, **kwargs: Any) -> Any:
        """Execute with the real engine (papermill calls this for ``engine_name="coopwork"``)."""
        from .engine import CoopworkEngine as Engine  # lazy: not while papermill.engines imports (above)

        return Engine.execute_notebook(*args, **kwargs)
