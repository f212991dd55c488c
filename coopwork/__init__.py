"""coopwork — a Jupyter workbench for participatory action research on territorial cooperation.

The package is layered (see ``docs/architecture.md``): ``survey`` → ``ingest`` →
``workspace`` → ``analysis`` → ``figures`` → ``batch`` / ``dashboard`` / ``export``.
"""

from __future__ import annotations

from .errors import CoopworkError
from .version import __version__

__all__ = ["CoopworkError", "__version__", "load_survey", "open_workspace"]


def __getattr__(name: str):
    """Import the public entry points lazily so that ``import coopwork`` stays fast.

    Every ``coopwork`` command imports this package first; the form and the workspace modules
    would add about 45 ms to each (``coopwork --help`` imports in about 65 ms without them).
    """
    if name == "load_survey":
        from .survey import load_survey  # lazy: 45 ms more for every command (see above)

        return load_survey
    if name == "open_workspace":
        from .workspace import open_workspace  # lazy: see above

        return open_workspace
    raise AttributeError(name)
