"""Faithful equivalents of the real exports issue 22 names, written by seeded code (no personal data).

The real files (a 2021 ODK Central export of a large 9-language form, a SurveyMonkey CSV of 16
responses, a Kobo XLSX made with the "." group separator, a large LimeSurvey XLSX) cannot be
kept here; these writers follow the platforms' own conventions, as their code and tests show
them (getodk/central-backend's CSV tests, SurveyMonkey's export layout as public parsers read it),
so that each file has the structure of the one seen.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

#: SurveyMonkey's metadata columns, in its order
SM_META = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
           "First Name", "Last Name", "Custom Data 1"]
SM_TERRITORIES = ["Pays de Bray", "Matera", "Pécs"]
SM_SERVICES = ["Premises", "Jobs", "Equipment", "Joint purchasing"]
SM_RATINGS = ["Very good", "Good", "Fair", "Poor"]
SM_ROWS = ["Trust", "Reliability", "Communication"]


def surveymonkey_rows(responses: int = 16, seed: int = 22) -> tuple[list[str], list[str], list[list[str]]]:
    """(question row, answer-kind row, data rows) of a SurveyMonkey "All responses" export, expanded."""
    rng = random.Random(seed)
    top = [*SM_META, "What is the name of your organisation?", "Which territory are you in?", "",
           "Which services do you share with other organisations? (select all that apply)", "", "", "", "",
           "How would you rate your partners on:", "", "", "How many employees do you have?",
           "Contact information", "", "", "Any comments?"]
    kinds = [""] * len(SM_META) + ["Open-Ended Response", "Response", "Other (please specify)",
                                   *SM_SERVICES, "Other (please specify)", *SM_ROWS, "Response",
                                   "Name", "Email Address", "Phone Number", "Open-Ended Response"]
    rows = []
    for i in range(responses):
        start_hour = 1 + i % 11
        territory_other = i % 7 == 3
        services = [s if rng.random() < 0.5 else "" for s in SM_SERVICES]
        rows.append([
            str(114_000_000_000 + 731 * i), "431205978", f"07/{10 + i % 20:02d}/2023 {start_hour:02d}:04:11 PM",
            f"07/{10 + i % 20:02d}/2023 {start_hour:02d}:21:36 PM", f"203.0.113.{10 + i}", "", "", "", "",
            f"Organisation {i + 1}, {rng.choice(['SCOP', 'association', 'SCIC'])}",
            "" if territory_other else SM_TERRITORIES[i % 3], "Vallée de la Bresle" if territory_other else "",
            *services, "Shared kitchen" if i % 5 == 0 else "",
            *[rng.choice(SM_RATINGS) for _ in SM_ROWS], str(rng.randint(0, 40)),
            f"Person {i + 1}", f"person{i + 1}@example.org", f"06 12 34 {i:02d} {i:02d}",
            f"We would like\nmore meetings ({i})." if i % 4 == 0 else ""])
    return top, kinds, rows


def surveymonkey_csv(folder: Path, responses: int = 16, *, name: str = "survey_monkey.csv") -> Path:
    """A SurveyMonkey CSV export: two header rows, "Other (please specify)", a matrix, contact fields."""
    top, kinds, rows = surveymonkey_rows(responses)
    path = folder / name
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerows([top, kinds, *rows])
    return path


def surveymonkey_xlsx(folder: Path, responses: int = 16, *, name: str = "survey_monkey.xlsx") -> Path:
    """The same export as an XLSX workbook (SurveyMonkey's "All responses" XLS)."""
    from openpyxl import Workbook

    top, kinds, rows = surveymonkey_rows(responses)
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet"
    for row in (top, kinds, *rows):
        sheet.append([int(v) if v.isdigit() and len(v) < 15 else (v or None) for v in row])
    path = folder / name
    book.save(path)
    return path
