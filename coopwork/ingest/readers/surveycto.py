"""SurveyCTO CSV exports, WIDE and LONG main tables (format ``surveycto``).

SurveyCTO writes ODK-style exports (``group-question`` headers, repeat CSVs linked by
``PARENT_KEY``, ``KEY`` = ``uuid:…`` the submission id), read with :mod:`.odk`, with its own
metadata: ``SubmissionDate``, ``starttime``, ``endtime`` (US-locale timestamps such as
``"9/11/2019, 3:01:44 PM"``, read by :func:`coopwork.ingest.validate.parse_datetimes`; one that
cannot be read is an issue), ``deviceid``, ``subscriberid``, ``simid``, ``devicephonenum``,
``username``, ``duration``, ``caseid``, ``text_audit``, ``audio_audit``, ``formdef_version``,
``instanceID``, ``instanceName``, ``review_*``. Device and SIM ids never reach the processed tables.

Examples
--------
>>> sniff(TableSample.of(["SubmissionDate", "starttime", "q", "formdef_version", "KEY"]))
0.95
"""

from __future__ import annotations

import pandas as pd

from ...survey import Survey
from ..detect import TableSample
from ..raw import RawExport
from . import odk

__all__ = ["META", "meta_columns", "read", "sniff"]

META = ("SubmissionDate", "starttime", "endtime", "deviceid", "subscriberid", "simid", "devicephonenum",
        "username", "duration", "caseid", "text_audit", "audio_audit", "formdef_version", "instanceID",
        "instanceName", "KEY", "review_status", "review_quality", "review_comments", "review_corrections",
        "CompletionDate")
_SIGNS = {"formdef_version", "starttime", "endtime", "devicephonenum", "simid", "review_status"}


def sniff(sample: TableSample) -> float:
    """Sure with ``KEY`` and SurveyCTO's own metadata (``formdef_version``, ``starttime``…)."""
    columns = sample.columns
    if "KEY" in columns and len(columns & _SIGNS) >= 2:
        return 0.95
    return 0.0


def meta_columns(frame: pd.DataFrame) -> set[str]:
    """SurveyCTO (and ODK) metadata columns of ``frame``."""
    return {c for c in frame.columns if c in META} | odk.meta_columns(frame)


def read(sample: TableSample, survey: Survey, *, mapping: dict[str, str] | None = None) -> RawExport:
    """Read a SurveyCTO CSV export and its repeat CSVs (see the module docstring)."""
    return odk.read(sample, survey, mapping=mapping, meta=set(META), reader="surveycto")
