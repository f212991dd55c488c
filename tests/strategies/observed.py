"""What coopwork stored after an ingest, counted the way :func:`~.submissions.expected_counts` counts.

:func:`stored_counts` reads the processed tables of one survey (``responses.parquet``,
``repeats/<name>.parquet``, ``relations.parquet``) and returns an :class:`~.submissions.Expected`,
so that a test compares the two with ``==`` and pytest shows the fields that differ.
:meth:`Expected.main_only <.submissions.Expected.main_only>` gives the oracle of an export that
drops the repeats (Kobo's CSV).

Examples
--------
>>> import tempfile, pathlib, datetime
>>> form = FormSpec.example()
>>> root = Instance({"territoire": "cluj", "effectif_1": 4}, {"actions_4": [Instance({"duree_5": 1.5})]})
>>> subs = Submissions(form, (Record(1, "u-1", datetime.datetime(2025, 1, 1), root),))
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> result = ingest_export(form, write_kobo_xlsx(form, subs, folder / "export.xlsx"), folder)
>>> stored_counts(result, form) == expected_counts(subs)
True
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .exports import write_kobo_xlsx  # noqa: F401 - used by the example above
from .forms import FormSpec
from .submissions import Expected, Instance, Record, Submissions, expected_counts  # noqa: F401 - idem

__all__ = ["TERRITORY_FOR_ALL", "ingest_export", "stored_counts", "stored_tables"]

#: the ``--territory`` given when the form has no territory question
TERRITORY_FOR_ALL = "ensemble"


def ingest_export(form: FormSpec, export: str | Path, folder: str | Path, *, wave: str = "w1"):
    """Ingest ``export`` with coopwork's library door, ``form`` written as ``folder/form.xlsx``.

    The workspace is ``folder/ws``; a form without a territory question is ingested with
    ``territory=TERRITORY_FOR_ALL``. Returns coopwork's ``IngestResult``.
    """
    from coopwork.ingest import ingest_file

    folder = Path(folder)
    survey = form.to_xlsx(folder / "form.xlsx")
    return ingest_file(export, survey=survey, wave=wave, workspace=folder / "ws",
                       territory=None if form.territory else TERRITORY_FOR_ALL)


def stored_tables(processed_dir: str | Path, form: FormSpec) -> dict[str | None, pd.DataFrame]:
    """coopwork's stored tables: ``None`` → responses, repeat name → its rows (empty when none stored)."""
    folder = Path(processed_dir)
    partner = form.roles.get("partner")
    partner_repeat = next((p.repeat for q, p in form.questions() if q.name == partner), None)
    tables: dict[str | None, pd.DataFrame] = {None: pd.read_parquet(folder / "responses.parquet")}
    for repeat, _ in form.repeats():
        name = "relations.parquet" if repeat.name == partner_repeat else f"repeats/{repeat.name}.parquet"
        path = folder / name
        tables[repeat.name] = pd.read_parquet(path) if path.is_file() else pd.DataFrame()
    return tables


def stored_counts(result: object, form: FormSpec) -> Expected:
    """Count what one ingest stored (``result`` is coopwork's ``IngestResult`` or its ``--json`` dict).

    Only the fields :func:`~.submissions.expected_counts` fills are computed, in the same way: a
    question coopwork did not store counts 0 answers, and so does an option it did not keep.
    """
    as_dict = result if isinstance(result, dict) else result.to_dict()
    tables = stored_tables(as_dict["processed_dir"], form)
    answered: dict[str, int] = {}
    options: dict[str, dict[str, int]] = {}
    sums: dict[str, float] = {}
    for q, place in form.questions():
        if not q.is_answer:
            continue
        frame = tables[place.repeat]
        values = frame[q.name].dropna() if q.name in frame.columns else pd.Series([], dtype="string")
        answered[q.name] = len(values)
        if q.type in {"select_one", "select_multiple"}:
            counts = dict.fromkeys((c.name for c in form.choices_of(q)), 0)
            for value in values.astype(str):
                for name in value.split() if q.type == "select_multiple" else [value]:
                    counts[name] = counts.get(name, 0) + 1
            options[q.name] = counts
        if q.type in {"integer", "decimal", "range", "calculate"}:
            sums[q.name] = round(float(pd.to_numeric(values.astype(str)).sum()), 6) if len(values) else 0
    main = tables[None]
    territories = main["_territory"].value_counts().to_dict() if form.territory else {}
    repeats = {name: frame for name, frame in tables.items() if name is not None}
    return Expected(
        records=len(main),
        repeat_rows={name: len(frame) for name, frame in repeats.items()},
        records_with_rows={name: frame["_submission_id"].nunique() if len(frame) else 0
                           for name, frame in repeats.items()},
        answered=answered, options=options, sums=sums,
        territories={str(k): int(v) for k, v in territories.items()},
        relations=int(as_dict["relations"]),
    )
