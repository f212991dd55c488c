"""A small processed workspace (Parquet files of docs/architecture.md) built from any XLSForm.

The generator is generic over the Survey (roles, types, identifiers), not tied to the sample's
question names. Territories: ``alpha`` and ``beta`` (enough respondents), ``tiny`` (2
respondents: everything about it must be suppressed). Waves ``2024`` and ``2025`` for alpha.
Some free texts are formula-injection payloads; identifiers are ``px_`` pseudonyms.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

PARTICIPANT = "Awa Diallo-Testname"
NOTE_EMAIL = "awa.testname@example.org"
INJECTIONS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]


def _value(rng, question, survey, *, org: str, index: int) -> object:
    if question.identifier:
        return "px_" + "".join(rng.choice(list("0123456789abcdef"), 16))
    choices = [c.name for c in survey.choices.get(question.list_name or "", [])]
    if question.type == "select_one":
        return rng.choice(choices) if choices and rng.random() > 0.05 else None
    if question.type == "select_multiple":
        if not choices:
            return None
        picked = [c for c in choices if rng.random() < 0.4] or [choices[0]]
        return " ".join(picked)
    if question.type == "integer":
        return int(rng.integers(0, 60))
    if question.type in {"decimal", "range"}:
        return float(rng.uniform(0, 100))
    if question.type == "date":
        return pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 600)))
    if question.type == "text":
        return INJECTIONS[index % len(INJECTIONS)] if index % 3 == 0 else f"texte libre {index}"
    return None


def _column(values: list, question) -> pd.Series:
    if question.type == "integer":
        return pd.Series(values, dtype="Int64")
    if question.type in {"decimal", "range"}:
        return pd.Series(values, dtype="Float64")
    if question.type in {"date", "datetime"}:
        return pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")
    return pd.Series(values, dtype="string")


def build_workspace(
    root: Path, survey_path: Path, *, seed: int = 7, plan: dict[tuple[str, str], int] | None = None
) -> Path:
    """Write surveys/ and data/processed/<id>/ for ``plan`` = {(territory, wave): respondents}."""
    from coopwork.survey import load_survey

    survey = load_survey(survey_path)
    plan = plan or {("alpha", "2024"): 9, ("alpha", "2025"): 12, ("beta", "2025"): 10, ("tiny", "2025"): 2}
    rng = np.random.default_rng(seed)
    (root / "surveys").mkdir(parents=True, exist_ok=True)
    shutil.copy(survey_path, root / "surveys" / survey_path.name)
    territory_q = survey.role("territory")
    organisation_q = survey.role("organisation")
    consent_q = survey.role("name_consent")
    partner_q = survey.role("partner")
    top = [q for q in survey.top_level if q.type not in {"start", "end"}]
    repeat = survey.relations_repeat
    repeat_qs = [q for q in survey.repeats.get(repeat, []) if q.is_answer] if repeat else []

    responses, relations = [], []
    counter = 0
    for (territory, wave), count in plan.items():
        names = [f"Organisation {territory.title()} {k}" for k in range(1, count + 1)]
        for k, org in enumerate(names):
            counter += 1
            sid = f"uuid-{counter:04d}"
            row = {
                "_submission_id": sid,
                "_wave": wave,
                "_territory": territory,
                "_submitted_at": pd.Timestamp("2025-03-01", tz="UTC"),
                "_source": "0123456789ab",
            }
            for q in top:
                row[q.name] = _value(rng, q, survey, org=org, index=counter)
            if territory_q is not None:
                row[territory_q.name] = territory
            if organisation_q is not None:
                row[organisation_q.name] = org
            if consent_q is not None:
                choices = [c.name for c in survey.choices[consent_q.list_name]]
                row[consent_q.name] = choices[0] if k % 3 else choices[-1]  # 1st, 4th, … refuse
            responses.append(row)
            if partner_q is None:
                continue
            partners = rng.choice(len(names) + 2, size=min(3, len(names) + 1), replace=False)
            for index, p in enumerate(partners, start=1):
                name = names[p] if p < len(names) else f"Mairie de {territory.title()} {p}"
                if name == org:
                    continue
                rel = {"_submission_id": sid, "_wave": wave, "_territory": territory, "_index": index}
                for q in repeat_qs:
                    rel[q.name] = _value(rng, q, survey, org=org, index=counter + index)
                rel[partner_q.name] = name
                relations.append(rel)

    out = root / "data" / "processed" / survey.survey_id
    out.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame(responses)
    for q in top:
        table[q.name] = _column(table[q.name].tolist(), q)
    for meta in ("_submission_id", "_wave", "_territory", "_source"):
        table[meta] = table[meta].astype("string")
    table.to_parquet(out / "responses.parquet", index=False)
    if relations:
        rel_table = pd.DataFrame(relations)
        for q in repeat_qs:
            rel_table[q.name] = _column(rel_table[q.name].tolist(), q)
        for meta in ("_submission_id", "_wave", "_territory"):
            rel_table[meta] = rel_table[meta].astype("string")
        rel_table["_index"] = rel_table["_index"].astype("Int64")
        rel_table.to_parquet(out / "relations.parquet", index=False)
    (out / "manifest.json").write_text(
        json.dumps(
            {
                "survey_id": survey.survey_id,
                "sources": [
                    {
                        "sha256": "0123456789ab" + "0" * 52,
                        "file": "export.csv",
                        "reader": "kobo",
                        "wave": "2025",
                        "territory": None,
                        "rows_read": len(table),
                        "accepted": len(table),
                        "quarantined": 0,
                        "duplicates": 0,
                        "relations": len(relations),
                        "issues_file": None,
                        "coopwork_version": "0.1.0",
                        "ingested_at": "2025-03-02T10:00:00Z",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="session")
def processed_workspace(tmp_path_factory, sample_survey_path) -> Path:
    """A read-only processed workspace shared by the export tests (copy it before writing)."""
    return build_workspace(tmp_path_factory.mktemp("export-ws"), sample_survey_path)


@pytest.fixture
def workspace(tmp_path, processed_workspace) -> Path:
    """A private copy of the processed workspace (exports write into it)."""
    target = tmp_path / "ws"
    shutil.copytree(processed_workspace, target)
    return target


@pytest.fixture(scope="session")
def exported(tmp_path_factory, processed_workspace):
    """`export_all` (French, PDF) run once on a copy of the workspace, with notes and a batch report."""
    from coopwork.export import export_all
    from coopwork.journal import open_journal
    from coopwork.workspace import open_workspace

    root = tmp_path_factory.mktemp("exported") / "ws"
    shutil.copytree(processed_workspace, root)
    ws = open_workspace(root)
    journal = open_journal(root)
    journal.add(
        ws.survey_id,
        territory="alpha",
        wave="2025",
        chart="profile.org_type",
        kind="see",
        text=f"Beaucoup d'associations, écrire à {NOTE_EMAIL}",
        display_name=PARTICIPANT,
    )
    journal.add(
        ws.survey_id,
        territory="alpha",
        wave="2025",
        chart="profile.org_type",
        kind="do",
        text='=HYPERLINK("http://evil.example")',
        display_name=PARTICIPANT,
    )
    hidden = journal.add(
        ws.survey_id,
        territory="alpha",
        wave="2025",
        chart="x",
        kind="see",
        text="note masquée par la modération",
    )
    journal.hide(hidden)
    journal.close()
    report_dir = ws.reports_dir / "alpha"
    report_dir.mkdir(parents=True)
    (report_dir / "territory_report.html").write_text(
        '<html><head><script src="https://cdn.plot.ly/plotly-3.0.1.min.js"></script>'
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js"></script>'
        '<link rel="stylesheet" href="https://cdn.jsdelivr.net/x.css"></head>'
        "<body><p>Rapport batch</p></body></html>",
        encoding="utf-8",
    )
    (ws.reports_dir / "synthesis.html").write_text(
        '<html><head><script src="plotly.min.js"></script></head><body><p>Synthèse batch</p>'
        '<a href="#part">anchor</a><h2 id="part">x</h2></body></html>',
        encoding="utf-8",
    )
    (report_dir / "annexe.html").write_text(
        '<html><head><script src="../plotly.min.js" charset="utf-8"></script></head>'
        "<body><p>Annexe batch</p></body></html>",
        encoding="utf-8",
    )
    result = export_all(root, lang="fr", min_count=3)
    return root, result


@pytest.fixture(scope="session")
def planted() -> dict[str, str]:
    """Personal data planted in the journal of the ``exported`` workspace: must appear nowhere."""
    return {"participant": PARTICIPANT, "email": NOTE_EMAIL}


PSEUDONYM = r"px_[0-9a-f]{16}"
EMAIL = r"[\w.+-]+@[\w-]+\.[a-z]{2,}"
PHONE = r"(?<![\w.])(?:0[1-9](?:[ .-]\d{2}){4}|\+33\s?[1-9](?:[ .-]?\d{2}){4})(?![\w.])"


def exported_text(path: Path) -> str:
    """The text a person could read in an exported file (cells of a workbook, text of a PDF)."""
    import subprocess

    from openpyxl import load_workbook

    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        return "\n".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                         for v in row if v is not None)
    if path.suffix == ".pdf":
        done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
        return done.stdout
    return path.read_text(encoding="utf-8-sig")


@pytest.fixture(scope="session")
def scan():
    """``scan(site, patterns)`` → ``[(file, match)]`` for every exported file (assets excepted)."""
    import re

    def run(site: Path, patterns: list[str]) -> list[tuple[str, str]]:
        compiled = [re.compile(p, re.IGNORECASE) for p in patterns]
        found = []
        for path in sorted(site.rglob("*")):
            if not path.is_file() or path.parent.name == "assets":
                continue
            text = exported_text(path)
            found += [(str(path.relative_to(site)), m.group(0)) for p in compiled if (m := p.search(text))]
        return found

    run.identifiers = [PSEUDONYM, EMAIL, PHONE]
    return run


ODD = "Pays basque / Iparralde"  # an id that cannot be a file name as it is


def _one_organisation_names_five_ties(root: Path, survey, territory: str, wave: str) -> None:
    """Rewrite the ties of ``territory``: its 1st organisation names 5 partners of one kind (a), the
    2nd to 5th one partner of kind b each, the 6th to 9th one of kind c each (other tie answers blank)."""
    folder = root / "data" / "processed" / survey.survey_id
    responses = pd.read_parquet(folder / "responses.parquet")
    relations = pd.read_parquet(folder / "relations.parquet")
    mine = responses[(responses["_territory"] == territory) & (responses["_wave"] == wave)]
    ids = mine["_submission_id"].tolist()
    names = mine[survey.role("organisation").name].tolist()
    a, b, c = _tie_kind_options(survey)
    plan = [(ids[0], names[k], a) for k in range(1, 6)]
    plan += [(ids[k], names[0], b) for k in range(1, 5)] + [(ids[k], names[0], c) for k in range(5, 9)]
    rows = pd.DataFrame({column: pd.Series([None] * len(plan), dtype=relations[column].dtype)
                         for column in relations.columns})
    rows["_submission_id"] = pd.array([sid for sid, _, _ in plan], dtype="string")
    rows["_territory"] = pd.array([territory] * len(plan), dtype="string")
    rows["_wave"] = pd.array([wave] * len(plan), dtype="string")
    rows["_index"] = pd.array(list(range(1, 6)) + [1] * 8, dtype="Int64")
    rows[survey.role("partner").name] = pd.array([name for _, name, _ in plan], dtype=relations[
        survey.role("partner").name].dtype)
    rows[_tie_kind(survey).name] = pd.array([kind for _, _, kind in plan], dtype="string")
    others = relations[~((relations["_territory"] == territory) & (relations["_wave"] == wave))]
    pd.concat([others, rows], ignore_index=True).to_parquet(folder / "relations.parquet", index=False)


def _tie_kind(survey):
    """The first select_one question asked about each tie (not a role): the kind of tie."""
    return next(q for q in survey.repeats[survey.relations_repeat] if q.type == "select_one" and not q.role)


def _tie_kind_options(survey) -> list[str]:
    """The first three options (a, b, c) of :func:`_tie_kind`."""
    return [choice.name for choice in survey.choices[_tie_kind(survey).list_name]][:3]


@pytest.fixture(scope="session")
def tie_kind(sample_survey):
    """``(question, [a, b, c])``: the kind-of-tie question and the options the ``odd_exported`` ties use."""
    return _tie_kind(sample_survey), _tie_kind_options(sample_survey)


@pytest.fixture(scope="session")
def odd_exported(tmp_path_factory, sample_survey_path, sample_survey):
    """`export_all` (English, no PDF) of a workspace with an odd territory id surveyed twice, with 2
    respondents in its first wave, and ``beta`` whose ties are those of
    :func:`_one_organisation_names_five_ties`."""
    from coopwork.export import export_all

    root = build_workspace(tmp_path_factory.mktemp("odd") / "ws", sample_survey_path,
                           plan={(ODD, "2024"): 2, (ODD, "2025"): 10, ("beta", "2025"): 10})
    _one_organisation_names_five_ties(root, sample_survey, "beta", "2025")
    return root, export_all(root, lang="en", min_count=3, placemat_pdf=False)
