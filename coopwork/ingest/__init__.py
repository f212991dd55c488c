"""Ingestion: an export file + its Survey → processed tables, issues file and manifest.

:func:`ingest_file` (:mod:`coopwork.ingest.pipeline`) runs the whole flow: read (the reader the
:mod:`~coopwork.ingest.registry` picks → :class:`~coopwork.ingest.raw.RawExport`) → validate →
pseudonymise → drop duplicates → store, and returns an :class:`IngestResult`.

==================  ============================================================================
``pipeline``        :func:`ingest_file`, :class:`IngestResult`: the flow and its counts
``registry``        which platform wrote a file, and the reader that reads it (``readers/``)
``detect``          a file's encoding, separator, header and first records (``census``: its
                    records counted by its own structure; ``xlsx``: workbooks read as text)
``validate``        types, choices, constraints, relevance, required, territory → issues
``pseudonymise``    identifiers, e-mails and phones replaced by keyed pseudonyms
``prepare``         the tables made ready to store: ids, duplicates, edits of a re-download
``store``           atomic Parquet, manifest and issues CSV (``issue_codes``: the issues' codes)
``draft``           a draft XLSForm inferred from an export (``coopwork survey draft``)
``cli``             ``coopwork ingest``; ``survey_cli``: ``coopwork survey`` (the shell)
==================  ============================================================================

Examples
--------
>>> sorted(IngestResult.__dataclass_fields__)[:3]
['absent', 'accepted', 'already_ingested']
"""

from __future__ import annotations

from .pipeline import IngestResult, file_sha256, ingest_file
from .prepare import content_hashes

__all__ = ["IngestResult", "content_hashes", "file_sha256", "ingest_file"]
