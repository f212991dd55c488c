"""The sections of the report notebooks: they format a territory's results, nothing more.

``notebooks/territory_report.ipynb`` and ``notebooks/synthesis.ipynb`` call these functions.
Every number, table and figure comes from the territory's results (:mod:`coopwork.results`),
computed once and shared with the dashboards and the exports; nothing here summarises,
protects or builds a network.

Under ``coopwork run`` the results are already on disk (``run_info`` names the file); under
plain papermill :func:`open_report` makes sure they are current first.

The runner imports this module for every run (through the provenance footer's Markdown), one with
nothing to do too: IPython's display (0.2 to 0.35 s) is imported by the functions that show something,
and the results' tables (pandas, 0.6 s) by :meth:`Report.table`.

Examples
--------
>>> heading("Profil", level=3)._repr_markdown_()
'### Profil'
>>> markdown_table([["a|b", "1"]], ["x", "n"]).splitlines()[-1]
'| a\\\\|b | 1 |'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from ..figures.theme import with_template
from ..fileio import load
from ..i18n import t
from ..results.store import ensure
from ..threshold import DEFAULT_MIN_COUNT
from ..workspace import open_workspace

__all__ = ["Report", "heading", "markdown_table", "markdown_text", "open_report", "preload", "show_overview",
           "show_section", "show_sections", "show_synthesis", "table"]

PLOTLY_MIME = "application/vnd.plotly.v1+json"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#!])")


def markdown_text(text: object) -> str:
    """``text`` as inert Markdown: HTML escaped, Markdown punctuation backslash-escaped, one line.

    A label or an answer shown in a report is text, never markup: ``<img onerror=…>``,
    ``</script>`` or ``[link](javascript:…)`` come out as the characters they are.

    Examples
    --------
    >>> markdown_text("<img src=x onerror=alert(1)> *gras* [a](b)")
    '&lt;img src=x onerror=alert(1)&gt; \\\\*gras\\\\* \\\\[a\\\\](b)'
    """
    flat = " ".join(str("" if text is None else text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escape(flat, quote=False))


class heading:  # noqa: N801 - used like a function in notebooks
    """A heading (``level`` 1–6) or a paragraph (``level=0``) of plain text, shown escaped.

    It displays as HTML (what nbconvert, JupyterLab and Voilà pick first) and as Markdown;
    ``text`` is never read as markup in either, so a territory label or an answer that holds
    ``<script>`` shows as text. ``emphasis`` sets the text in italics.

    Examples
    --------
    >>> heading("Rapport — <b>Morlaix</b>", level=1)._repr_html_()
    '<h1>Rapport — &lt;b&gt;Morlaix&lt;/b&gt;</h1>'
    >>> heading("hidden", level=0, emphasis=True)._repr_markdown_()
    '*hidden*'
    """

    def __init__(self, text: str, *, level: int = 2, emphasis: bool = False) -> None:
        self.text = text
        self.level = level
        self.emphasis = emphasis

    def _repr_markdown_(self) -> str:
        text = markdown_text(self.text)
        text = f"*{text}*" if self.emphasis else text
        return f"{'#' * self.level} {text}" if self.level else text

    def _repr_html_(self) -> str:
        text = escape(" ".join(str(self.text).split()))
        text = f"<em>{text}</em>" if self.emphasis else text
        tag = f"h{self.level}" if self.level else "p"
        return f"<{tag}>{text}</{tag}>"


def markdown_table(rows: Sequence[Sequence[object]], headers: Sequence[str]) -> str:
    """A Markdown table whose cells are inert text (a ``|`` or a ``<`` in a label changes nothing)."""
    lines = ["| " + " | ".join(markdown_text(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(markdown_text(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


class table:  # noqa: N801 - used like a function in notebooks
    """A table of plain-text cells, shown as an HTML table (and a Markdown one), every cell escaped.

    Examples
    --------
    >>> table([["<i>a</i>", 3]], ["territory", "n"])._repr_html_()
    '<table><thead><tr><th>territory</th><th>n</th></tr></thead><tbody><tr><td>&lt;i&gt;a&lt;/i&gt;</td><td>3</td></tr></tbody></table>'
    """

    def __init__(self, rows: Sequence[Sequence[object]], headers: Sequence[str]) -> None:
        self.rows = [list(row) for row in rows]
        self.headers = list(headers)

    def _repr_markdown_(self) -> str:
        return markdown_table(self.rows, self.headers)

    def _repr_html_(self) -> str:
        def cells(values: Sequence[object], tag: str) -> str:
            return "".join(f"<{tag}>{escape(' '.join(str('' if v is None else v).split()))}</{tag}>"
                           for v in values)

        body = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in self.rows)
        return f"<table><thead><tr>{cells(self.headers, 'th')}</tr></thead><tbody>{body}</tbody></table>"


@dataclass
class Report:
    """A territory's (or, with ``territory`` None, every territory's) results, ready to show."""

    results: dict
    lang: str
    min_count: int

    @property
    def territory(self) -> str | None:
        return None if self.results["territory"] == "_all" else self.results["territory"]

    @property
    def wave(self) -> str:
        return self.results["wave"]

    @property
    def previous_wave(self) -> str | None:
        return self.results["previous_wave"]

    @property
    def label(self) -> str:
        return self.results["territory_label"]

    @property
    def sections(self) -> list[str]:
        """The sections of the results in their order: the form's own (dimensions or groups), then
        other questions, themes, comparison and change — only those with something to show."""
        return [s["id"] for s in self.results["sections"]]

    def charts(self, section: str) -> list[dict]:
        """The charts of one section, for every organisation."""
        return [c for c in self.results["views"].get("", {}).get("charts", []) if c["section"] == section]

    def table(self, name: str) -> Any:
        """One of the results' tables as a DataFrame (None when the results have none)."""
        from ..results.tables import decode  # lazy: pandas (module's note)
        data = self.results["tables"].get(name)
        return None if data is None else decode(data)


def _missing(value: object) -> bool:
    """None, NaN, NaT or pd.NA (a table cell left empty)."""
    return value is None or (isinstance(value, float) and value != value) or str(value) in ("<NA>", "NaT")


def _display(*items: Any) -> None:
    from IPython.display import display  # lazy: IPython (see the module's note)

    for item in items:
        display(item)


def _note(text: str) -> None:
    _display(heading(text, level=0, emphasis=True))


def _figure(chart: dict) -> None:
    from IPython.display import display  # lazy: IPython (see the module's note)

    display({PLOTLY_MIME: with_template(chart["figure"]), "text/plain": chart["title"]}, raw=True)


def preload(workspace: str | Path) -> None:
    """Import, in the warm fork server, what every report kernel needs (the kernels fork from it):
    this module's own imports, IPython's display and the results' tables."""
    import IPython.display  # noqa: F401  # lazy: IPython (see the module's note)

    from ..results import tables  # noqa: F401  # lazy: pandas (see the module's note)


def open_report(*, workspace: str | Path = ".", territory: str | None = None, wave: str | None = None,
                lang: str = "fr", min_count: int = DEFAULT_MIN_COUNT, run_info: dict | None = None) -> Report:
    """The results of a territory (``None``: all territories) for a report.

    The wave defaults to the territory's own latest wave (the synthesis: the latest wave).
    ``run_info`` (injected by ``coopwork run``) names the results file already prepared;
    without it the results are made current here (:func:`coopwork.results.store.ensure`).

    Raises
    ------
    WorkspaceError
        When the workspace, the territory or the wave does not exist.
    """
    path = (run_info or {}).get("results")
    results = load(path) if path else None
    if results is None:
        ws = open_workspace(workspace, min_count=int(min_count))
        ws.check(None if wave is None else str(wave), territory)
        entries = ensure(ws, territories=[] if territory is None else [territory],
                         waves=None if wave is None else [str(wave)], langs=(lang,), min_count=int(min_count),
                         synthesis=territory is None)
        results = load(entries[-1].path)
    return Report(results=results, lang=lang, min_count=int(min_count))


def show_overview(report: Report) -> None:
    """Title, wave and number of responding organisations (a count under the threshold shown as such)."""
    results, lang = report.results, report.lang
    n = results["respondents"]
    shown = f"< {report.min_count}" if n["suppressed"] else str(n["n"])
    if results.get("cooperation", True):
        title = t("batch.report_title", lang, territory=report.label)
    else:  # any other form is named by its own title
        title = t("batch.report_title_survey", lang, survey=results["survey_title"], territory=report.label)
    intro = "batch.report_intro" if results.get("unit", "organisations") == "organisations" \
        else "batch.report_intro_responses"
    _display(heading(title, level=1),
             heading(t(intro, lang, wave=report.wave, n=shown, min_count=report.min_count,
                       label=t("analysis.hidden_other", lang)), level=0))
    figures = results["key_figures"][1:]  # the rows of the repeats, the network's measures
    if figures:
        headers = [t("batch.measure", lang), t("batch.value", lang)]
        _display(table(figures, headers))


def show_section(report: Report, section: str) -> None:
    """One section of the results (heading, then each chart or the reason it is not shown).

    Sections without any chart (no such question in the survey) are left out. The network
    section also shows the network's key figures.
    """
    charts = report.charts(section)
    view = report.results["views"].get("", {})
    if not charts:
        if view.get("message") and section == "profile":
            _note(view["message"])
        return
    label = next((s["label"] for s in report.results["sections"] if s["id"] == section), section)
    _display(heading(label))
    for chart in charts:
        if chart.get("figure"):
            _figure(chart)
        else:
            _note(f"{chart['title']} — {chart.get('message') or ''}")
        if chart["id"] == "network" and chart.get("figure"):
            figures = report.results["key_figures"][1:]
            _display(table(figures, [t("batch.measure", report.lang), t("batch.value", report.lang)]))


def show_sections(report: Report) -> None:
    """Every section of the results, in order (:attr:`Report.sections`)."""
    for section in report.sections:
        show_section(report, section)


def show_synthesis(report: Report) -> None:
    """Every territory side by side: responding organisations, network, changes since the previous wave."""
    lang = report.lang
    overview = report.table("overview")
    if overview is not None and len(overview):
        _display(heading(t("batch.synthesis_counts", lang)))
        rows = [[r.label, r.display, "" if r.suppressed or _missing(r.density) else r.density]
                for r in overview.itertuples()]
        _display(table(rows, [t("batch.index_territory", lang), t("batch.respondents", lang),
                              t("export.kf_density", lang)]))
    changes = report.table("changes")
    if changes is not None and len(changes):
        _display(heading(t("batch.change", lang)))
        rows = [[r.territory, r.measure, f"{r.wave_before} → {r.wave_after}", r.display,
                 t(f"export.unit_{r.unit}", lang)]  # a score moves in points, a network measure in its unit
                for r in changes.itertuples()]
        _display(table(rows, [t("batch.index_territory", lang), t("batch.measure", lang),
                              t("batch.waves", lang), t("batch.value", lang), t("export.h_unit", lang)]))
