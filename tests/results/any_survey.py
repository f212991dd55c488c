"""A hand-written form with every kind of question, and its Kobo XLSX export (test material).

The form is a household survey that is not a cooperation survey: no territory question, no
dimension, no partner. It has groups (sections), a matrix group, an ordered scale, a rank, dates,
a time, a position, numbers, a calculation, free text, a direct identifier, metadata, a note, and
two repeats, one inside the other (household members → their jobs). The export is written the way
KoboToolbox writes one (main sheet, one sheet per repeat linked by ``_parent_index`` and
``_submission__uuid``). :data:`RECORDS` are the answers as plain Python values: the tests count
them themselves (never through coopwork) and compare.

The jobs are chosen so that one sector ("fishing") has five rows, all from one household: a cell of
five rows resting on one submission, which the disclosure control must hide.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from uuid import NAMESPACE_URL, uuid5

FORM_ID = "household_life"
TITLE = "Household life"

SURVEY = [  # type, name, label, extra columns
    ("start", "start", "", {}),
    ("end", "end", "", {}),
    ("note", "intro", "Thank you for answering.", {}),
    ("text", "respondent_name", "Your name", {}),
    ("begin_group", "household", "Household", {}),
    ("select_one yes_no", "has_garden", "Do you have a garden?", {}),
    ("select_multiple crops", "crops", "What do you grow?", {"relevant": "${has_garden} = 'yes'"}),
    ("integer", "members", "How many people live here?", {"constraint": ". > 0"}),
    ("decimal", "income", "Monthly income", {}),
    ("date", "moved_in", "When did you move in?", {}),
    ("geopoint", "home", "Where is your home?", {}),
    ("text", "comment", "Anything to add?", {}),
    ("calculate", "double_members", "", {"calculation": "${members} * 2"}),
    ("rank priorities", "priorities", "Rank your priorities", {}),
    ("end_group", "", "", {}),
    ("begin_group", "opinions", "Opinions", {"appearance": "table-list"}),
    ("select_one agree", "safe", "The street is safe", {}),
    ("select_one agree", "clean", "The street is clean", {}),
    ("end_group", "", "", {}),
    ("begin_repeat", "person", "Household members", {}),
    ("integer", "age", "Age", {}),
    ("select_one sex", "sex", "Sex", {}),
    ("begin_repeat", "job", "Jobs", {}),
    ("select_one sector", "job_sector", "Sector of the job", {}),
    ("decimal", "hours", "Hours a week", {}),
    ("end_repeat", "", "", {}),
    ("end_repeat", "", "", {}),
    ("time", "wake_up", "When do you wake up?", {}),
    ("select_one scale5", "satisfaction", "How satisfied are you?", {}),
]
CHOICES = {
    "yes_no": [("yes", "Yes"), ("no", "No")],
    "crops": [("maize", "Maize"), ("beans", "Beans"), ("rice", "Rice")],
    "priorities": [("water", "Water"), ("school", "School"), ("road", "Road")],
    "agree": [("sd", "Strongly disagree"), ("d", "Disagree"), ("n", "Neutral"), ("a", "Agree"),
              ("sa", "Strongly agree")],
    "sex": [("f", "Female"), ("m", "Male")],
    "sector": [("farming", "Farming"), ("fishing", "Fishing"), ("trade", "Trade")],
    "scale5": [(str(i), str(i)) for i in range(1, 6)],
}
#: the questions the reports publish, by display (the rest: identifier, note, metadata)
PUBLISHED = {"has_garden": "bars", "crops": "bars", "members": "histogram", "income": "histogram",
             "moved_in": "periods", "home": "positions", "comment": "answers", "double_members": "histogram",
             "priorities": "rank", "safe": "likert", "clean": "likert", "age": "histogram", "sex": "bars",
             "job_sector": "bars", "hours": "histogram", "wake_up": "periods", "satisfaction": "likert"}


def _record(i: int, **answers) -> dict:
    uuid = str(uuid5(NAMESPACE_URL, f"household_life/{i}"))  # as KoboToolbox writes one: hexadecimal
    return {"uuid": uuid, "submitted": dt.datetime(2024, 5, 1 + i, 9), **answers}


def _person(age: int, sex: str, jobs: list[tuple[str, float]]) -> dict:
    return {"age": age, "sex": sex, "jobs": [{"job_sector": s, "hours": h} for s, h in jobs]}


RECORDS = [
    _record(1, respondent_name="Ada Lovelace", has_garden="yes", crops="maize beans", members=4, income=820.5,
            moved_in="2019-03-10", home="-6.95 112.94 10 5", comment="We need a school.",
            priorities="school water road", safe="a", clean="d", wake_up="06:30:00.000+01:00",
            satisfaction="4",
            persons=[_person(41, "f", [("fishing", 30)] * 5), _person(12, "m", [])]),
    _record(2, respondent_name="Bo", has_garden="yes", crops="maize", members=2, income=400.0,
            moved_in="2020-07-01", home="-6.90 112.90 8 4", comment="", priorities="water school road",
            safe="a", clean="a", wake_up="07:15", satisfaction="5",
            persons=[_person(33, "m", [("farming", 40)]), _person(30, "f", [("trade", 20)])]),
    _record(3, respondent_name="Cy", has_garden="no", members=3, income=1200.0, moved_in="2021-01-20",
            home=None, comment="Fine.", priorities="water road school", safe="n", clean="d",
            wake_up="06:45", satisfaction="3",
            persons=[_person(52, "f", [("farming", 35)]), _person(50, "m", [("trade", 45)])]),
    _record(4, respondent_name="Di", has_garden="yes", crops="beans rice", members=5, income=650.0,
            moved_in="2019-11-02", home="-7.01 112.80 12 6", comment="Roads!", priorities="road water school",
            safe="sa", clean="n", wake_up="05:50", satisfaction="4",
            persons=[_person(29, "f", [("farming", 25), ("trade", 10)])]),
    _record(5, respondent_name="Ed", has_garden="no", members=1, income=300.0, moved_in="2023-06-15",
            home="-6.99 112.85 9 4", comment=None, priorities="water school road", safe="a", clean="sd",
            wake_up="08:05", satisfaction="2",
            persons=[_person(67, "m", [("farming", 20)])]),
    _record(6, respondent_name="Flo", has_garden="yes", crops="maize rice", members=6, income=900.0,
            moved_in="2018-09-30", home="-6.97 112.91 11 5", comment="More water.",
            priorities="water road school", safe="d", clean="a", wake_up="06:00", satisfaction="4",
            persons=[_person(45, "m", [("trade", 50)]), _person(44, "f", [("farming", 30)]),
                     _person(15, "f", [])]),
    _record(7, respondent_name="Gil", has_garden="yes", crops="maize", members=3, income=700.0,
            moved_in="2022-02-14", home="-6.93 112.88 7 3", comment="ok", priorities="school road water",
            safe="a", clean="a", wake_up="07:00", satisfaction="5",
            persons=[_person(38, "f", [("trade", 30)])]),
]


def write_form(path: Path) -> Path:
    """Write the XLSForm (``survey``, ``choices``, ``settings`` sheets) to ``path``."""
    import openpyxl

    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    columns = ["type", "name", "label", "relevant", "constraint", "calculation", "appearance"]
    survey.append(columns)
    for kind, name, label, extra in SURVEY:
        survey.append([kind, name, label, *(extra.get(c, "") for c in columns[3:])])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    for list_name, items in CHOICES.items():
        for name, label in items:
            choices.append([list_name, name, label])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id"])
    settings.append([TITLE, FORM_ID])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def write_export(path: Path) -> Path:
    """Write the Kobo XLSX export of :data:`RECORDS` (main sheet, ``person`` and ``job`` sheets)."""
    import openpyxl

    book = openpyxl.Workbook()
    main = book.active
    main.title = TITLE
    household = ["has_garden", "crops", "members", "income", "moved_in", "home", "comment", "double_members",
                 "priorities"]
    header = ["start", "end", "respondent_name", *[f"household/{q}" for q in household], "opinions/safe",
              "opinions/clean", "wake_up", "satisfaction", "_id", "_uuid", "_submission_time", "_index"]
    main.append(header)
    person = book.create_sheet("person")
    person.append(["person/age", "person/sex", "_index", "_parent_table_name", "_parent_index",
                   "_submission__uuid"])
    job = book.create_sheet("job")
    job.append(["person/job/job_sector", "person/job/hours", "_index", "_parent_table_name", "_parent_index",
                "_submission__uuid"])
    person_index = job_index = 0
    for index, record in enumerate(RECORDS, start=1):
        double = None if record.get("members") is None else record["members"] * 2
        values = {**record, "double_members": double}
        main.append([record["submitted"], record["submitted"], record["respondent_name"],
                     *[values.get(q) for q in household], record["safe"], record["clean"], record["wake_up"],
                     record["satisfaction"], 1000 + index, record["uuid"], record["submitted"], index])
        for member in record["persons"]:
            person_index += 1
            person.append([member["age"], member["sex"], person_index, TITLE, index, record["uuid"]])
            for work in member["jobs"]:
                job_index += 1
                job.append([work["job_sector"], work["hours"], job_index, "person", person_index,
                            record["uuid"]])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def jobs() -> list[tuple[str, dict]]:
    """Every job row with its household's uuid (counted by the tests, not by coopwork)."""
    return [(r["uuid"], work) for r in RECORDS for member in r["persons"] for work in member["jobs"]]
