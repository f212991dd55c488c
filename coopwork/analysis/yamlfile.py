"""The researcher's YAML files (the codebook of the free-text themes, the scores' settings), read
with one clear error.

Examples
--------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "codebook.yml"
>>> _ = path.write_text("themes: {}\\n", encoding="utf-8")
>>> read_yaml(path, what="codebook")
{'themes': {}}
>>> try:
...     read_yaml(path.with_name("missing.yml"), what="scores")
... except CoopworkError as err:
...     err.code
'analysis_errors.config_unreadable'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml

from ..errors import CoopworkError

__all__ = ["read_yaml"]


def read_yaml(path: str | Path, *, what: Literal["codebook", "scores"]) -> Any:
    """The content of the YAML file at ``path`` (``{}`` when it is empty): ``what`` it holds, the
    codebook of the free-text themes or the scores' settings, names it in the error.

    Raises
    ------
    CoopworkError
        When the file cannot be read or is not YAML (the reader's error and the file named).
    """
    path = Path(path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CoopworkError("analysis_errors.codebook_unreadable" if what == "codebook"
                            else "analysis_errors.config_unreadable", error=str(exc), file=path,
                            hint="analysis_errors.hint_yaml") from None
