"""Validation of RawExport records against a Survey (built directly: the unit-test boundary)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from coopwork.errors import IngestError
from coopwork.ingest.raw import RawExport
from coopwork.ingest.validate import ACTIONS, ISSUE_COLUMNS, parse_datetimes, validate
from coopwork.survey import Choice, Question, Survey


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    """Messages in English so that the tests can compare them exactly (French is the default)."""
    monkeypatch.setenv("COOPWORK_LANG", "en")


def _choices(*names: str) -> tuple[Choice, ...]:
    return tuple(Choice(n, {"fr": n.upper()}) for n in names)


@pytest.fixture
def survey() -> Survey:
    questions = [
        Question("zone", "select_one", role="territory", required=True, choices=_choices("nord", "sud")),
        Question("org", "text", role="organisation", required=True),
        Question("kind", "select_one", choices=_choices("scop", "scic", "autre")),
        Question("kind_other", "text", relevant="${kind} = 'autre'", required=True),
        Question("staff", "integer", required=True, constraint=". >= 0 and . <= 100",
                 constraint_message={"fr": "entre 0 et 100"}),
        Question("share", "decimal", constraint=". <= ${staff}"),
        Question("tools", "select_multiple", choices=_choices("web", "compta", "locaux")),
        Question("email", "text", identifier=True),
        Question("started", "date", constraint="jr:choice-name(., 'x')"),
        Question("partner", "text", role="partner", repeat="ties", group=("ties",), required=True),
        Question("strength", "select_one", repeat="ties", group=("ties",), choices=_choices("1", "2", "3"),
                 relevant="${kind} != 'autre'"),
    ]
    return Survey("test", "Test", None, ["fr"], "fr", {q.name: q for q in questions}, {})


def _raw(rows: list[dict], repeats: dict[str, list[dict]] | None = None, **kwargs) -> RawExport:
    main = pd.DataFrame(rows).astype("string")
    main.insert(0, "_row", pd.array(range(1, len(main) + 1), dtype="Int64"))
    reps = {name: pd.DataFrame(r).astype("string") for name, r in (repeats or {}).items()}
    for frame in reps.values():
        frame.insert(0, "_row", pd.array(range(1, len(frame) + 1), dtype="Int64"))
    return RawExport(file=Path("export.csv"), reader="csv", main=main, repeats=reps, **kwargs)


def _base(**overrides) -> dict:
    row = {"zone": "nord", "org": "Atelier", "kind": "scop", "kind_other": None, "staff": "4",
           "share": "1.5", "tools": "web", "email": None, "started": "2020-05-01"}
    row.update(overrides)
    return row


def _issues(result, column=None):
    issues = result.issues
    if column is not None:
        issues = issues[issues["column"] == column]
    return issues[["row", "column", "value", "reason", "action"]].to_dict("records")


def test_clean_rows_are_typed_per_the_contract(survey):
    result = validate(_raw([_base(), _base(zone="sud", staff="0", share=None, tools="locaux web")]),
                      survey, wave="2025")
    r = result.responses
    assert r["zone"].dtype == "string" and r["org"].dtype == "string"
    assert r["staff"].dtype == "Int64" and r["staff"].tolist() == [4, 0]
    assert r["share"].dtype == "Float64" and r["share"].tolist()[0] == 1.5 and pd.isna(r["share"][1])
    assert r["started"].dtype == "datetime64[ns]"
    assert r["started"][0] == pd.Timestamp("2020-05-01")
    assert r["tools"].tolist() == ["web", "web locaux"]  # form order
    assert r["_wave"].tolist() == ["2025", "2025"]
    assert r["_territory"].tolist() == ["nord", "sud"]
    assert str(r["_submitted_at"].dtype) == "datetime64[ns, UTC]"
    assert result.quarantine.empty
    # the only issue: the constraint that cannot be evaluated, reported once as not checked
    assert _issues(result) == [{"row": None, "column": "started", "value": "jr:choice-name(., 'x')",
                                "reason": "constraint not checked: the function jr:choice-name() is "
                                          "not supported", "action": "flagged"}]


def test_field_problems_set_the_value_missing_and_keep_the_original(survey):
    rows = [_base(staff="12.5"), _base(staff="200"), _base(kind="coop"), _base(share="beaucoup"),
            _base(share="9"), _base(started="bientôt"), _base(tools="web fax compta"), _base(tools="fax")]
    result = validate(_raw(rows), survey, wave="w1")
    r = result.responses
    assert r["staff"].isna().tolist() == [True, True, False, False, False, False, False, False]
    assert pd.isna(r["kind"][2]) and pd.isna(r["share"][3]) and pd.isna(r["share"][4])
    assert pd.isna(r["started"][5])
    assert r["tools"][6] == "web compta" and pd.isna(r["tools"][7])
    got = [i for i in _issues(result) if i["column"] != "started" or i["row"] is not pd.NA]
    got = [(i["row"], i["column"], i["value"], i["action"]) for i in got if not pd.isna(i["row"])]
    assert got == [
        (1, "staff", "12.5", "value set missing"),
        (2, "staff", "200", "value set missing"),
        (3, "kind", "coop", "value set missing"),
        (4, "share", "beaucoup", "value set missing"),
        (5, "share", "9", "value set missing"),            # share <= ${staff} broken (9 > 4)
        (6, "started", "bientôt", "value set missing"),
        (7, "tools", "web fax compta", "option dropped"),
        (8, "tools", "fax", "value set missing"),
    ]
    reasons = {i["row"]: i["reason"] for i in _issues(result) if not pd.isna(i["row"])}
    assert reasons[2] == "constraint not met: . >= 0 and . <= 100 (entre 0 et 100)"
    assert reasons[7] == "not in the choice list: fax"


def test_relevance_and_required(survey):
    rows = [
        _base(kind="scop", kind_other="texte"),   # answered but not relevant → flagged, kept
        _base(kind="autre", kind_other=None),     # relevant and required but missing → flagged
        _base(kind="scop", kind_other=None),      # not relevant and missing → nothing
        _base(staff=None),                        # required, no relevance → flagged
    ]
    result = validate(_raw(rows), survey, wave="w1")
    got = [(i["row"], i["column"], i["reason"], i["action"]) for i in _issues(result)
           if not pd.isna(i["row"])]
    assert got == [
        (1, "kind_other", "answer to a question that was not relevant (${kind} = 'autre')", "flagged"),
        (2, "kind_other", "required answer missing", "flagged"),
        (4, "staff", "required answer missing", "flagged"),
    ]
    assert result.responses["kind_other"][0] == "texte"


def test_row_problems_quarantine_the_row(survey):
    rows = [_base(), _base(zone=None), _base(zone="ouest"),
            {k: None for k in _base()}, _base(zone=" sud ")]
    raw = _raw(rows)
    result = validate(raw, survey, wave="w1")
    assert result.responses["_row"].tolist() == [1, 5]
    assert result.responses["_territory"].tolist() == ["nord", "sud"]
    q = result.quarantine
    assert q["_row"].tolist() == [2, 3, 4]
    assert q["_reason"].tolist() == [
        "no territory (the answer to 'zone' is missing; give --territory to set it)",
        "territory not in the choice list of 'zone'",
        "empty or unreadable record (no answer)",
    ]
    assert all(str(q[c].dtype) == "string" for c in q.columns if c != "_row")
    quarantined = result.issues[result.issues["action"] == "quarantined row"]
    assert quarantined["row"].tolist() == [2, 3, 4]
    assert len(result.responses) + len(q) == raw.rows_read


def test_reader_can_quarantine_an_unreadable_record(survey):
    broken = {"row": 2, "sheet": "", "column": "", "value": "\x00\x00",
              "reason": "unreadable record (binary bytes)", "action": "quarantined row"}
    result = validate(_raw([_base(), _base(), _base()], issues=[broken]), survey, wave="w1")
    assert result.responses["_row"].tolist() == [1, 3]
    assert result.quarantine["_reason"].tolist() == ["unreadable record (binary bytes)"]
    quarantined = result.issues[result.issues["action"] == "quarantined row"]
    assert quarantined["row"].tolist() == [2]            # once: the reader's own line


def test_territory_option_fills_missing_answers(survey):
    result = validate(_raw([_base(zone=None), _base(zone="sud")]), survey, wave="w1", territory="nord")
    assert result.responses["_territory"].tolist() == ["nord", "sud"]
    assert result.quarantine.empty


def test_unknown_territory_option_is_a_file_error(survey):
    with pytest.raises(IngestError) as info:
        validate(_raw([_base()]), survey, wave="w1", territory="ouest")
    assert str(info.value) == ("export.csv: the territory 'ouest' is not in the choice list of 'zone'. "
                               "What to do: give one of: nord, sud.")


def test_no_territory_at_all_is_a_file_error(survey):
    raw = _raw([{"org": "A", "staff": "1"}])
    with pytest.raises(IngestError) as info:
        validate(raw, survey, wave="w1")
    assert str(info.value) == ("export.csv: no territory: the export has no column for the territory "
                               "question 'zone'. What to do: give the territory of this file with "
                               "--territory T.")
    result = validate(raw, survey, wave="w1", territory="sud")
    assert result.responses["_territory"].tolist() == ["sud"]


def test_survey_without_territory_question_keeps_every_row_without_territory():
    # one report and one dashboard for all respondents; --territory still names the file's territory
    survey = Survey("s", "S", None, ["fr"], "fr", {"q": Question("q", "text")}, {})
    result = validate(_raw([{"q": "x"}, {"q": "y"}]), survey, wave="w")
    assert result.responses["_territory"].isna().all() and len(result.responses) == 2
    assert validate(_raw([{"q": "x"}]), survey, wave="w", territory="t1").responses["_territory"].tolist() \
        == ["t1"]


def test_repeats_are_linked_typed_and_checked(survey):
    rows = [_base(kind="scop"), _base(kind="autre", kind_other="x"), _base(zone=None)]
    main = [dict(r, _submission_id=f"uuid-{i}") for i, r in enumerate(rows, start=1)]
    ties = [
        {"_parent_submission_id": "uuid-1", "partner": "Mairie", "strength": "3"},
        {"_parent_submission_id": "uuid-1", "partner": None, "strength": "9"},
        {"_parent_submission_id": "uuid-2", "partner": "Café", "strength": "2"},   # not relevant
        {"_parent_submission_id": "uuid-3", "partner": "Ferme", "strength": "1"},  # parent quarantined
        {"_parent_submission_id": "uuid-9", "partner": "Orphan", "strength": "1"},
    ]
    raw = _raw(main, {"ties": ties})
    result = validate(raw, survey, wave="w1")
    ties_out = result.repeats["ties"]
    assert ties_out["_main_row"].tolist() == [1, 1, 2]
    assert ties_out["_index"].tolist() == [1, 2, 1]
    assert ties_out["partner"].tolist()[0] == "Mairie" and pd.isna(ties_out["partner"][1])
    assert pd.isna(ties_out["strength"][1])
    got = [(i["row"], i["column"], i["action"]) for i in _issues(result)
           if i.get("column") != "started"]
    sheet_of = result.issues.set_index(["row", "column"])["sheet"].to_dict()
    assert (2, "strength", "value set missing") in got
    assert (2, "partner", "flagged") in got                     # required in the repeat
    assert (3, "strength", "flagged") in got                    # ${kind} of the parent = 'autre'
    assert (5, "", "flagged") in got                            # orphan
    assert sheet_of[(2, "strength")] == "ties"
    assert not any(i[0] == 4 and i[1] != "" for i in got if i[1] in {"partner", "strength"})


def test_repeat_linked_by_parent_row(survey):
    raw = _raw([_base(), _base()], {"ties": [{"_parent_row": "2", "partner": "X", "strength": "1"}]})
    result = validate(raw, survey, wave="w1")
    assert result.repeats["ties"]["_main_row"].tolist() == [2]


def test_unmapped_columns_and_reader_issues_are_reported(survey):
    reader_issue = {"row": 1, "sheet": "", "column": "tools", "value": "Web, Fax",
                    "reason": "checkbox label not resolved", "action": "option dropped"}
    raw = _raw([_base()], unmapped=["Colonne X"], issues=[reader_issue])
    result = validate(raw, survey, wave="w1")
    records = _issues(result)
    assert {"row": 1, "column": "tools", "value": "Web, Fax", "reason": "checkbox label not resolved",
            "action": "option dropped"} in records
    assert any(r["column"] == "Colonne X" and r["action"] == "flagged" for r in records)
    assert list(result.issues.columns[:6]) == ISSUE_COLUMNS
    assert set(result.issues["action"]) <= set(ACTIONS)


def test_parse_datetimes_formats():
    values = pd.Series(["2024-03-05T10:00:00.000+01:00", "2019-03-07T10:27:48.812Z", "13/11/2023 16:20:37",
                        "2023/11/13 16:20:37", "", None, "32/13/2020"], dtype="string")
    got = parse_datetimes(values, utc=True)
    assert str(got.dtype) == "datetime64[ns, UTC]"
    assert got[0] == pd.Timestamp("2024-03-05 09:00", tz="UTC")
    assert got[1] == pd.Timestamp("2019-03-07 10:27:48.812", tz="UTC")
    assert got[2] == got[3] == pd.Timestamp("2023-11-13 16:20:37", tz="UTC")
    assert got[4:].isna().all()


def test_validation_is_vectorised_on_many_rows(survey):
    """10 000 rows validate in one pass; the counts of issues match a direct count."""
    rows = [_base(staff=str(i % 150), tools="web fax" if i % 7 == 0 else "compta") for i in range(10_000)]
    result = validate(_raw(rows), survey, wave="w1")
    staff = result.issues[result.issues["column"] == "staff"]
    assert len(staff) == sum(1 for i in range(10_000) if i % 150 > 100)
    dropped = result.issues[result.issues["action"] == "option dropped"]
    assert len(dropped) == sum(1 for i in range(10_000) if i % 7 == 0)


def test_issue_reasons_follow_the_user_language(survey, monkeypatch):
    monkeypatch.setenv("COOPWORK_LANG", "fr")
    result = validate(_raw([_base(kind="coop", staff="200", started="bientôt")]), survey, wave="w1")
    reasons = dict(zip(result.issues["column"], result.issues["reason"], strict=True))
    assert reasons["kind"] == "pas dans la liste de choix"
    assert reasons["staff"] == "contrainte non respectée : . >= 0 and . <= 100 (entre 0 et 100)"
    assert reasons["started"].startswith("contrainte non vérifiée : ") or reasons["started"] == "pas une date"
    assert set(result.issues["action"]) <= set(ACTIONS)   # actions stay the contract's words


def _group_form(path: Path) -> Path:
    """A small XLSForm whose group ``mutual`` is only relevant when ``shares`` is ``oui``."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label", "required", "relevant", "coopwork::role"])
    for row in [
        ("select_one zone", "zone", "Zone", "yes", "", "territory"),
        ("select_one yn", "shares", "Mutualise ?", "yes", "", ""),
        ("begin_group", "mutual", "Mutualisation", "", "${shares} = 'oui'", ""),
        ("integer", "savings", "Économies", "yes", "", ""),
        ("text", "what", "Quoi ?", "yes", "${savings} > 0", ""),
        ("end_group", "", "", "", "", ""),
    ]:
        sheet.append(list(row))
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    for row in [("zone", "nord", "Nord"), ("yn", "oui", "Oui"), ("yn", "non", "Non")]:
        choices.append(list(row))
    settings = book.create_sheet("settings")
    settings.append(["form_id", "form_title"])
    settings.append(["group_test", "Group test"])
    book.save(path)
    return path


def test_a_question_in_a_group_that_is_not_relevant_is_not_relevant(tmp_path):
    from coopwork.survey import load_survey

    survey = load_survey(_group_form(tmp_path / "group.xlsx"))
    assert survey.questions["savings"].applies_when == ("${shares} = 'oui'",)
    assert survey.questions["what"].applies_when == ("${shares} = 'oui'", "${savings} > 0")
    result = validate(_raw([
        {"zone": "nord", "shares": "oui", "savings": "10", "what": "locaux"},   # all fine
        {"zone": "nord", "shares": "oui", "savings": None, "what": None},       # required savings missing
        {"zone": "nord", "shares": "non", "savings": None, "what": None},       # group off: nothing missing
        {"zone": "nord", "shares": "non", "savings": "5", "what": "salle"},     # group off: both flagged
    ]), survey, wave="w")
    issues = result.issues[["row", "column", "reason", "action"]]
    assert issues.astype(object).values.tolist() == [
        [2, "savings", "required answer missing", "flagged"],
        [4, "savings", "answer to a question that was not relevant (${shares} = 'oui')", "flagged"],
        [4, "what", "answer to a question that was not relevant ((${shares} = 'oui') and (${savings} > 0))",
         "flagged"],
    ]
    # flagged answers are kept
    assert result.responses["savings"].tolist()[3] == 5
