"""A small processed workspace for the dashboard tests, written in the shape of docs/architecture.md.

Generic over the survey: values are drawn for every top-level question from its type and choice list,
so the fixture follows the sample survey when it changes.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pandas as pd
import pytest

# territory → number of responding organisations per wave; t03 is too small to be shown (< 3)
SIZES = {"2024": {"t01": 10, "t02": 6, "t03": 2}, "2025": {"t01": 12, "t02": 7, "t03": 2}}


def _value(question, rng: random.Random):
    names = [c.name for c in question.choices]
    if question.is_select and names:
        if question.is_multiple:
            return " ".join(n for n in names if rng.random() < 0.4) or names[0]
        return rng.choice(names)
    if question.is_numeric:
        return rng.randint(0, 40)
    if question.type == "text":
        return f"texte {rng.randint(1, 99)}"
    return None


def write_processed_workspace(root: Path, survey_path: Path, *, seed: int = 3) -> Path:
    from coopwork.survey import load_survey

    (root / "surveys").mkdir(parents=True, exist_ok=True)
    shutil.copy(survey_path, root / "surveys" / survey_path.name)
    survey = load_survey(survey_path)
    rng = random.Random(seed)
    territory_q, org_q = survey.role("territory"), survey.role("organisation")
    consent_q, partner_q = survey.role("name_consent"), survey.role("partner")
    rows, relations = [], []
    for wave, sizes in SIZES.items():
        for territory, size in sizes.items():
            for i in range(size):
                sid = f"{wave}-{territory}-{i}"
                row = {"_submission_id": sid, "_wave": wave, "_territory": territory,
                       "_submitted_at": pd.Timestamp("2025-03-01", tz="UTC"), "_source": "abc123abc123"}
                for q in survey.top_level:
                    if q.type in ("start", "end", "note", "date", "datetime", "today", "deviceid"):
                        continue
                    if q.identifier:
                        row[q.name] = f"px_{rng.getrandbits(64):016x}"
                        continue
                    row[q.name] = _value(q, rng)
                if territory_q is not None:
                    row[territory_q.name] = territory
                if org_q is not None:
                    row[org_q.name] = f"Organisation {territory}-{i}"
                if consent_q is not None:
                    row[consent_q.name] = "non" if i == 0 else "oui"
                if i == 1 and org_q is not None:
                    row[org_q.name] = "<script>alert('org')</script>"
                rows.append(row)
                for j in range(rng.randint(1, 3)):
                    rel = {"_submission_id": sid, "_wave": wave, "_territory": territory, "_index": j + 1}
                    for q in survey.repeats.get(survey.relations_repeat or "", []):
                        rel[q.name] = _value(q, rng)
                    if partner_q is not None:
                        partner = f"Organisation {territory}-{rng.randrange(size)}"
                        rel[partner_q.name] = partner if j else "Mairie"
                    relations.append(rel)
    processed = root / "data" / "processed" / survey.survey_id
    processed.mkdir(parents=True, exist_ok=True)
    for name, records in (("responses", rows), ("relations", relations)):
        table = pd.DataFrame(records)
        for column in table.columns:
            if column == "_submitted_at":
                continue
            question = survey.questions.get(column)
            if question is not None and question.is_numeric:
                table[column] = table[column].astype("Int64")
            elif column != "_index":
                table[column] = table[column].astype("string")
        table.to_parquet(processed / f"{name}.parquet")
    return root


@pytest.fixture(scope="session")
def dashboard_workspace(tmp_path_factory, sample_survey_path) -> Path:
    """A processed workspace with 3 territories × 2 waves (t03 has only 2 organisations)."""
    return write_processed_workspace(tmp_path_factory.mktemp("dashws"), sample_survey_path)


@pytest.fixture(scope="session")
def precomputed_workspace(dashboard_workspace) -> Path:
    """The same workspace with its results (every wave, fr + en, the syntheses) and their index written."""
    from coopwork.results.store import prepare_all
    from coopwork.workspace import open_workspace

    prepare_all(open_workspace(dashboard_workspace), by_org_type=True)  # as for a workshop's territory
    return dashboard_workspace
