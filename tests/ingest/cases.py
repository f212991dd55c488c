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
            str(114_000_000_000 + 731 * i), "431205978",
            f"07/{10 + i % 20:02d}/2023 {start_hour:02d}:04:11 PM",
            f"07/{10 + i % 20:02d}/2023 {start_hour:02d}:21:36 PM", f"203.0.113.{10 + i}", "", "", "", "",
            f"Organisation {i + 1}, {rng.choice(['SCOP', 'association', 'SCIC'])}",
            "" if territory_other else SM_TERRITORIES[i % 3],
            "Vallée de la Bresle" if territory_other else "",
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


#: the 9 label languages of the large ODK form
ODK_LANGUAGES = [("English", "en"), ("French", "fr"), ("Portuguese", "pt"), ("Spanish", "es"),
                 ("Arabic", "ar"), ("Swahili", "sw"), ("Hausa", "ha"), ("Amharic", "am"), ("Bengali", "bn")]
#: Central's metadata after the fields, 2021 generation (no ReviewState, DeviceID, Edits, FormVersion)
CENTRAL_2021_TAIL = ["KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
                     "Status"]
#: the tail of today's Central
CENTRAL_TAIL = [*CENTRAL_2021_TAIL, "ReviewState", "DeviceID", "Edits", "FormVersion"]
ODK_BROKEN_ROWS = (161, 289)


def _odk_form_rows() -> tuple[list[dict], list[dict]]:
    """Survey and choices rows of a large field form: groups joined in exports by ``-``, 4 repeats."""
    survey: list[dict] = [{"type": "start", "name": "start"}, {"type": "end", "name": "end"},
                          {"type": "today", "name": "today"}, {"type": "deviceid", "name": "deviceid"}]

    def q(kind: str, name: str, text: str, **more: str) -> None:
        survey.append({"type": kind, "name": name, "label": text, **more})

    survey.append({"type": "begin_group", "name": "SECTION_META", "label": "Interview"})
    survey.append({"type": "begin_group", "name": "Location", "label": "Location"})
    q("select_one country", "country", "Country")
    q("text", "region", "Region")
    q("text", "district", "District")
    q("text", "village", "Village")
    q("geopoint", "gps", "Location of the household")
    survey.append({"type": "end_group"})
    q("text", "enumerator", "Enumerator code")
    q("date", "interview_date", "Date of the interview")
    q("text", "household_id", "Household code")
    q("integer", "respondent_age", "Age of the respondent")
    q("select_one yesno", "consent", "Does the respondent agree to the interview?")
    q("integer", "visit_number", "Visit number")
    survey.append({"type": "end_group"})
    survey.append({"type": "select_one crops", "name": "main_crop", "label": "Main crop"})
    survey.append({"type": "calculate", "name": "crop_label",
                   "calculation": "jr:choice-name(${main_crop}, '${main_crop}')"})
    kinds = ["integer", "decimal", "select_one yesno", "select_multiple inputs", "text", "select_one scale"]
    for section in "ABCDEFGH":
        survey.append({"type": "begin_group", "name": f"SECTION_{section}", "label": f"Section {section}"})
        for block in range(3):
            part = f"Part {section}.{block}"
            survey.append({"type": "begin_group", "name": f"{section}{block}", "label": part})
            for n in range(12):
                kind = kinds[(n + block) % len(kinds)]
                q(kind, f"{section.lower()}{block}_{n}",
                  f"Question {section}{block}.{n} about ${{crop_label}}",
                  **({"constraint": ". >= 0"} if kind == "integer" else {}))
            survey.append({"type": "note", "name": f"{section}{block}_note", "label": f"End of {part}"})
            survey.append({"type": "end_group"})
        if section == "B":
            survey.append({"type": "begin_repeat", "name": "hh_members", "label": "Household members"})
            q("text", "member_name", "First name of the member")
            q("integer", "member_age", "Age")
            q("select_one sex", "member_sex", "Sex")
            survey.append({"type": "end_repeat"})
        if section == "C":
            survey.append({"type": "begin_repeat", "name": "plots", "label": "Plots"})
            q("decimal", "plot_area", "Area of the plot (ha)")
            q("select_one tenure", "plot_tenure", "Tenure")
            survey.append({"type": "begin_repeat", "name": "plot_crops", "label": "Crops of the plot"})
            q("select_one crops", "plot_crop", "Crop")
            q("decimal", "plot_yield", "Yield of ${crop_label} (kg)")
            survey.append({"type": "end_repeat"})
            survey.append({"type": "end_repeat"})
        if section == "E":
            survey.append({"type": "begin_repeat", "name": "livestock", "label": "Livestock"})
            q("select_one animals", "animal", "Animal")
            q("integer", "animal_count", "How many?")
            survey.append({"type": "end_repeat"})
        survey.append({"type": "end_group"})
    survey.append({"type": "begin_group", "name": "SECTION_Z", "label": "Closing"})
    while len(survey) < 676 - 2:  # 676 rows in the survey sheet, as the real form
        q("note", f"z_note_{len(survey)}", f"Thank the respondent ({len(survey)})")
    q("text", "z_comment", "Comments of the enumerator")
    survey.append({"type": "end_group"})
    choices = [{"list_name": ln, "name": name, "label": name.replace("_", " ").title()}
               for ln, names in {"country": ["ethiopia", "bangladesh", "nigeria"], "yesno": ["yes", "no"],
                                 "inputs": ["seed", "fertiliser", "pesticide", "none"],
                                 "scale": ["1", "2", "3", "4", "5"], "sex": ["female", "male"],
                                 "tenure": ["owned", "rented", "shared"], "crops": ["maize", "teff", "rice"],
                                 "animals": ["goat", "cattle", "poultry"]}.items() for name in names]
    return survey, choices


def odk_form(folder: Path, *, broken: bool = True, name: str = "crop_survey") -> Path:
    """The large XLSForm: 9 label languages; with ``broken``, an Arabic ``${crop_label`` without ``}``
    at survey rows 161 and 289 (rows of the sheet, header = row 1)."""
    from openpyxl import Workbook

    survey, choices = _odk_form_rows()
    labels = [f"label::{lang} ({code})" for lang, code in ODK_LANGUAGES]
    columns = ["type", "name", *labels, "constraint", "calculation"]
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(columns)
    for number, row in enumerate(survey, start=2):
        cells = [row.get("type"), row.get("name")]
        for _, code in ODK_LANGUAGES:
            text = row.get("label")
            if text and code != "en":
                text = f"{text} ({code})"
            if broken and code == "ar" and number in ODK_BROKEN_ROWS:
                text = "سؤال عن ${crop_label"
            cells.append(text)
        cells += [row.get("constraint"), row.get("calculation")]
        sheet.append(cells)
    sheet = book.create_sheet("choices")
    sheet.append(["list_name", "name", *labels])
    for row in choices:
        sheet.append([row["list_name"], row["name"], *[row["label"] for _ in ODK_LANGUAGES]])
    sheet = book.create_sheet("settings")
    sheet.append(["form_title", "form_id", "version", "default_language"])
    sheet.append(["Crop survey", name, "2021031101", "English (en)"])
    path = folder / f"{name}.xlsx"
    book.save(path)
    return path


def _odk_value(kind: str, rng: random.Random, i: int) -> str:
    return {"integer": str(rng.randint(0, 30)), "decimal": f"{rng.uniform(0, 9):.2f}",
            "select_one yesno": rng.choice(["yes", "no"]), "select_multiple inputs": rng.choice(
                ["seed", "seed fertiliser", "none", "fertiliser pesticide"]),
            "text": f"note {i}", "select_one scale": str(rng.randint(1, 5))}[kind]


def odk_central_export(folder: Path, survey_rows: list[dict] | None = None, *, submissions: int = 2,
                       tail: list[str] = CENTRAL_2021_TAIL, ragged: bool = True, name: str = "crop_survey",
                       seed: int = 2021) -> tuple[Path, dict[str, int]]:
    """An ODK Central CSV export (the zip's files) of :func:`odk_form`: main CSV and 4 repeat CSVs.

    Groups are joined by ``-`` (``SECTION_META-Location-country``), the geopoint split in four,
    ``meta-instanceID`` after the fields, then ``tail``; with ``ragged`` every data row is one field
    shorter than the header (as a 2021 Central wrote them). Repeat files are
    ``<form>-<path>.csv`` with ``PARENT_KEY``/``KEY`` last. Returns the main CSV and the rows of
    each repeat file.
    """
    survey_rows = survey_rows or _odk_form_rows()[0]
    rng = random.Random(seed)
    header = ["SubmissionDate", "start", "end", "today", "deviceid"]
    kinds: list[tuple[str, str]] = []
    path: list[str] = []
    repeat_depth = 0
    for row in survey_rows:
        kind = row["type"]
        if kind == "begin_group":
            path.append(row["name"])
        elif kind == "end_group":
            path.pop()
        elif kind == "begin_repeat":
            repeat_depth += 1
        elif kind == "end_repeat":
            repeat_depth -= 1
        elif repeat_depth == 0 and kind not in ("note", "start", "end", "today", "deviceid"):
            column = "-".join([*path, row["name"]])
            if kind == "geopoint":
                header += [f"{column}-{part}" for part in ("Latitude", "Longitude", "Altitude", "Accuracy")]
            else:
                header.append(column)
            kinds.append((kind, column))
    header += ["meta-instanceID", *tail]
    rows = []
    keys = []
    for i in range(submissions):
        key = f"uuid:{i:08d}-0000-4000-8000-0000000000{i:02d}"
        keys.append(key)
        record = [f"2021-03-{11 + i}T09:1{i}:00.000Z", "2021-03-11T08:00:00.000+03:00",
                  "2021-03-11T08:45:00.000+03:00", "2021-03-11", "collect:abc"]
        for kind, column in kinds:
            if kind == "geopoint":
                record += ["9.03", "38.74", "2355", "5"]
            elif kind == "select_one country":
                record.append(["ethiopia", "bangladesh"][i % 2])
            elif kind == "select_one crops" or kind == "calculate":
                record.append("teff")
            elif kind == "date":
                record.append("2021-03-11")
            elif kind.startswith("text"):
                record.append(f"{column.rsplit('-', 1)[-1]} {i}")
            else:
                record.append(_odk_value(kind, rng, i))
        record += [key, key, "5", "Enumerator A", "0", "0", "", "", "", "0", "2021031101"][:len(tail) + 1]
        if ragged:
            record = record[:-1]
        rows.append(record)
    main = folder / f"{name}.csv"
    with main.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])
    counts = {}
    members = [["member_name", "member_age", "member_sex", "PARENT_KEY", "KEY"]]
    plots = [["plot_area", "plot_tenure", "PARENT_KEY", "KEY"]]
    crops = [["plot_crop", "plot_yield", "PARENT_KEY", "KEY"]]
    animals = [["animal", "animal_count", "PARENT_KEY", "KEY"]]
    for i, key in enumerate(keys):
        for m in range(1, [4, 3][i] + 1):
            members.append([f"Member {m}", str(rng.randint(1, 80)), rng.choice(["female", "male"]), key,
                            f"{key}/SECTION_B/hh_members[{m}]"])
        for p in range(1, 3):
            plot = f"{key}/SECTION_C/plots[{p}]"
            plots.append([f"{rng.uniform(0.1, 3):.2f}", "owned", key, plot])
            if (i, p) != (1, 2):
                crops.append(["maize", f"{rng.randint(100, 900)}", plot, f"{plot}/plot_crops[1]"])
        animals.append(["goat", str(rng.randint(1, 9)), key, f"{key}/SECTION_E/livestock[1]"])
    for suffix, table in (("SECTION_B-hh_members", members), ("SECTION_C-plots", plots),
                          ("SECTION_C-plots-plot_crops", crops), ("SECTION_E-livestock", animals)):
        with (folder / f"{name}-{suffix}.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(table)
        counts[suffix.rsplit("-", 1)[-1]] = len(table) - 1
    return main, counts


KOBO_META = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
             "__version__", "_tags", "_index"]
KOBO_REPEAT_META = ["_index", "_parent_table_name", "_parent_index", "_submission__id", "_submission__uuid",
                    "_submission__submission_time", "_submission__validation_status", "_submission__notes",
                    "_submission__status", "_submission__submitted_by", "_submission___version__",
                    "_submission__tags"]


def kobo_form(folder: Path, name: str = "household_profile") -> Path:
    """A Kobo form with nested groups, a repeat holding a group, and a leaf name used in two groups."""
    from openpyxl import Workbook

    survey = [["type", "name", "label::English (en)", "label::French (fr)"],
              ["start", "start", "", ""], ["end", "end", "", ""],
              ["begin_group", "profile", "Profile", "Profil"],
              ["select_one country", "country", "Country", "Pays"],
              ["text", "occupation", "Occupation", "Profession"],
              ["begin_group", "contact", "Contact", "Contact"],
              ["text", "name", "Name of the organisation", "Nom de la structure"],
              ["end_group", "", "", ""],
              ["end_group", "", "", ""],
              ["begin_group", "site", "Site", "Site"],
              ["text", "name", "Name of the site", "Nom du site"],
              ["integer", "size", "Size (m²)", "Surface (m²)"],
              ["select_multiple uses", "uses", "Uses", "Usages"],
              ["end_group", "", "", ""],
              ["begin_repeat", "children", "Children", "Enfants"],
              ["text", "child_name", "First name", "Prénom"],
              ["begin_group", "schooling", "Schooling", "Scolarité"],
              ["integer", "age", "Age", "Âge"],
              ["select_one yesno", "at_school", "At school?", "Scolarisé ?"],
              ["end_group", "", "", ""],
              ["end_repeat", "", "", ""]]
    choices = [["list_name", "name", "label::English (en)", "label::French (fr)"],
               ["country", "fr", "France", "France"], ["country", "it", "Italy", "Italie"],
               ["uses", "office", "Office", "Bureau"], ["uses", "workshop", "Workshop", "Atelier"],
               ["uses", "shop", "Shop", "Boutique"], ["yesno", "yes", "Yes", "Oui"],
               ["yesno", "no", "No", "Non"]]
    book = Workbook()
    book.active.title = "survey"
    for row in survey:
        book["survey"].append(row)
    sheet = book.create_sheet("choices")
    for row in choices:
        sheet.append(row)
    sheet = book.create_sheet("settings")
    sheet.append(["form_title", "form_id", "version"])
    sheet.append(["Household profile", name, "vGh3kq"])
    path = folder / f"{name}.xlsx"
    book.save(path)
    return path


def kobo_xlsx(folder: Path, *, separator: str = ".", labels: bool = False, groups: bool = True,
              multiple: str = "both", submissions: int = 4, name: str = "household_profile"
              ) -> tuple[Path, dict]:
    """A KoboToolbox XLSX export of :func:`kobo_form`, with the options of Kobo's export dialog:
    group ``separator``, ``labels`` (English labels) or XML names as headers, ``groups`` in headers
    or not, select-many as one column, one column per option, or ``both``. The repeat sheet is linked
    by ``_parent_index`` and ``_submission__uuid``. Returns the file and the true counts."""
    from openpyxl import Workbook

    def head(path: tuple[str, ...], label: tuple[str, ...]) -> str:
        parts = label if labels else path
        return separator.join(parts if groups else parts[-1:])

    main_columns = [("start", ("start",), ("start",)), ("end", ("end",), ("end",)),
                    ("country", ("profile", "country"), ("Profile", "Country")),
                    ("occupation", ("profile", "occupation"), ("Profile", "Occupation")),
                    ("org_name", ("profile", "contact", "name"),
                     ("Profile", "Contact", "Name of the organisation")),
                    ("site_name", ("site", "name"), ("Site", "Name of the site")),
                    ("size", ("site", "size"), ("Site", "Size (m²)"))]
    uses = [("office", "Office"), ("workshop", "Workshop"), ("shop", "Shop")]
    header = [head(p, lab) for _, p, lab in main_columns]
    if multiple in ("single", "both"):
        header.append(head(("site", "uses"), ("Site", "Uses")))
    if multiple in ("split", "both"):
        header += [head(("site", "uses"), ("Site", "Uses")) + "/" + (label if labels else choice)
                   for choice, label in uses]
    header += KOBO_META
    rows, children = [], []
    child_header = [head(("children", "child_name"), ("Children", "First name")),
                    head(("children", "schooling", "age"), ("Children", "Schooling", "Age")),
                    head(("children", "schooling", "at_school"), ("Children", "Schooling", "At school?")),
                    *KOBO_REPEAT_META]
    for i in range(submissions):
        uuid = f"4f7c{i:04d}-1d2e-4a5b-9c8d-7e6f5a4b3c2d"
        chosen = [uses[j] for j in range(3) if (i + j) % 2 == 0]
        country = ("France", "Italy")[i % 2] if labels else ("fr", "it")[i % 2]
        row = ["2024-03-14T09:00:00", "2024-03-14T09:20:00", country, f"Job {i}", f"Org {i}", f"Site {i}",
               40 + i]
        if multiple in ("single", "both"):
            row.append(" ".join(label if labels else c for c, label in chosen))
        if multiple in ("split", "both"):
            row += [1 if (c, lab) in chosen else 0 for c, lab in uses]
        row += [1000 + i, uuid, "2024-03-14T09:21:00", "", "", "submitted_via_web", "", "vGh3kq", "", i + 1]
        rows.append(row)
        for c in range(i % 3):
            children.append([f"Child {i}.{c}", 5 + c, ("Yes" if labels else "yes"), len(children) + 1,
                             "household_profile", i + 1, 1000 + i, uuid, "2024-03-14T09:21:00", "", "",
                             "submitted_via_web", "", "vGh3kq", ""])
    book = Workbook()
    sheet = book.active
    sheet.title = "Household profile"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet = book.create_sheet("children")
    sheet.append(child_header)
    for row in children:
        sheet.append(row)
    path = folder / f"{name}_-_latest_version_-_{'labels' if labels else 'False'}.xlsx"
    book.save(path)
    return path, {"rows": len(rows), "children": len(children)}
