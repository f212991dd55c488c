"""`coopwork export --all` on the demo workspace (6 territories × 2 waves): the "done when" of issue 7."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from openpyxl import load_workbook

pytestmark = [pytest.mark.browser, pytest.mark.slow]


#: notes written in a workshop on Matera's dashboard, keyed as the journal stores them
NOTES = {"org_type": "Surtout des associations", "org_type#association": "Elles portent les projets",
         "gone_chart": "Une note sur un graphique qui n'existe plus"}


@pytest.fixture(scope="module")
def demo_export(demo_prepared, tmp_path_factory):
    from coopwork.batch import run_batch
    from coopwork.journal import open_journal
    from coopwork.workspace import open_workspace

    root = tmp_path_factory.mktemp("demo-export") / "ws"
    shutil.copytree(demo_prepared, root)
    ws = open_workspace(root)
    ran = run_batch(root, territories=["matera"], notebook="territory_report.ipynb", show_progress=False)
    assert ran.ok, ran.failed  # a batch report, published with the site
    journal = open_journal(root)  # notes of a workshop: about a chart, and about one of its bars
    for chart, text in NOTES.items():
        journal.add(ws.survey_id, territory="matera", wave="2026", chart=chart, kind="see", text=text)
    journal.close()
    done = subprocess.run([sys.executable, "-m", "coopwork.cli", "export", "--all", "--workspace", str(root),
                           "--json"], capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return root, json.loads(done.stdout)


def test_everything_is_written_for_every_territory(demo_export):
    root, result = demo_export
    from coopwork.workspace import open_workspace

    ws = open_workspace(root)
    assert result["territories"] == ws.territories and len(ws.territories) == 6
    assert result["warnings"] == []
    site = ws.exports_dir
    for territory in ws.territories:
        for relative in (f"territories/{territory}.html", f"workbooks/{territory}.xlsx",
                         f"placemats/{territory}.pdf", f"network/{territory}.gexf",
                         f"network/{territory}_nodes.csv", f"notes/{territory}.md"):
            assert (site / relative).is_file(), relative
    assert (site / "index.html").is_file() and (site / "workbooks" / "synthesis.xlsx").is_file()


def test_files_open_back(demo_export):
    root, _ = demo_export
    from coopwork.workspace import open_workspace

    ws = open_workspace(root)
    site = ws.exports_dir
    territory = ws.territories[0]
    book = load_workbook(site / "workbooks" / f"{territory}.xlsx")
    assert book.sheetnames[0] == "README" and "summaries" in book.sheetnames
    graph = nx.read_gexf(site / "network" / f"{territory}.gexf")
    assert graph.number_of_edges() > 10
    info = subprocess.run(["pdfinfo", str(site / "placemats" / f"{territory}.pdf")], capture_output=True,
                          text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\b", info)
    synthesis = load_workbook(site / "workbooks" / "synthesis.xlsx")
    changes = list(synthesis["changes"].iter_rows(values_only=True))
    assert len(changes) > 6  # two waves: something to compare for every territory
    index = (site / "index.html").read_text(encoding="utf-8")
    for name in ws.territories:
        assert f'href="territories/{name}.html"' in index


def test_no_identifier_and_no_hidden_name_anywhere(demo_export, scan):
    root, _ = demo_export
    from coopwork.analysis.disclosure import has_consent
    from coopwork.workspace import open_workspace

    ws = open_workspace(root)
    responses = ws.responses()
    organisation = ws.survey.role("organisation").name
    consent = ws.survey.role("name_consent").name
    refused = responses.loc[~responses[consent].map(has_consent), organisation].dropna().unique().tolist()
    named = set(responses.loc[responses[consent].map(has_consent), organisation].dropna())
    refused = [name for name in refused if name not in named and len(name) > 6]
    assert refused  # the demo has organisations that refused
    patterns = scan.identifiers + [rf"(?<![\w-]){re.escape(name)}(?![\w-])" for name in refused]
    assert scan(ws.exports_dir, patterns) == []


def test_every_hidden_cell_says_why_in_every_exported_file(demo_export, disclosure_kept):
    """Audits, workbooks and pages: a hidden cell reads the label of the rule its audit names ("< 3" only
    when it is small), and every page that shows a label explains it (issue 24)."""
    root, _ = demo_export
    from coopwork.analysis.disclosure import hidden_label, hidden_legend
    from coopwork.workspace import open_workspace

    ws = open_workspace(root)
    site = ws.exports_dir
    seen: dict[str, int] = {}
    for audit_file in sorted((site / "audit").glob("*.json")):
        audit = json.loads(audit_file.read_text(encoding="utf-8"))
        lang, k = audit["lang"], audit["min_count"]
        workbook = load_workbook(site / "workbooks" / f"{audit_file.stem.replace('_all', 'synthesis')}.xlsx")
        for name, table in audit["tables"].items():
            display = table["columns"].index("display")
            sheet = list(workbook[name].iter_rows(values_only=True))
            assert sheet[0][display] == "display"
            for cell in audit["audit"][name]["suppressed_cells"]:
                label = hidden_label(cell["rule"], min_count=k, lang=lang)
                assert table["data"][cell["row"]][display] == label, (audit_file.name, name, cell)
                assert sheet[cell["row"] + 1][display] == label, (audit_file.name, name, cell)
                seen[cell["rule"]] = seen.get(cell["rule"], 0) + 1
        if audit_file.stem == "_all":
            continue
        page = (site / "territories" / f"{audit_file.stem}.html").read_text(encoding="utf-8")
        rules = {c["rule"] for record in audit["audit"].values() for c in record["suppressed_cells"]}
        for rule in rules:  # the page explains every label its tables show
            assert html.escape(hidden_legend([rule], min_count=k, lang=lang)) in page, (audit_file.name, rule)
    assert seen.get("min_count") and seen.get("secondary"), seen
    disclosure_kept(root)  # `coopwork check`, which also checks each hidden cell's label against its rule


def test_no_internal_name_reaches_a_published_page(demo_export):
    """Issue 24: notes headed "org_type#association", the top-15 table's type codes ("tiers_lieu"), a report
    named after its notebook file ("territory_report") — what people read says things in words."""
    root, _ = demo_export
    from coopwork.workspace import open_workspace

    ws = open_workspace(root)
    survey = ws.survey
    internal = {"territory_report", "synthesis.ipynb", *NOTES, *(n for n in survey.questions if "_" in n)}
    for question in survey.questions.values():
        if not question.is_select:
            continue
        labels = " ".join(survey.choice_labels(question.name, "fr").values())
        internal |= {c.name for c in question.choices
                     if not c.name.isdigit() and ("_" in c.name or c.name not in labels.casefold())}
    internal -= {"oui", "non"}  # words of the language too
    pattern = re.compile(r"(?<![\w#-])(" + "|".join(sorted(map(re.escape, internal), key=len, reverse=True))
                         + r")(?![\w-])")
    site = ws.exports_dir
    page = (site / "territories" / "matera.html").read_text(encoding="utf-8")
    for text in NOTES.values():
        assert html.escape(text) in page
    assert "<h3>Type d&#x27;organisation — Association</h3>" in page and "<h3>Autres notes</h3>" in page
    for path in [site / "index.html", *sorted((site / "territories").glob("*.html"))]:
        visible = re.sub(r"<script\b.*?</script>|<[^>]+>", " ", path.read_text(encoding="utf-8"), flags=re.S)
        found = sorted(set(pattern.findall(html.unescape(visible))))
        assert found == [], f"{path.name} shows internal names: {found}"
    notes = (site / "notes" / "matera.md").read_text(encoding="utf-8")
    assert "## Type d'organisation — Association" in notes and "org\\_type" not in notes


SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
PAGE_SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.mark.parametrize("size", list(PAGE_SIZES))
@pytest.mark.parametrize("name", ["territories/matera.html", "index.html",
                                  "reports/matera/territory_report.html", "placemats/matera.html"])
def test_the_static_pages_read_well_on_a_laptop_and_a_phone(demo_export, chromium, layout_problems, name,
                                                            size):
    """Issue 24: the territory page was 463 px wide on a 390 px screen, titles clipped ("Type d'o"),
    tables overflowing. Every chart of the page is drawn in the layout of the screen and read with the
    layout check; the page never scrolls sideways. Screenshots for a person to look at."""
    root, _ = demo_export
    from coopwork.workspace import open_workspace

    path = open_workspace(root).exports_dir / name
    if name.startswith("placemats") and size == "phone":
        pytest.skip("a placemat is a sheet of paper (A4 landscape)")
    if not path.is_file():
        pytest.skip(f"{name} was not written (no batch report in this workspace)")
    width, height = PAGE_SIZES[size]
    page = chromium.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(path.as_uri())
        page.wait_for_function("() => [...document.querySelectorAll('.plotly-graph-div')]"
                               ".every(d => d.querySelector('.main-svg'))", timeout=120_000)
        if name.startswith("placemats"):  # its charts, drawn once the page has loaded
            page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3")
        page.wait_for_timeout(500)
        # a placemat is printed: its type is small on a screen, by design (read at arm's length on paper)
        problems = layout_problems(page, smallest=5 if name.startswith("placemats") else 10)
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = f"site_{name.replace('/', '_').removesuffix('.html')}_{size}"
        page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
        if size == "phone":  # a long page shrinks to nothing in an image viewer: one image a screen too
            tall = page.evaluate("() => document.documentElement.scrollHeight")
            for screen in range(min(12, -(-tall // height))):
                page.screenshot(path=str(SHOTS / f"{shot}_screen{screen:02d}.png"), full_page=True,
                                clip={"x": 0, "y": screen * height, "width": width,
                                      "height": min(height, tall - screen * height)})
    finally:
        page.close()
    assert problems == [], f"{name} at {size}:\n" + "\n".join(problems[:15])


def test_each_change_is_in_one_unit_and_each_comparison_says_its_bases(demo_export):
    """Issue 24: the synthesis' "Évolution" column mixed "+6" (points of a score) with "-0,357" (a
    density); the all-territory comparison said "n = 63 répondants" (one territory's base)."""
    root, _ = demo_export
    from coopwork.workspace import open_workspace

    site = open_workspace(root).exports_dir
    index = (site / "index.html").read_text(encoding="utf-8")
    scores = index.index("Scores par dimension (évolution en points sur 100)")
    network = index.index("Réseau (chaque mesure dans son unité)")
    assert scores < network
    point_cells = re.findall(r'<td class="num">([^<]*)</td></tr>', index[scores:network])
    assert point_cells and all(re.fullmatch(r"[+-]?\d+,\d|0,0|—|< 3|masqué", c) for c in point_cells)
    assert "liens par organisation" in index[network:] and "part (de 0 à 1)" in index[network:]
    book = load_workbook(site / "workbooks" / "synthesis.xlsx")
    rows = list(book["changes"].iter_rows(values_only=True))
    unit = rows[0].index("unit")
    assert {row[unit] for row in rows[1:]} == {"points", "share", "ties"}
    assert "répondants par territoire" in index  # the comparison: each territory's base, not one of them
