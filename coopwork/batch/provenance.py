"""Provenance of a report: what made it, so that anyone can tell whether it is up to date.

Every executed report records the coopwork version, the notebook hash, the data manifest
hash, the parameters and the time — in the notebook metadata (``metadata.coopwork.provenance``,
written by the batch runner) **and** in a footer shown at the end of the report (the last
cell of each notebook calls :func:`footer`). Under plain papermill the footer computes what
it can itself (the notebook hash is then unknown and shown as such).

Examples
--------
>>> info = provenance(parameters={"territory": "t1", "wave": "2025", "lang": "fr", "min_count": 3},
...                   notebook_hash="ab" * 32, manifest_hash="cd" * 32, at="2026-01-01T10:00:00+00:00")
>>> sorted(info)
['coopwork_version', 'data_hash', 'manifest_hash', 'notebook_hash', 'parameters', 'time']
>>> print(Footer(info, lang="en")._repr_markdown_().splitlines()[1])
*Report produced by coopwork ... on 2026-01-01 10:00 UTC*
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from html import escape
from pathlib import Path
from typing import Any

from ..i18n import t
from ..paths import PROCESSED
from ..threshold import DEFAULT_MIN_COUNT
from ..version import __version__
from .notebook import markdown_text

__all__ = ["Footer", "footer", "manifest_hash", "provenance"]

_SHOWN_PARAMETERS = ("territory", "wave", "lang", "min_count")


def manifest_hash(workspace: str | Path) -> str:
    """SHA-256 of the workspace's ingestion manifest(s) ("" before any ingest)."""
    root = Path(workspace)
    digest = hashlib.sha256()
    found = False
    for path in sorted((root / PROCESSED).glob("*/manifest.json")):
        digest.update(path.parent.name.encode())
        digest.update(path.read_bytes())
        found = True
    return digest.hexdigest() if found else ""


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def provenance(*, parameters: dict[str, Any], notebook_hash: str | None = None,
               manifest_hash: str | None = None, data_hash: str | None = None,
               at: str | None = None) -> dict[str, Any]:
    """The provenance record of one report (JSON-ready).

    Parameters
    ----------
    parameters
        The notebook parameters (``workspace`` is left out: a path is not provenance).
    notebook_hash, manifest_hash, data_hash
        SHA-256 hex digests; None when unknown.
    at
        ISO time of the run (default: now, UTC).
    """
    return {
        "coopwork_version": __version__,
        "notebook_hash": notebook_hash,
        "manifest_hash": manifest_hash,
        "data_hash": data_hash,
        "parameters": {k: v for k, v in parameters.items() if k not in ("workspace", "run_info")},
        "time": at or _now(),
    }


class Footer:
    """A report footer shown as Markdown in notebooks, Voilà and the HTML export."""

    def __init__(self, info: dict[str, Any], *, lang: str = "fr") -> None:
        self.info = info
        self.lang = lang

    def _lines(self) -> list[str]:
        """The three lines of the footer, as plain text."""
        info, lang = self.info, self.lang
        when = str(info.get("time") or "")
        with contextlib.suppress(ValueError):
            when = dt.datetime.fromisoformat(when).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        unknown = t("batch.unknown", lang)
        short = {k: (str(info.get(k))[:12] if info.get(k) else unknown)
                 for k in ("notebook_hash", "manifest_hash", "data_hash")}
        params = info.get("parameters") or {}
        shown = ", ".join(f"{k}={params[k]}" for k in _SHOWN_PARAMETERS if k in params)
        return [t("batch.footer_made", lang, version=info.get("coopwork_version"), time=when),
                t("batch.footer_hashes", lang, notebook=short["notebook_hash"],
                  manifest=short["manifest_hash"], data=short["data_hash"]),
                t("batch.footer_parameters", lang, parameters=shown)]

    def _repr_markdown_(self) -> str:
        made, hashes, parameters = (markdown_text(line) for line in self._lines())
        return "\n".join(["---", f"*{made}*  ", f"{hashes}  ", parameters])

    def _repr_html_(self) -> str:
        body = "<br>".join(escape(line) for line in self._lines())
        return f'<footer class="coopwork-provenance"><hr><small>{body}</small></footer>'

    def __repr__(self) -> str:
        return self._repr_markdown_()


def footer(*, workspace: str | Path = ".", territory: str | None = None, wave: str | None = None,
           lang: str = "fr", min_count: int = DEFAULT_MIN_COUNT,
           run_info: dict[str, Any] | None = None) -> Footer:
    """The provenance footer of a report (the last cell of every coopwork notebook).

    ``run_info`` is injected by ``coopwork run`` (notebook and data hashes, run time); under
    plain papermill it is None and the footer computes the manifest hash and the time itself.
    """
    run_info = run_info or {}
    parameters = {"territory": territory, "wave": wave, "lang": lang, "min_count": min_count}
    info = provenance(parameters=parameters, notebook_hash=run_info.get("notebook_hash"),
                      manifest_hash=run_info.get("manifest_hash") or manifest_hash(workspace) or None,
                      data_hash=run_info.get("data_hash"), at=run_info.get("time"))
    return Footer(info, lang=lang)
