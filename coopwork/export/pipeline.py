"""The export pipeline: :func:`export_all` writes everything a programme can publish, in named steps.

For each territory of a workspace, into ``<workspace>/data/exports/<survey_id>/``
(the folders are :data:`coopwork.paths.EXPORT_FOLDERS`)::

    index.html                     cross-territory synthesis, links to everything below
    territories/<t>.html           one page per territory (interactive charts, offline)
    reports/<t>/<notebook>.html    the batch runner's reports, when they exist (made offline),
    reports/synthesis.html         and its synthesis report
    workbooks/<t>.xlsx             indicator tables + README sheet; workbooks/synthesis.xlsx
    placemats/<t>.html, <t>.pdf    the one-page data placemat (A4 landscape; PDF via Chromium)
    network/<t>.gexf, <t>_nodes.csv, <t>_edges.csv   for Gephi
    network/<t>_waves.gexf         the network over every wave (dynamic GEXF: spells, ties gained/lost)
    notes/<t>.csv, <t>.md          the journal's interpretation notes (no participant names)
    audit/<t>.json, audit/_all.json   the disclosure audit of what each territory's (and the
                                   synthesis's) files show (coopwork.results.audit; `coopwork check`)
    assets/plotly.min.js, style.css

The steps, in order: :func:`_plan` (check the request, ensure the results, decide the wave and
the territories: nothing is written before it), :func:`_write_territories` (each territory's
workbook, network files, notes and placemat, its PDF printed in one Chromium while the next
territories are written, then its reports, page, dynamic GEXF and audit), :func:`_write_synthesis`
(the synthesis workbook and report, the index, the synthesis audit).

The export reads the reports folder and never runs the batch: the ``coopwork export`` command
runs again the reports in another language first (:mod:`coopwork.export.cli`).

Examples
--------
>>> result = ExportResult(site=Path("x"), index=Path("x/index.html"))
>>> sorted(result.as_dict())
['files', 'index', 'placemats', 'site', 'territories', 'warnings']
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..contacts import mask
from ..errors import ExportError
from ..fileio import load, write_json
from ..i18n import normalise_lang, t
from ..journal import open_journal, published_markdown
from ..paths import (
    ALL,
    AUDIT,
    NETWORK,
    NOTES,
    PLACEMATS,
    REPORTS,
    WORKBOOKS,
    export_name,
    in_export,
    journal_file,
    reports_dir,
)
from ..progress import progress
from ..results.audit import publication
from ..results.inputs import Inputs
from ..results.network import graph_from_links
from ..results.store import Entry, ensure
from ..results.tables import encode
from ..threshold import DEFAULT_MIN_COUNT, check_min_count
from ..version import __version__
from ..words import to_csv
from ..workspace import Workspace, open_workspace
from .content import TerritoryContent, note_heading, synthesis_content, territory_content
from .network_files import write_dynamic_gexf, write_network_files
from .pages import territory_page, write_index
from .placemat import PdfPrinter, placemat_html
from .reports import report_language
from .site import PLOTLY_JS, REUSED, plotly_for, sanitise_report, write_assets
from .staging import moved, staged
from .workbook import write_workbook

__all__ = ["ExportResult", "export_all", "journal_notes"]


@dataclass
class ExportResult:
    """What :func:`export_all` wrote (paths are absolute)."""

    site: Path
    index: Path
    territories: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    placemats: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def relocated(self, staging: Path, target: Path) -> ExportResult:
        """The same result with the paths written in ``staging`` moved to ``target``."""
        staging = Path(staging).resolve()

        def where(path: Path) -> Path:
            return moved(Path(path).resolve(), staging, target)

        return replace(self, site=where(self.site), index=where(self.index),
                       files=[where(p) for p in self.files], placemats=[where(p) for p in self.placemats])

    def finished(self) -> ExportResult:
        """Every file once, sorted, and the placemats, as absolute paths."""
        self.files = sorted(dict.fromkeys(p.resolve() for p in self.files))
        self.placemats = [p.resolve() for p in self.placemats]
        return self

    def as_dict(self) -> dict:
        """A JSON-ready dict (paths as strings)."""
        return {
            "site": str(self.site),
            "index": str(self.index),
            "territories": list(self.territories),
            "files": [str(p) for p in self.files],
            "placemats": [str(p) for p in self.placemats],
            "warnings": list(self.warnings),
        }


@dataclass
class _Plan:
    """What one export publishes, decided before anything is written (:func:`_plan`)."""

    ws: Workspace
    inputs: Inputs
    lang: str
    min_count: int
    #: the synthesis' wave (the latest, or ``--wave``); each territory is at its own latest
    wave: str | None
    #: the territories exported now, in order (``[ALL]`` for a form without territories)
    wanted: list[str]
    #: territories asked for that have no result in the wave (a warning each)
    missing: list[str]
    #: every territory's results entry (also those not exported now: the index covers them)
    entries: dict[str, Entry]
    synthesis: Entry | None
    #: a form without a territory question: all respondents are published as one unit
    alone: bool
    provenance: dict[str, str] = field(default_factory=dict)

    @property
    def footer(self) -> str:
        return " · ".join(f"{k}: {v}" for k, v in self.provenance.items())


def _provenance(ws, *, wave: str | None, lang: str, min_count: int, when: str) -> dict[str, str]:
    survey = ws.survey
    sources = ws.manifest.get("sources", [])
    files = ", ".join(sorted({str(s.get("sha256", ""))[:12] for s in sources})) or "—"
    return {
        t(
            "export.prov_survey", lang
        ): f"{survey.title} ({survey.survey_id}, version {survey.version or '—'})",
        t("export.prov_wave", lang): wave or "—",
        t("export.prov_sources", lang): t("export.prov_sources_text", lang, n=len(sources), ids=files),
        t("export.prov_date", lang): when,
        t("export.prov_tool", lang): f"coopwork {__version__}",
        t("export.prov_rule", lang): t("export.prov_rule_text", lang, min_count=min_count,
                                       label=t("analysis.hidden_other", lang)),
    }


def journal_notes(ws, territory: str, *, wave: str | None) -> pd.DataFrame:
    """The visible journal notes of a territory, ready to publish: no participant name, and
    e-mail addresses, phone numbers or pseudonyms typed in a note masked as ``[…]``.

    Returns an empty table when the workspace has no journal (the journal is never created here).
    """
    columns = ["id", "territory", "wave", "chart", "kind", "text", "created_at"]
    database = journal_file(ws.root)
    if not database.is_file():
        return pd.DataFrame(columns=columns)
    journal = open_journal(ws.root)
    try:
        notes = journal.notes(survey_id=ws.survey_id, territory=territory, wave=wave)
    finally:
        journal.close()
    notes = notes[columns].copy()
    notes["text"] = notes["text"].astype("str").map(lambda text: mask(text, "[…]"))
    return notes.reset_index(drop=True)


def _network_history(ws: Any, territories: list[str], inputs: Any, *, lang: str,
                     min_count: int) -> dict[str, list[tuple[str, Any]]]:
    """Each territory's published network in each of its waves, oldest first, as ``(wave, graph)``:
    read from the stored results (ensured here, so computed only when stale), for the dynamic GEXF
    (:func:`~coopwork.export.network_files.write_dynamic_gexf`). ``ALL`` reads the syntheses."""
    waves_of = inputs.fingerprint.waves_of
    own = [x for x in territories if x != ALL]
    entries = ensure(ws, territories=own, waves=waves_of.get(ALL, []), langs=(lang,),
                     synthesis=ALL in territories, min_count=min_count, inputs=inputs,
                     jobs=os.cpu_count() or 1)
    history: dict[str, list[tuple[str, Any]]] = {}
    for entry in entries:  # ensure returns each territory's waves in their order
        links = (load(entry.path) or {}).get("graph")
        if links is not None:
            history.setdefault(entry.territory or ALL, []).append((entry.wave, graph_from_links(links)))
    return history


def export_all(
    workspace: str | Path = ".",
    *,
    territories: list[str] | None = None,
    wave: str | None = None,
    lang: str = "fr",
    min_count: int = DEFAULT_MIN_COUNT,
    placemat_pdf: bool = True,
    paper: str = "A4",
    into: Path | None = None,
) -> ExportResult:
    """Export the site, workbooks, placemats, network files and notes of a workspace.

    Everything is written in a private folder first and moved into ``data/exports/<survey>/``
    only when all of it was written (:mod:`coopwork.export.staging`): a full disk or an error
    half-way leaves the published folder as it was. The batch reports are copied as they are
    (those in another language than ``lang`` are left out; ``coopwork export`` runs them again
    first).

    Parameters
    ----------
    workspace
        The workspace folder.
    territories
        Territory ids to export (default: every territory of the workspace).
    wave
        The wave to publish (default: the latest wave).
    lang
        ``"fr"`` (default) or ``"en"``: the language of everything written.
    min_count
        Disclosure threshold: cells resting on fewer respondents are hidden.
    placemat_pdf
        Also print each placemat to PDF with headless Chromium (when it is installed; a warning
        is recorded otherwise, the print-ready HTML is always written).
    paper
        Placemat paper size, ``"A4"`` or ``"A3"`` (landscape).
    into
        Write into this folder instead (the staging folder; internal).

    Returns
    -------
    ExportResult

    Raises
    ------
    WorkspaceError
        For a missing workspace, an unknown territory or wave.
    ExportError
        When the workspace has no data or a file cannot be written.
    """
    lang = normalise_lang(lang)
    if into is None:  # write everything aside, then move it in: all of it or nothing
        final = open_workspace(workspace).exports_dir
        with staged(final, reuse=REUSED) as folder:
            result = export_all(workspace, territories=territories, wave=wave, lang=lang, min_count=min_count,
                                placemat_pdf=placemat_pdf, paper=paper, into=folder)
        return result.relocated(folder, final)
    plan = _plan(workspace, territories=territories, wave=wave, lang=lang, min_count=min_count)
    site = into
    result = ExportResult(site=site, index=site / "index.html")
    result.warnings += [t("export.warn_no_wave", lang, territory=x, wave=plan.wave) for x in plan.missing]
    write_assets(site)
    org_type = plan.ws.survey.role("org_type")
    contents = {tid: territory_content(load(entry.path), org_type=org_type and org_type.name)
                for tid, entry in plan.entries.items()}
    _write_territories(plan, [contents[x] for x in plan.wanted], site, result,
                       placemat_pdf=placemat_pdf, paper=paper)
    # the index and the synthesis cover every territory, also those not exported now
    _write_synthesis(plan, [contents[x] for x in sorted(contents)], site, result)
    return result.finished()


def _plan(workspace: str | Path, *, territories: list[str] | None, wave: str | None, lang: str,
          min_count: int) -> _Plan:
    """Check the request and ensure the results: what the export publishes (nothing written yet)."""
    min_count = check_min_count(min_count)
    ws = open_workspace(workspace)
    if not ws.waves:
        raise ExportError("export_errors.nothing", file=ws.processed_dir, hint="export_errors.hint_nothing")
    alone = not ws.territories
    wanted = list(dict.fromkeys(territories)) if territories else ws.territories
    for territory in wanted:  # fail before writing anything: the message lists what exists
        ws.responses(wave=wave, territory=territory)
    inputs = Inputs(ws)
    # each territory at its own latest wave (or --wave); the synthesis at the latest wave (or --wave):
    # the same rule as the reports and the dashboards
    entries = ensure(ws, territories=None, waves=None if wave is None else [wave], langs=(lang,),
                     min_count=min_count, inputs=inputs, jobs=os.cpu_count() or 1)
    by_territory = {e.territory: e for e in entries if e.territory is not None}
    synthesis = next((e for e in entries if e.territory is None), None)
    if alone and synthesis is not None:
        by_territory, wanted = {ALL: synthesis}, [ALL]
    missing = [x for x in wanted if x not in by_territory]
    wanted = [x for x in wanted if x in by_territory]
    if not wanted:
        raise ExportError("export_errors.empty_wave", wave=wave, hint="export_errors.hint_empty_wave")
    wave = synthesis.wave if synthesis is not None else wave
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return _Plan(ws=ws, inputs=inputs, lang=lang, min_count=min_count, wave=wave, wanted=wanted,
                 missing=missing, entries=by_territory, synthesis=synthesis, alone=alone,
                 provenance=_provenance(ws, wave=wave, lang=lang, min_count=min_count, when=when))


def _write_territories(plan: _Plan, contents: list[TerritoryContent], site: Path, result: ExportResult, *,
                       placemat_pdf: bool, paper: str) -> None:
    """Write every exported territory's files. The placemats print to PDF in one Chromium, in tabs side
    by side, while the next territories are written; each page is written once its PDF exists (the
    page links it)."""
    history = _network_history(plan.ws, plan.wanted, plan.inputs, lang=plan.lang, min_count=plan.min_count)
    with PdfPrinter(tabs=max(2, os.cpu_count() or 1)) as printer:
        pending = [_export_territory(plan, content, site, result, paper=paper,
                                     printer=printer if placemat_pdf else None)
                   for content in progress(contents, desc="export", unit="territory")]
        for _, _, printed in pending:
            if printed is not None:
                with contextlib.suppress(ExportError):
                    printed.result()  # before the browser stops
    for content, notes, printed in pending:
        _placemat_printed(printed, result, lang=plan.lang)
        _finish_territory(plan, content, site, result, notes=notes,
                          history=history.get(content.territory, []))


def _placemat_printed(printed: Future | None, result: ExportResult, *, lang: str) -> None:
    """Record a placemat's PDF, or why it could not be printed (one warning for the same reason)."""
    if printed is None:
        return
    try:
        pdf = printed.result()
        result.files.append(pdf)
        result.placemats.append(pdf)
    except ExportError as err:
        if err.render(lang) not in result.warnings:  # one message is enough
            result.warnings.append(err.render(lang))


def _export_territory(plan: _Plan, content: TerritoryContent, site: Path, result: ExportResult, *,
                      paper: str, printer: PdfPrinter | None
                      ) -> tuple[TerritoryContent, pd.DataFrame, Future | None]:
    """Write the workbook, network files, notes and placemat of one territory, and start printing
    the placemat to PDF; returns what its page needs: the content, the notes and the PDF to come."""
    ws, provenance = plan.ws, plan.provenance
    lang, min_count, name = content.lang, content.min_count, export_name(content.territory)
    title = t("export.territory_title", lang, label=content.label)
    result.files.append(write_workbook(
        content.tables, in_export(site, WORKBOOKS, f"{name}.xlsx"), title=title, lang=lang,
        min_count=min_count,
        descriptions=content.descriptions, survey=ws.survey,
        provenance={**provenance, t("export.prov_territory", lang): content.label}))
    if content.graph is not None:
        result.files += write_network_files(content.graph, in_export(site, NETWORK), stem=name,
                                             survey=ws.survey, min_count=min_count)
    notes = _write_notes(ws, content, site, result)
    html_path = in_export(site, PLACEMATS, f"{name}.html")
    html_path.parent.mkdir(parents=True, exist_ok=True)
    layout = {"title": content.label, "key_figures": content.key_figures, "lang": lang, "paper": paper,
              "footer": plan.footer, "subtitle": t("export.placemat_subtitle", lang, survey=ws.survey.title,
                                                   wave=content.wave or "—")}
    html = placemat_html(charts=content.charts, plotly_src=f"../{plotly_for(site, content.charts)}", **layout)
    html_path.write_text(html, encoding="utf-8")
    result.files.append(html_path)
    result.placemats.append(html_path)
    printed = None if printer is None else printer.submit(html_path, html_path.with_suffix(".pdf"))
    return content, notes, printed


def _write_notes(ws, content: TerritoryContent, site: Path, result: ExportResult) -> pd.DataFrame:
    """Write ``notes/<t>.csv`` and ``notes/<t>.md``; return the notes (the page shows them)."""
    lang, name = content.lang, export_name(content.territory)
    notes = journal_notes(ws, content.territory, wave=content.wave)
    # what each note is about, as people read it (the chart's title and bar), never the journal's key
    notes.insert(notes.columns.get_loc("chart") + 1, "about",
                 [note_heading(c, content.note_headings, lang=lang) for c in notes["chart"]])
    in_export(site, NOTES).mkdir(parents=True, exist_ok=True)
    to_csv(notes.assign(created_at=notes["created_at"].astype("str")), in_export(site, NOTES, f"{name}.csv"))
    notes_md = published_markdown(notes, title=t("export.notes_title", lang, label=content.label), lang=lang)
    in_export(site, NOTES, f"{name}.md").write_text(notes_md, encoding="utf-8")
    result.files += [in_export(site, NOTES, f"{name}.csv"), in_export(site, NOTES, f"{name}.md")]
    return notes


def _finish_territory(plan: _Plan, content: TerritoryContent, site: Path, result: ExportResult, *,
                      notes: pd.DataFrame, history: list[tuple[str, Any]]) -> None:
    """After its placemat's PDF: a territory's batch reports, page, network over the waves and audit."""
    ws = plan.ws
    reports = (_copy_batch_reports(ws, content.territory, site, lang=plan.lang) if content.territory != ALL
               else _copy_batch_synthesis(ws, site, lang=plan.lang))  # all respondents: the synthesis report
    result.files += reports
    page = _write_territory_page(ws, content, site, footer=plan.footer, notes=notes, reports=reports)
    result.files.append(page)
    name = export_name(content.territory)
    over_time = write_dynamic_gexf(history, in_export(site, NETWORK, f"{name}_waves.gexf"), survey=ws.survey)
    result.files += [over_time] if over_time is not None else []
    shown = [in_export(site, WORKBOOKS, f"{name}.xlsx"), page,
             in_export(site, PLACEMATS, f"{name}.html"), in_export(site, PLACEMATS, f"{name}.pdf"),
             *(in_export(site, NETWORK, f"{name}{end}") for end in (".gexf", "_nodes.csv", "_edges.csv")),
             *reports]
    result.files.append(_write_audit(load(plan.entries[content.territory].path), content.tables,
                                     site, name, shown))
    result.territories.append(content.territory)


def _write_synthesis(plan: _Plan, everyone: list[TerritoryContent], site: Path, result: ExportResult) -> None:
    """The synthesis workbook and report, the index of every territory, and the synthesis' audit.

    A form without territories has nothing to compare: its index is the page of all respondents.
    """
    ws, lang, min_count = plan.ws, plan.lang, plan.min_count
    synthesis = load(plan.synthesis.path) if plan.synthesis is not None else None
    tables = synthesis_content(synthesis) if synthesis is not None else {}
    if plan.alone:
        result.files.append(write_index(ws, everyone, tables, site, footer=plan.footer, lang=lang,
                                        min_count=min_count, synthesis=None))
        return
    workbook = in_export(site, WORKBOOKS, "synthesis.xlsx")
    descriptions = {
        "overview": t("export.sheet_overview", lang),
        "scores": t("export.sheet_scores_all", lang),
        "practices": t("export.sheet_practices_all", lang),
        "practices_where": t("export.sheet_practices_where", lang),
        "changes": t("export.sheet_changes", lang),
    }
    result.files.append(write_workbook(tables, workbook, title=t("export.synthesis_title", lang,
                                                                   survey=ws.survey.title),
                                       lang=lang, min_count=min_count, descriptions=descriptions,
                                       provenance=plan.provenance, survey=ws.survey))
    copied = _copy_batch_synthesis(ws, site, lang=lang)
    result.files += copied
    result.files.append(write_index(ws, everyone, tables, site, footer=plan.footer, lang=lang,
                                    min_count=min_count, synthesis=synthesis))
    if synthesis is not None:
        result.files.append(_write_audit(synthesis, tables, site, ALL, [workbook, result.index, *copied]))


def _write_audit(results: dict, tables: dict[str, pd.DataFrame], site: Path, name: str,
                 shown: list[Path]) -> Path:
    """Write ``audit/<name>.json``: the tables as published (the workbook's sheets, the pages' and
    placemat's numbers) and how each was protected (:func:`coopwork.results.audit.publication`)."""
    path = in_export(site, AUDIT, f"{name}.json")
    files = [os.path.relpath(p, path.parent) for p in shown if p.is_file()]
    record = publication(results, files=files,
                         tables={sheet: encode(table) for sheet, table in tables.items()})
    if results.get("network") and any(str(f).endswith("_nodes.csv") for f in files):
        # the organisations' names its network files show (#k for the hidden): coopwork check
        record["names"] = sorted({str(node["label"]) for node in results["network"]["nodes"]})
    write_json(path, record)
    return path


def _copy_batch_reports(ws, territory: str, site: Path, *, lang: str) -> list[Path]:
    """Copy the batch runner's HTML reports of the territory into the site, made offline (those in
    another language than the export's are left out)."""
    source = reports_dir(ws.reports_dir, territory)
    if not source.is_dir():
        return []
    target = in_export(site, REPORTS, export_name(territory))
    if target.exists():
        shutil.rmtree(target)
    copied = []
    for report in sorted(source.glob("*.html")):
        if report_language(report) not in (lang, None):
            continue
        target.mkdir(parents=True, exist_ok=True)
        html = sanitise_report(report.read_text(encoding="utf-8"), plotly_src=f"../../{PLOTLY_JS}")
        out = target / report.name
        out.write_text(html, encoding="utf-8")
        copied.append(out)
    return copied


def _copy_batch_synthesis(ws, site: Path, *, lang: str) -> list[Path]:
    """Copy the batch runner's synthesis report (``data/reports/<id>/synthesis.html``), made offline,
    when it speaks the export's language."""
    source = ws.reports_dir / "synthesis.html"
    if not source.is_file() or report_language(source) not in (lang, None):
        return []
    target = in_export(site, REPORTS, "synthesis.html")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(sanitise_report(source.read_text(encoding="utf-8"), plotly_src=f"../{PLOTLY_JS}"),
                      encoding="utf-8")
    return [target]


def _write_territory_page(ws, content: TerritoryContent, site: Path, *, footer: str, notes: pd.DataFrame,
                          reports: list[Path]) -> Path:
    """Write ``territories/<t>.html``."""
    path = site / "territories" / f"{export_name(content.territory)}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(territory_page(ws, content, site, footer=footer, notes=notes, reports=reports),
                    encoding="utf-8")
    return path
