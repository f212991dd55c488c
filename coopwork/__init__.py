"""coopwork — a Jupyter workbench for participatory action research on territorial cooperation.

The package is layered (see ``docs/architecture.md``): ``survey`` → ``ingest`` →
``workspace`` → ``analysis`` → ``figures`` → ``batch`` / ``dashboard`` / ``export``.
"""

from __future__ import annotations

from .errors import CoopworkError
from .version import __version__

__all__ = ["CoopworkError", "__version__", "load_survey", "open_workspace"]


def __getattr__(name: str):
    """Import the public entry points lazily so that ``import coopwork`` stays fast."""
    if name == "load_survey":
        from .survey import load_survey

        return load_survey
    if name == "open_workspace":
        from .workspace import open_workspace

        return open_workspace
    raise AttributeError(name)
