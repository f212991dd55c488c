"""Sharing results: static site, XLSX workbooks, placemats, network files, journal notes.

:func:`export_all` (:mod:`coopwork.export.pipeline`) writes, for each territory of a workspace,
everything a programme can publish as is, into ``<workspace>/data/exports/<survey_id>/``: the site
(one page per territory and the index with the synthesis), the batch reports made offline, the
workbooks, placemats, network files (static and over the waves), the journal's notes and the
disclosure audit that ``coopwork check`` verifies. ``coopwork export --data`` writes the
pseudonymised answers for SPSS, Stata or CSV instead (:mod:`coopwork.export.data`).

Every number comes from the territories' results (:mod:`coopwork.results`, read through
:mod:`coopwork.export.content`): the numbers of the reports and dashboards; no free-text
answer, identifier or participant name is exported; organisations that did not consent to be
named appear as ``#k``; CSV/XLSX cells are neutralised against formula injection.

===================  ===========================================================================
``pipeline``         :func:`export_all` in named steps, :class:`ExportResult`, the journal's notes
``content``          what is published about a territory, read from its results
``pages``, ``site``  the static site's pages and their building blocks (escaped tables, plotly.js)
``workbook``         XLSX workbooks with a README sheet
``placemat``         the one-page placemat and its PDF (one headless Chromium)
``network_files``    GEXF and CSV for Gephi, and the network over the waves
``reports``          which batch reports speak the export's language
``staging``          all of it or nothing: written aside, then moved in
``check``            ``coopwork check``: the disclosure rules verified again on every published file
``data``             ``coopwork export --data``: the pseudonymised answers
``cli``              ``coopwork export``, the shell: runs stale reports again, then exports
===================  ===========================================================================

Examples
--------
>>> from pathlib import Path
>>> result = ExportResult(site=Path("x"), index=Path("x/index.html"))
>>> result.as_dict()["index"]
'x/index.html'
"""

from __future__ import annotations

from ..words import neutralise, to_csv
from .pipeline import ExportResult, export_all, journal_notes

__all__ = ["ExportResult", "export_all", "journal_notes", "neutralise", "to_csv"]
