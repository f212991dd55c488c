"""The sections of the report notebooks, so that the notebooks stay thin.

``notebooks/territory_report.ipynb`` and ``notebooks/synthesis.ipynb`` call these functions,
one per section; each displays Markdown headings, plotly figures and tables built only with
the disclosure-controlled helpers of :mod:`coopwork.analysis` and :mod:`coopwork.figures`.
Nothing here is specific to the sample survey: questions are found through their
``coopwork::dimension`` and ``coopwork::role`` columns.

Examples
--------
>>> heading("Profil", level=3)._repr_markdown_()
'### Profil'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import CoopworkError
from ..i18n import t

__all__ = [
    "Report",
    "heading",
    "open_report",
    "preload",
    "show_change",
    "show_comparison",
    "show_dimension",
    "show_network",
    "show_overview",
    "show_synthesis",
    "show_themes",
]

_SKIPPED_ROLES = {"territory", "organisation", "partner", "name_consent", "weight"}


class heading:  # noqa: N801 - used like a function in notebooks
    """A Markdown heading (or paragraph, ``level=0``) displayed in notebooks and HTML."""

    def __init__(self, text: str, *, level: int = 2) -> None:
        self.text = text
        self.level = level

    def _repr_markdown_(self) -> str:
        return f"{'#' * self.level} {self.text}" if self.level else self.text


@dataclass
class Report:
    """What every section needs: the workspace, the survey, the territory and the waves."""

    ws: Any
    territory: str | None
    wave: str | None
    previous_wave: str | None
    lang: str
    min_count: int
    scores: pd.DataFrame | None = None  # respondent-level dimension scores, computed once

    @property
    def survey(self) -> Any:
        return self.ws.survey

    @property
    def responses(self) -> pd.DataFrame:
        """Responses of the territory (all territories for a synthesis) in the wave."""
        return self.ws.responses(territory=self.territory, wave=self.wave)

    @property
    def label(self) -> str:
        if self.territory is None:
            return t("batch.all_territories", self.lang)
        return self.ws.territory_label(self.territory, self.lang)


def _display(*items: Any) -> None:
    from IPython.display import display

    for item in items:
        display(item)


def _note(text: str) -> None:
    _display(heading(f"*{text}*", level=0))


# workspace root → (fingerprint, Workspace, dimension scores): filled by preload() in the warm
# fork server, so that every forked kernel finds the survey and tables already in memory
_preloaded: dict[str, tuple[str, Any, pd.DataFrame | None]] = {}


def _fingerprint(root: Path) -> str:
    parts = []
    for folder in (root / "surveys", root / "data" / "processed"):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file():
                stat = path.stat()
                parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def preload(workspace: str | Path) -> None:
    """Load a workspace's survey, tables and dimension scores once (in the warm fork server).

    Kernels forked afterwards reuse them when the files did not change since (size and time
    of every file of ``surveys/`` and ``data/processed/``); otherwise they read the files.
    """
    from ..analysis import dimension_scores
    from ..workspace import open_workspace

    ws = open_workspace(workspace)
    root = Path(ws.root)
    fingerprint = _fingerprint(root)
    if root.as_posix() in _preloaded and _preloaded[root.as_posix()][0] == fingerprint:
        return
    ws.responses()
    ws.relations()
    scores = dimension_scores(ws.responses(), ws.survey) if len(ws.responses()) else None
    _preloaded[root.as_posix()] = (fingerprint, ws, scores)


def _open(workspace: str | Path, min_count: int) -> tuple[Any, pd.DataFrame | None]:
    from ..workspace import open_workspace

    root = Path(workspace).expanduser().resolve()
    hit = _preloaded.get(root.as_posix())
    if hit is not None and hit[0] == _fingerprint(root):
        hit[1].min_count = min_count
        return hit[1], hit[2]
    return open_workspace(workspace, min_count=min_count), None


def open_report(*, workspace: str | Path = ".", territory: str | None = None, wave: str | None = None,
                lang: str = "fr", min_count: int = 3) -> Report:
    """Open the workspace for a report; the wave defaults to the territory's latest.

    Also makes plotly figures travel as their JSON mimetype (small notebooks; the HTML export
    renders them offline with one shared plotly.js).
    """
    import plotly.io as pio


    pio.renderers.default = "plotly_mimetype"
    ws, scores = _open(workspace, int(min_count))
    waves = sorted(ws.responses(territory=territory)["_wave"].dropna().unique().tolist())
    if wave is None:
        wave = waves[-1] if waves else ws.latest_wave
    else:
        wave = str(wave)
        ws.responses(wave=wave)  # a clear WorkspaceError when the wave does not exist
    earlier = [w for w in waves if w < wave] if wave else []
    report = Report(ws=ws, territory=territory, wave=wave, previous_wave=earlier[-1] if earlier else None,
                    lang=lang, min_count=int(min_count))
    report.scores = scores
    return report


def show_overview(report: Report) -> None:
    """Title, wave and number of respondents (a count under the threshold is shown as such)."""
    n = len(report.responses)
    shown = str(n) if n >= report.min_count else f"< {report.min_count}"
    _display(heading(t("batch.report_title", report.lang, territory=report.label), level=1),
             heading(t("batch.report_intro", report.lang, wave=report.wave, n=shown,
                       min_count=report.min_count), level=0))


def _questions(report: Report, dimension: str) -> list[Any]:
    survey = report.survey
    return [q for q in survey.dimensions.get(dimension, [])
            if q.repeat is None and not q.identifier and q.role not in _SKIPPED_ROLES
            and (q.is_select or q.is_numeric)]


def _chart(report: Report, question: Any, responses: pd.DataFrame) -> Any:
    from .. import figures
    from ..analysis import summarise

    survey, lang = report.survey, report.lang
    if question.is_numeric and not question.is_select:
        return figures.histogram_chart(responses, survey, question.name, lang=lang,
                                       min_count=report.min_count)
    table = summarise(responses, survey, question.name, lang=lang, min_count=report.min_count)
    if question.is_likert:
        return figures.likert_chart(table, survey=survey, lang=lang)
    return figures.bar_chart(table, survey=survey, question=question.name, lang=lang)


def show_dimension(report: Report, dimension: str) -> None:
    """One chart per closed question of a dimension (profile, mutualisation, trust, …)."""
    from ..analysis import dimension_label

    _display(heading(dimension_label(dimension, report.lang)))
    questions = _questions(report, dimension)
    if not questions:
        _note(t("batch.no_question", report.lang))
        return
    responses = report.responses
    if len(responses) < report.min_count:
        _note(t("batch.too_few", report.lang, min_count=report.min_count))
        return
    for question in questions:
        try:
            _display(_chart(report, question, responses))
        except CoopworkError as err:
            _note(f"{report.survey.label(question.name, report.lang)} — {err}")


def show_network(report: Report) -> None:
    """The cooperation network of the territory and its measures (density, degree, …)."""
    from .. import figures
    from ..analysis import build_network, network_stats

    _display(heading(t("batch.network", report.lang)))
    survey = report.survey
    if survey.role("partner") is None:
        _note(t("batch.no_question", report.lang))
        return
    graph = build_network(report.ws.relations(), report.ws.responses(), survey,
                          territory=report.territory, wave=report.wave)
    _display(figures.network_chart(graph, survey=survey, lang=report.lang, min_count=report.min_count))
    if sum(1 for _, d in graph.nodes(data=True) if d.get("respondent")) >= report.min_count:
        _display(network_stats(graph))


def _scores(report: Report) -> pd.DataFrame:
    from ..analysis import dimension_scores

    if report.scores is None:
        report.scores = dimension_scores(report.ws.responses(), report.survey)
    return report.scores


def show_comparison(report: Report) -> None:
    """Dimension scores of the territory against the other territories and all of them."""
    from .. import figures
    from ..analysis import compare_scores

    _display(heading(t("batch.comparison", report.lang)))
    table = compare_scores(_scores(report), territory=report.territory, wave=report.wave,
                           min_count=report.min_count, lang=report.lang)
    _display(figures.scores_chart(table, survey=report.survey, lang=report.lang))


def show_change(report: Report) -> None:
    """Change of the dimension scores since the previous wave (when there is one)."""
    from .. import figures
    from ..analysis import score_change

    _display(heading(t("batch.change", report.lang)))
    if report.previous_wave is None:
        _note(t("batch.no_previous_wave", report.lang, wave=report.wave))
        return
    table = score_change(_scores(report), territory=report.territory, wave_from=report.previous_wave,
                         wave_to=report.wave, min_count=report.min_count, lang=report.lang)
    _display(figures.change_chart(table, territory=report.territory, survey=report.survey, lang=report.lang))


def show_themes(report: Report) -> None:
    """Themes of the free-text answers, counted with the survey's codebook when it has one."""
    from .. import figures
    from ..analysis import load_codebook, theme_counts

    _display(heading(t("batch.themes", report.lang)))
    ws = report.ws
    codebook = ws.surveys_dir / f"codebook_{ws.survey_id}.yml"
    texts = [q for q in report.survey.top_level if q.type == "text" and not q.identifier
             and q.role not in _SKIPPED_ROLES and q.dimension not in (None, "profile")]
    if not codebook.is_file() or not texts:
        _note(t("batch.no_codebook", report.lang, path=f"surveys/{codebook.name}"))
        return
    book = load_codebook(codebook)
    for question in texts:
        table = theme_counts(report.responses, report.survey, question.name, codebook=book,
                             min_count=report.min_count, lang=report.lang)
        _display(figures.bar_chart(table.rename(columns={"theme": "option"}).assign(question=question.name),
                                   survey=report.survey, question=question.name, lang=report.lang))


def show_synthesis(report: Report) -> None:
    """All territories side by side: respondents per wave, dimension scores, change."""
    from .. import figures
    from ..analysis import compare_scores, protect, score_change

    lang, ws = report.lang, report.ws
    responses = ws.responses()
    _display(heading(t("batch.synthesis_counts", lang)))
    counts = responses.groupby(["_territory", "_wave"]).size().rename("n").reset_index()
    counts["territory"] = [ws.territory_label(x, lang) for x in counts["_territory"]]
    _display(protect(counts, count="n", min_count=report.min_count)
             .pivot(index="territory", columns="_wave", values="display"))
    _display(heading(t("batch.synthesis_scores", lang)))
    scores = _scores(report)
    rows = []
    for territory in ws.territories:
        table = compare_scores(scores, territory=territory, wave=report.wave, min_count=report.min_count,
                               lang=lang)
        mine = table[table["group"] == "territory"].copy()
        mine["group"] = territory
        mine["group_label"] = ws.territory_label(territory, lang)
        rows.append(mine)
    if rows:
        _display(figures.scores_chart(pd.concat(rows, ignore_index=True), survey=report.survey, lang=lang))
    if report.previous_wave is not None:
        _display(heading(t("batch.change", lang)))
        change = score_change(scores, territory=None, wave_from=report.previous_wave, wave_to=report.wave,
                              min_count=report.min_count, lang=lang)
        change["territory"] = [ws.territory_label(x, lang) for x in change["_territory"]]
        _display(change.pivot(index="territory", columns="dimension_label", values="display"))
