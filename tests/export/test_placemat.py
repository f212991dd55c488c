"""The one-page data placemat: HTML layout, and PDF printed by headless Chromium, rendered to PNG."""

from __future__ import annotations

import re
import subprocess

import pytest

from coopwork.errors import ExportError
from coopwork.export.placemat import PAPERS, find_chromium, placemat_html, print_pdf
from coopwork.export.site import write_assets

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
FIGURES = [("<b>Types</b>", "x")]


def test_layout_escapes_texts_and_keeps_four_charts_and_six_figures():
    charts = [(f"Graphique {i} <b>", SVG) for i in range(6)]
    figures = [(f"Chiffre {i}", f"{i}") for i in range(8)]
    html = placemat_html(title="Territoire <script>", key_figures=figures, charts=charts, lang="fr")
    assert "<script>" not in html and "Territoire &lt;script&gt;" in html
    assert html.count('<figure class="chart">') == 4
    assert html.count('<div class="tile">') == 6
    assert html.count('<div class="note"') == 3
    assert "Ce que cela signifie pour nous" in html


def test_english_and_custom_prompts():
    html = placemat_html(title="T", key_figures=[], charts=[], lang="en")
    assert 'lang="en"' in html and "What we will do" in html and "No chart" in html
    html = placemat_html(title="T", key_figures=[], charts=[], notes={"q": "Nos questions"})
    assert html.count('<div class="note"') == 1 and "Nos questions" in html


def test_unknown_paper_is_refused():
    with pytest.raises(ExportError, match="unknown paper size"):
        placemat_html(title="T", key_figures=[], charts=[], paper="letter")


@pytest.mark.browser
@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_pdf_is_exactly_one_landscape_page_with_the_content(tmp_path, paper):
    if find_chromium() is None:
        pytest.skip("no Chromium installed")
    bars = [{"data": [{"type": "bar", "x": ["SCOP", "SCIC", "Association"], "y": [3, 5 + i, 4]}],
             "layout": {"height": 400}} for i in range(4)]  # figure dicts, as the results hold them
    charts = [(f"Graphique {i}", bar) for i, bar in enumerate(bars)] if paper == "A3" else [
        (f"Graphique {i}", SVG) for i in range(4)]
    html = placemat_html(title="Territoire Alpha", subtitle="Enquête · vague 2025",
                         key_figures=[("organisations répondantes", "24"), ("liens", "57"), ("types", "< 3")],
                         charts=charts, paper=paper, footer="Source : coopwork (test)")
    write_assets(tmp_path)  # where the export puts the placemat: plotly.js in ../assets/
    (tmp_path / "placemats").mkdir()
    (tmp_path / "placemats" / "p.html").write_text(html, encoding="utf-8")
    pdf = print_pdf(tmp_path / "placemats" / "p.html", tmp_path / "p.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\b", info)
    width_mm, height_mm = PAPERS[paper]
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert abs(float(size.group(1)) - width_mm / 25.4 * 72) < 2
    assert abs(float(size.group(2)) - height_mm / 25.4 * 72) < 2
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in ("Territoire Alpha", "24", "Graphique 3", "Ce que nous voyons",
                     "Ce que nous allons faire", "Source : coopwork (test)"):
        assert expected in text
    assert re.search(r"<\s?3", text)  # pdftotext may drop the space of "< 3"
    if paper == "A3":  # charts really drawn: axis labels of the plotly figures are text in the PDF
        assert "Association" in text
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pngs = list(tmp_path.glob("page*.png"))
    assert len(pngs) == 1
    data = pngs[0].read_bytes()
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > height


def test_print_without_chromium_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("COOPWORK_CHROMIUM", raising=False)
    (tmp_path / "p.html").write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(ExportError, match="no Chromium browser") as err:
        print_pdf(tmp_path / "p.html", tmp_path / "p.pdf")
    assert "COOPWORK_CHROMIUM" in str(err.value)
    assert not (tmp_path / "p.pdf").exists()


def _network_figure():
    """A readable network map of 60 organisations, as the results hold it."""
    import random

    import networkx as nx

    from coopwork.figures.network import network_chart

    rng = random.Random(4)
    base = nx.barabasi_albert_graph(56, 2, seed=4)
    graph = nx.DiGraph()
    for i in range(60):
        graph.add_node(f"o{i}", label=f"Coopérative numéro {i}", named=rng.random() < 0.7,
                       org_type=rng.choice(["association", "scop", "collectivite", None]), respondent=True)
    graph.add_edges_from((f"o{u}", f"o{v}") for u, v in base.edges)
    graph.add_edge("o56", "o57")
    graph.graph["respondents"] = 60
    return network_chart(graph, lang="fr")


def _words(pdf) -> list[tuple[float, float, float, float, str]]:
    """Every word of a PDF with its box (points), from ``pdftotext -bbox``."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [(float(x0), float(y0), float(x1), float(y1), word) for x0, y0, x1, y1, word in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]


@pytest.mark.browser
@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_printed_placemat_has_no_text_over_text_and_nothing_cut(tmp_path, paper):
    from pathlib import Path

    if find_chromium() is None:
        pytest.skip("no Chromium installed")
    labels = ["Association", "Entreprise", "Tiers-lieu", "Pôle territorial de coopération (PTCE)"]
    types = {"data": [{"type": "bar", "orientation": "h", "x": [50, 28, 8, 14], "y": labels}],
             "layout": {"height": 450, "title": {"text": "Type", "subtitle": {"text": "n = 36 · « < 3 »"}}}}
    charts = [("Type d'organisation", types), ("Réseau de coopération", _network_figure())]
    html = placemat_html(title="Territoire Alpha", subtitle="Enquête · vague 2025",
                         key_figures=[("organisations répondantes", "36"), ("liens", "143")],
                         charts=charts, paper=paper, footer="Source : coopwork (test)")
    write_assets(tmp_path)
    (tmp_path / "placemats").mkdir()
    (tmp_path / "placemats" / "p.html").write_text(html, encoding="utf-8")
    pdf = print_pdf(tmp_path / "placemats" / "p.html", tmp_path / "p.pdf")
    words = _words(pdf)
    assert "Coopérative" in {w[4] for w in words}  # the network's names are drawn (as text)
    width, height = (v / 25.4 * 72 for v in PAPERS[paper])
    for x0, y0, x1, y1, word in words:  # nothing runs off the sheet
        assert x0 >= -1 and x1 <= width + 1 and y0 >= -1 and y1 <= height + 1, word
    for i, a in enumerate(words):  # no word printed over another
        for b in words[i + 1:]:
            dx = min(a[2], b[2]) - max(a[0], b[0])
            dy = min(a[3], b[3]) - max(a[1], b[1])
            if dx > 0 and dy > 0:
                smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
                assert dx * dy < 0.25 * smaller, (a, b)
    out = Path(__file__).resolve().parents[2] / "test-output" / "placemat"
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", str(pdf), str(out / f"placemat_{paper}")],
                   check=True)
    assert (out / f"placemat_{paper}.png").stat().st_size > 10_000
