"""The read side of a workspace: one line in a notebook gives the survey and the tidy tables.

A workspace is a folder holding ``surveys/`` (XLSForms) and ``data/`` (see
``docs/architecture.md``). Ingestion writes ``data/processed/<survey_id>/``; everything
downstream (notebooks, batch runner, dashboards, exports) reads it through
:func:`open_workspace`.

Examples
--------
>>> import tempfile
>>> from coopwork.demo import sample_survey_path
>>> folder = Path(tempfile.mkdtemp())
>>> (folder / "surveys").mkdir()
>>> _ = shutil.copy(sample_survey_path(), folder / "surveys")
>>> ws = open_workspace(folder)
>>> ws.survey.survey_id
'cooperation_territoriale'
>>> ws.waves, ws.territories
([], [])
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from dataclasses import replace
from functools import cached_property
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from . import paths, waves
from .errors import WorkspaceError
from .fileio import write_json
from .paths import problem
from .survey import Survey, load_survey, side_file_path, survey_from_dict, survey_to_dict
from .threshold import DEFAULT_MIN_COUNT, check_min_count
from .version import __version__

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Workspace", "open_workspace"]

_SURVEY_SUFFIXES = (".xlsx", ".xls")


class Workspace:
    """A workspace folder and its survey; tables are read lazily and cached.

    Use :func:`open_workspace` to create one.
    """

    def __init__(self, root: Path, survey_path: Path, *, min_count: int = DEFAULT_MIN_COUNT) -> None:
        self.root = root
        self.survey_path = survey_path
        self.min_count = check_min_count(min_count)
        self._tables: dict[str, pd.DataFrame] = {}

    # -- paths -----------------------------------------------------------------------------
    @property
    def surveys_dir(self) -> Path:
        """``<workspace>/surveys``: the XLSForms."""
        return paths.surveys_dir(self.root)

    @property
    def raw_dir(self) -> Path:
        """``<workspace>/data/raw``: exports as downloaded (never committed)."""
        return paths.raw_dir(self.root)

    @property
    def processed_dir(self) -> Path:
        """``<workspace>/data/processed/<survey_id>``: the tidy tables."""
        return paths.processed_dir(self.root, self.survey_id)

    @property
    def reports_dir(self) -> Path:
        """``<workspace>/data/reports/<survey_id>``: executed notebooks and HTML."""
        return paths.survey_dir(self.root, "reports", self.survey_id)

    @property
    def exports_dir(self) -> Path:
        """``<workspace>/data/exports/<survey_id>``: static site, workbooks, placemats."""
        return paths.survey_dir(self.root, "exports", self.survey_id)

    @property
    def state_dir(self) -> Path:
        """``<workspace>/.coopwork``: key, run state (git-ignored, never published)."""
        return paths.state_dir(self.root)

    @property
    def journal_url(self) -> str:
        """SQLAlchemy URL of the journal of interpretations (SQLite in the workspace)."""
        return f"sqlite:///{paths.journal_file(self.root).as_posix()}"

    # -- survey and tables --------------------------------------------------------------------
    @cached_property
    def survey(self) -> Survey:
        """The workspace's :class:`~coopwork.survey.Survey`.

        Parsing an XLSForm with pyxform takes a noticeable fraction of a second, so the parsed form
        is kept as JSON in ``.coopwork/cache/``, named after the SHA-256 of the form's bytes and of
        its roles file ``<form>.coopwork.yml`` (and the coopwork version): a changed form is parsed
        again, an unchanged one is read back.
        """
        side = side_file_path(self.survey_path)  # the roles file next to the form counts too
        digest = hashlib.sha256(self.survey_path.read_bytes()
                                + (side.read_bytes() if side.is_file() else b"")).hexdigest()
        cache = self.state_dir / "cache" / f"survey-{__version__}-{digest[:32]}.json"
        try:
            survey = survey_from_dict(json.loads(cache.read_text(encoding="utf-8")))
            if problem(survey.survey_id) is None:  # a cache written before ids were checked: parse again
                return replace(survey, path=self.survey_path)
        except (OSError, ValueError, KeyError, TypeError):
            pass
        survey = load_survey(self.survey_path)
        with contextlib.suppress(OSError):  # a read-only workspace: parse every time
            write_json(cache, survey_to_dict(survey))
        return survey

    @property
    def survey_id(self) -> str:
        """Identifier of the survey (``form_id`` of the XLSForm settings)."""
        return self.survey.survey_id

    def _table(self, name: str) -> pd.DataFrame:
        import pandas as pd  # lazy: pandas (0.3 s) when a table is first read: opening stays light

        if name not in self._tables:
            path = self.processed_dir / f"{name}.parquet"
            self._tables[name] = pd.read_parquet(path) if path.is_file() else pd.DataFrame(
                {c: pd.Series(dtype="string") for c in ("_submission_id", "_wave", "_territory")})
        return self._tables[name]

    @property
    def manifest(self) -> dict:
        """The ingestion manifest (sources with sha256, counts, versions), ``{}`` before any ingest."""
        path = self.processed_dir / "manifest.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    @property
    def waves(self) -> list[str]:
        """Waves present in the responses, sorted."""
        return waves.ordered(self._table("responses")["_wave"].dropna().unique().tolist())

    @property
    def territories(self) -> list[str]:
        """Territories present in the responses, sorted."""
        return sorted(self._table("responses")["_territory"].dropna().unique().tolist())

    @property
    def latest_wave(self) -> str | None:
        """The latest wave overall (:func:`coopwork.waves.current`), or None before any ingest."""
        return waves.current(self.waves)

    def current_wave(self, territories: list[str] | None = None) -> str | None:
        """The wave shown when none is asked: the latest any of ``territories`` answered (all: the latest).

        The same wave as the results of one territory (:mod:`coopwork.waves`).
        """
        if not territories:
            return self.latest_wave
        table = self._table("responses")
        return waves.current(table.loc[table["_territory"].isin(territories), "_wave"].dropna().tolist())

    def territory_label(self, territory: str, lang: str | None = None) -> str:
        """The territory's label: from the survey's choice list, or the answers of a free-text question.

        A free-text territory's id is a slug of its answers (:func:`~coopwork.paths.territory_slug`);
        its label is the answer given most often (then the first in sort order). The id when
        there is none. A label is text: every display escapes it.
        """
        question = self.survey.role("territory")
        if question is None:
            return territory
        if not question.is_select:
            return self._answered_labels.get(territory, territory)
        return self.survey.choice_labels(question.name, lang).get(territory, territory)

    @cached_property
    def _answered_labels(self) -> dict[str, str]:
        """Territory id → the free-text answer given most often for it."""
        question = self.survey.role("territory")
        table = self._table("responses")
        if question is None or question.name not in table.columns:
            return {}
        pairs = table[["_territory", question.name]].dropna().astype(str)
        pairs = pairs.assign(answer=pairs[question.name].map(lambda text: " ".join(text.split())))
        counts = pairs.groupby(["_territory", "answer"]).size().reset_index(name="n")
        counts = counts.sort_values(["_territory", "n", "answer"], ascending=[True, False, True])
        return dict(counts.drop_duplicates("_territory")[["_territory", "answer"]].itertuples(index=False))

    def check(self, wave: str | None = None, territory: str | None = None) -> None:
        """Raise a :class:`WorkspaceError` listing what exists when ``wave`` or ``territory`` does not."""
        if wave is not None and wave not in self.waves:
            raise WorkspaceError("workspace.err_no_wave", wave=wave, file=self.processed_dir,
                                 hint="workspace.hint_choose" if self.waves
                                 else "workspace.hint_ingest_first",
                                 choices=", ".join(self.waves))
        if territory is not None and territory not in self.territories:
            raise WorkspaceError("workspace.err_no_territory", territory=territory, file=self.processed_dir,
                                 hint="workspace.hint_choose" if self.territories
                                 else "workspace.hint_ingest_first",
                                 choices=", ".join(self.territories))

    def _filtered(self, name: str, wave: str | None, territory: str | None) -> pd.DataFrame:
        import pandas as pd  # lazy: pandas, see _table

        self.check(wave, territory)
        table = self._table(name)
        keep = pd.Series(True, index=table.index)
        if wave is not None:
            keep &= table["_wave"] == wave
        if territory is not None:
            keep &= table["_territory"] == territory
        return table[keep].reset_index(drop=True)

    def responses(self, *, wave: str | None = None, territory: str | None = None) -> pd.DataFrame:
        """Accepted responses (one row per submission), optionally for one wave/territory.

        Raises
        ------
        WorkspaceError
            When the wave or territory does not exist; the message lists those that do.
        """
        return self._filtered("responses", wave, territory)

    def relations(self, *, wave: str | None = None, territory: str | None = None) -> pd.DataFrame:
        """Cooperation ties (rows of the partner repeat group), optionally filtered."""
        return self._filtered("relations", wave, territory)

    def repeat(self, name: str, *, wave: str | None = None, territory: str | None = None) -> pd.DataFrame:
        """The rows of the repeat group ``name`` (one per repeat instance, at any depth), optionally filtered.

        Columns: ``_submission_id``, ``_wave``, ``_territory``, ``_key`` (the row), ``_parent_key``
        (the submission, or the enclosing repeat's row), ``_index``, then the repeat's questions. The
        relations repeat (the partners) is :meth:`relations`; a repeat the exports did not hold is an
        empty table.
        """
        if name == self.survey.relations_repeat:
            return self.relations(wave=wave, territory=territory)
        return self._filtered(f"repeats/{name}", wave, territory)

    def quarantine(self) -> pd.DataFrame:
        """Rows rejected at ingestion, with their reason (pseudonymised, as strings)."""
        return self._table("quarantine")

    # -- display ----------------------------------------------------------------------------
    def __repr__(self) -> str:
        return (f"Workspace({str(self.root)!r}, survey={self.survey_id!r}, "
                f"waves={self.waves}, territories={len(self.territories)})")

    def _repr_html_(self) -> str:
        import pandas as pd  # lazy: pandas, see _table

        responses = self._table("responses")
        counts = (responses.groupby(["_territory", "_wave"]).size().unstack(fill_value=0)
                  if len(responses) else pd.DataFrame())
        table = counts.to_html(classes="coopwork-counts", border=0) if len(counts) else "<em>no data yet</em>"
        return (f"<div><strong>coopwork workspace</strong> <code>{escape(str(self.root))}</code><br>"
                f"survey <code>{escape(self.survey_id)}</code> · {len(responses)} responses · "
                f"waves {escape(', '.join(self.waves)) or '—'} · {len(self.territories)} territories · "
                f"disclosure: cells under {self.min_count} respondents are hidden"
                f"<br>responses by territory and wave:{table}</div>")


def _find_survey(root: Path, survey: str | Path | None) -> Path:
    if survey is not None:
        candidate = Path(survey)
        if candidate.is_file():
            return candidate
        for suffix in _SURVEY_SUFFIXES:
            path = paths.surveys_dir(root) / f"{survey}{suffix}"
            if path.is_file():
                return path
        raise WorkspaceError("workspace.err_no_survey_named", survey=survey, file=paths.surveys_dir(root),
                             hint="workspace.hint_survey_name")
    found = sorted(p for p in paths.surveys_dir(root).glob("*") if p.suffix in _SURVEY_SUFFIXES
                   and not p.stem.endswith("_draft") and not p.name.startswith("~$"))
    if not found:
        raise WorkspaceError("workspace.err_no_xlsform", file=paths.surveys_dir(root),
                             hint="workspace.hint_no_xlsform")
    if len(found) > 1:
        with_data = [p for p in found if paths.processed_dir(root, p.stem).is_dir()]
        if len(with_data) == 1:
            return with_data[0]
        raise WorkspaceError("workspace.err_several_surveys", surveys=", ".join(p.stem for p in found),
                             file=paths.surveys_dir(root), hint="workspace.hint_several_surveys")
    return found[0]


def open_workspace(path: str | Path = ".", *, survey: str | Path | None = None,
                   min_count: int = DEFAULT_MIN_COUNT) -> Workspace:
    """Open a workspace folder.

    Parameters
    ----------
    path
        The workspace folder (holding ``surveys/`` and ``data/``).
    survey
        Which survey when ``surveys/`` holds several: a path or a file name without extension.
    min_count
        Disclosure threshold shown in the workspace summary and used by default downstream.

    Raises
    ------
    WorkspaceError
        When the folder or its survey cannot be found.

    Examples
    --------
    >>> open_workspace("/nonexistent")
    Traceback (most recent call last):
    ...
    coopwork.errors.WorkspaceError: /nonexistent: the workspace folder does not exist. ...
    """
    root = Path(path).expanduser().resolve()
    if not root.is_dir():
        raise WorkspaceError("workspace.err_no_folder", file=path, hint="workspace.hint_no_folder")
    return Workspace(root, _find_survey(root, survey), min_count=min_count)


def copy_survey(source: str | Path, workspace: str | Path) -> Path:
    """Copy an XLSForm into ``<workspace>/surveys/`` (unchanged if already identical)."""
    source = Path(source)
    target = paths.surveys_dir(workspace) / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.read_bytes() != source.read_bytes():
        shutil.copyfile(source, target)
    return target
