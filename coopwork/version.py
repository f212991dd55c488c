"""The installed version of coopwork (part of every result's key, report footer and export record).

Examples
--------
>>> isinstance(__version__, str) and len(__version__) > 0
True
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("coopwork")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"
