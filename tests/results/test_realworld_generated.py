"""Real XLSForms that came without an export (``../shared/realworld/xlsform``, written by pyxform's and
other projects' authors) answered by the generator of ``tests/strategies``, then ingested against the
real form and taken the whole way: results, site export, data export, ``coopwork check``.

The form is read by coopwork (:func:`coopwork.survey.load_survey`) and described to the generator as
a :class:`~tests.strategies.FormSpec` with the same names, groups and repeats (:func:`spec_of`); the
generated Kobo XLSX export is then ingested against the original file. Relevance and constraints of
the real form are not known to the generator: answers that break them are quarantined by the ingest,
as they would be in the field — the test asks that the rest goes through.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from coopwork.ingest import ingest_file
from coopwork.survey import Survey, load_survey
from coopwork.workspace import open_workspace
from tests.strategies import FormSpec, submissions, write_export
from tests.strategies.forms import ANSWER_TYPES, METADATA_TYPES, Calculation, Choice, Group, Question

pytestmark = pytest.mark.slow

#: real forms without an export (those with one run in test_realworld_forms.py); pyxform_loop.md is
#: not here: the generator has no ``begin loop`` (a loop's questions share their names across groups)
FORMS = ["xlsform/pyxform_widgets.csv", "xlsform/pyxform_group.csv",
         "xlsform/wq_xlsform_converter_select.csv", "xlsform/pyxform_case_insensitivity.md"]


def spec_of(survey: Survey) -> FormSpec:
    """``survey`` as the generator knows forms: same names, groups and repeats, one label each.

    Types the generator does not answer (media, barcode, geotrace…) are answered as text; a
    calculation is a constant.
    """
    def question(q) -> Question:
        kind = q.type if q.type in (*ANSWER_TYPES, *METADATA_TYPES, "note") else "text"
        if kind == "range":  # its bounds are the form's; 1..5 fits the usual ones, others quarantined
            return Question(q.name, "range", {"": q.label(None, survey.default_language)},
                            parameters=(1, 5, 1))
        return Question(q.name, kind, {"": q.label(None, survey.default_language)},
                        list_name=q.list_name if kind in {"select_one", "select_multiple", "rank"} else None,
                        calculation=Calculation(None, 7) if kind == "calculate" else None)

    def build(path: tuple[str, ...], items: list) -> tuple:
        nodes, i = [], 0
        while i < len(items):
            q = items[i]
            if q.group[: len(path)] == path and len(q.group) == len(path):
                nodes.append(question(q))
                i += 1
                continue
            name = q.group[len(path)]
            inner = [q]
            i += 1
            while i < len(items) and items[i].group[: len(path) + 1] == (*path, name):
                inner.append(items[i])
                i += 1
            group = survey.groups["/".join((*path, name))]
            nodes.append(Group(name, {"": group.label(None, survey.default_language)},
                               build((*path, name), inner), repeat=group.kind == "repeat"))
        return tuple(nodes)

    questions = [q for q in survey.questions.values() if q.source_name is None]
    choices = {name: tuple(Choice(c.name, {"": c.label(None, survey.default_language)}) for c in items)
               for name, items in survey.choices.items()}
    return FormSpec(survey.survey_id, survey.title, (), build((), questions), choices,
                    version=survey.version or "v1")


def as_xlsx(form: Path, path: Path) -> Path:
    """A form written as CSV or Markdown (pyxform's test formats) as the XLSX a workspace holds, cell
    for cell (pyxform's own readers)."""
    import openpyxl
    from pyxform.xls2json_backends import csv_to_dict, md_to_dict

    sheets = csv_to_dict(str(form)) if form.suffix == ".csv" else md_to_dict(str(form))
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in sheets["sheet_names"]:  # as written ("SURVEY"); pyxform's keys are lower case
        if not sheets.get(name.lower()):
            continue
        header = [h for h in sheets[f"{name.lower()}_header"][0] if h]
        sheet = book.create_sheet(name)
        sheet.append(header)
        for row in sheets[name.lower()]:
            sheet.append([row.get(h) for h in header])
    book.save(path)
    return path


@pytest.mark.parametrize("name", FORMS)
@settings(max_examples=1, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_real_form_answered_by_the_generator_goes_the_whole_way(name, realworld, tmp_path_factory, data):
    from coopwork.export import export_all
    from coopwork.export.check import check_published
    from coopwork.export.data import write_data
    from coopwork.fileio import load
    from coopwork.paths import results_file
    from coopwork.results.store import ensure

    form = realworld / name
    survey = load_survey(form)
    spec = spec_of(survey)
    subs = data.draw(submissions(spec, min_records=5, max_records=8, missing=False, tricky=()))
    folder = tmp_path_factory.mktemp("real_generated")
    (folder / "surveys").mkdir()
    copy = as_xlsx(form, folder / "surveys" / f"{form.stem}.xlsx")
    assert load_survey(copy).questions.keys() == survey.questions.keys()
    export = write_export("kobo_xlsx", spec, subs, folder / "export.xlsx")
    result = ingest_file(export, survey=copy, wave="w1", territory="t1", workspace=folder)
    assert result.accepted >= 1, (name, result)
    ws = open_workspace(folder)
    entries = ensure(ws, langs=("en",), min_count=3)
    assert {e.territory for e in entries} == {"t1", None}
    results = load(results_file(folder, ws.survey_id, "t1", "w1", "en", 3))
    ids = Counter(c["id"] for c in results["views"][""]["charts"])
    assert ids and all(n == 1 for n in ids.values()), ids
    exported = export_all(folder, lang="en", placemat_pdf=False)
    assert exported.territories == ["t1"]
    data_files = write_data(ws, fmt="csv", lang="en")
    assert any(p.name == "responses.csv" for p in data_files.files)
    check = check_published(folder)
    assert check.ok, check.breaches
