"""One territory's dashboard, report and export in every interface language, never mixed.

For each language the test renders what a partner reads — the served dashboard in headless
Chromium (its language buttons pressed one after the other), the territory report notebook
(papermill, HTML) and the export (site page, placemat, workbook) — and looks in it for any text
that belongs to another language: a fragment of a catalogue message that differs from this
language's own messages (English scaffolding such as "What to do" included), or a survey
label in another language. Screenshots of the Romanian and Hungarian dashboards go to
``test-output/screenshots/`` for a reviewer (and a native speaker) to look at.
"""

from __future__ import annotations

import html
import re
import shutil
import string
from pathlib import Path

import pytest

from coopwork.i18n import LANGS, catalogue

pytestmark = [pytest.mark.slow]

TERRITORY = "timisoara"
SHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"
TIMEOUT = 400_000  # ms: the machine is shared by several test runs
MIN_FRAGMENT = 10  # characters: shorter pieces ("Val", "Erro") are words of several languages


def _survey_labels(survey) -> list[dict[str, str]]:
    labels = [q.labels for q in survey.questions.values()]
    return labels + [c.labels for choices in survey.choices.values() for c in choices]


def _fragments(text: str) -> list[str]:
    """The literal pieces of a message (placeholders cut out), trimmed of punctuation."""
    pieces = [literal for literal, _, _, _ in string.Formatter().parse(text)]
    return [p.strip(" \n:;,.()[]«»\"'„“”–—-<>!?…▶◀0123456789%") for p in pieces]


def foreign_texts(lang: str, survey) -> dict[str, str]:
    """``{fragment: where it comes from}``: texts that would betray another language on a ``lang`` page."""
    messages = catalogue()
    own = "\n".join(texts.get(lang, "") for texts in messages.values())
    own += "\n".join(labels.get(lang, "") for labels in _survey_labels(survey))
    found = {}
    sources = [(key, texts) for key, texts in messages.items()]
    sources += [(f"survey label {labels.get('en', '')!r}", labels) for labels in _survey_labels(survey)]
    for where, texts in sources:
        for other, text in texts.items():
            if other == lang or other not in LANGS or text == texts.get(lang):
                continue
            for fragment in _fragments(text):
                if len(fragment) >= MIN_FRAGMENT and " " in fragment and fragment not in own:
                    found.setdefault(fragment, f"{where} [{other}]")
    return found


def assert_one_language(text: str, lang: str, survey, what: str) -> None:
    foreign = foreign_texts(lang, survey)
    hits = sorted(f"{fragment!r} from {where}" for fragment, where in foreign.items() if fragment in text)
    assert not hits, f"{what} in {lang} shows text of another language:\n" + "\n".join(hits[:30])


def visible_text(page_html: str) -> str:
    """The text of an HTML page as a reader sees it (scripts and styles left out)."""
    body = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page_html)
    body = re.sub(r"(?s)<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body))


# -- the workspace: the demo data, computed once ---------------------------------------------------------

@pytest.fixture(scope="module")
def workspace(demo_every_language, tmp_path_factory) -> Path:
    """A copy of the demo whose latest results are already computed in every language (the reports
    and exports below write into it)."""
    root = tmp_path_factory.mktemp("every_language") / "ws"
    shutil.copytree(demo_every_language, root, symlinks=True)
    return root


@pytest.fixture(scope="module")
def survey(workspace):
    from coopwork.workspace import open_workspace

    return open_workspace(workspace).survey


def test_the_detector_finds_mixed_text(survey):
    """The check can fail: French scaffolding, an English sentence or a French label are caught."""
    from coopwork.errors import IngestError

    mixed = "Rezultatele anchetei. " + IngestError("ingest.err_wave", hint="ingest.hint_wave").render("en")
    with pytest.raises(AssertionError, match="What to do"):
        assert_one_language(mixed, "ro", survey, "a mixed page")
    with pytest.raises(AssertionError, match="survey label"):
        assert_one_language("Numele organizației: Nom de l'organisation", "ro", survey, "a mixed label")
    right = IngestError("ingest.err_wave", hint="ingest.hint_wave").render("ro")
    assert_one_language(right + " Numele organizației", "ro", survey, "a Romanian page")


# -- report and export --------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_report_and_export_speak_one_language(workspace, survey, lang):
    from openpyxl import load_workbook

    from coopwork.batch import run_batch
    from coopwork.export import export_all
    from coopwork.i18n import t

    run = run_batch(workspace, territories=[TERRITORY], lang=lang, force=True, jobs=1, show_progress=False)
    assert not run.failed, run.failed
    report = Path(run.reports_dir) / TERRITORY / "territory_report.html"
    report = visible_text(report.read_text(encoding="utf-8"))
    place = survey.choice_labels("territoire", lang)[TERRITORY]
    assert t("batch.report_title", lang, territory=place) in report
    assert_one_language(report, lang, survey, "the report")

    result = export_all(workspace, territories=[TERRITORY], lang=lang, placemat_pdf=False)
    pages = [p for p in result.files if p.suffix == ".html"]
    assert pages and t("export.h_downloads", lang) in visible_text(pages[0].read_text(encoding="utf-8"))
    for page in pages:
        assert_one_language(visible_text(page.read_text(encoding="utf-8")), lang, survey, page.name)
    for book in (p for p in result.files if p.suffix == ".xlsx"):
        cells = [str(cell) for sheet in load_workbook(book, read_only=True).worksheets
                 for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
        assert_one_language("\n".join(cells), lang, survey, book.name)


# -- the served dashboard, in Chromium ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(workspace, tmp_path_factory, serving):
    from coopwork.dashboard.serve import free_port, prepare

    port = free_port() or pytest.skip("no free port in 18800-18899")
    plan = prepare(workspace, port=port, token="lang-token", territory=TERRITORY, lang="fr")
    with serving(plan, tmp_path_factory.mktemp("voila") / "voila.log"):
        yield plan


@pytest.fixture(scope="module")
def page(server, chromium):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT)
    page.goto(server.urls[TERRITORY], timeout=TIMEOUT)
    page.wait_for_selector(".js-plotly-plot .main-svg", state="attached")
    yield page
    page.close()


def test_the_language_buttons_are_the_form_languages(page, survey):
    buttons = page.locator(".cw-pick-lang button")
    assert [buttons.nth(i).inner_text().strip().lower() for i in range(buttons.count())] == \
        survey.label_languages == list(LANGS)


@pytest.mark.parametrize("lang", LANGS)
def test_dashboard_speaks_one_language(page, survey, lang):
    from coopwork.i18n import t

    title = t("dashboard.title", lang)
    page.locator(".cw-pick-lang button", has_text=lang.upper()).click()
    page.wait_for_function("title => document.querySelector('.cw-dashboard h1')?.innerText.includes(title)",
                           arg=title, timeout=TIMEOUT)
    # the charts are drawn again in the new language: wait for its label of org_type on the screen (the
    # old charts' svg stays attached meanwhile, and under load they may have no text yet)
    page.wait_for_function(
        "label => document.querySelector('.cw-dashboard')?.innerText.includes(label) || Array.from("
        "document.querySelectorAll('.js-plotly-plot text')).some(node => node.textContent.includes(label))",
        arg=survey.label("org_type", lang), timeout=TIMEOUT)
    page.wait_for_timeout(1500)  # let plotly draw the other charts' axes and legends
    text = page.inner_text(".cw-dashboard")
    svg = " ".join(page.locator(".js-plotly-plot text").all_text_contents())
    assert t("dashboard.respondents", lang, n="").strip() in text or "< " in text
    assert survey.label("org_type", lang) in text + svg
    assert "Traceback" not in text
    assert_one_language(text + "\n" + svg, lang, survey, "the dashboard")
    if lang in ("ro", "hu"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"dashboard_{lang}.png"), full_page=False)
