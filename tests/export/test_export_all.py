"""`export_all` on a processed workspace: the site, workbooks, placemats and network files, opened back."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import networkx as nx
import pytest
from openpyxl import load_workbook

from coopwork.errors import CoopworkError, WorkspaceError
from coopwork.export import export_all

pytestmark = pytest.mark.browser


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.scripts: list[str] = []
        self.footers = 0
        self.tags: list[str] = []
        self._in_footer = False
        self.footer_text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "link" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        if tag == "footer" and "provenance" in (attrs.get("class") or ""):
            self.footers += 1
            self._in_footer = True

    def handle_endtag(self, tag):
        if tag == "footer":
            self._in_footer = False

    def handle_data(self, data):
        if self._in_footer:
            self.footer_text += data


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_result_lists_everything_written(exported):
    root, result = exported
    site = root / "data" / "exports" / "cooperation_territoriale"
    assert result.site == site and result.index == site / "index.html"
    assert result.territories == ["alpha", "beta", "tiny"]
    assert result.warnings == []
    for path in result.files:
        assert path.is_file() and site in path.parents
    names = {p.relative_to(site).as_posix() for p in result.files}
    assert {
        "index.html",
        "territories/alpha.html",
        "workbooks/alpha.xlsx",
        "workbooks/synthesis.xlsx",
        "placemats/alpha.pdf",
        "placemats/alpha.html",
        "network/alpha.gexf",
        "network/alpha_nodes.csv",
        "network/alpha_edges.csv",
        "notes/alpha.md",
        "notes/alpha.csv",
        "reports/alpha/territory_report.html",
    } <= names
    # too few respondents in "tiny": no network files at all
    assert not any(n.startswith("network/tiny") for n in names)
    assert (site / "assets" / "plotly.min.js").stat().st_size > 1_000_000


def test_every_html_page_is_offline_with_resolving_links_and_a_provenance_footer(exported):
    _, result = exported
    site = result.site
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 8
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]+src=[\"']?(https?:)?//", html, re.I), page
        assert not re.search(r"<link[^>]+href=[\"']?(https?:)?//", html, re.I), page
        parsed = _parse(page)
        for link in parsed.links + parsed.scripts:
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc, (page, link)
            if not parts.path:  # an anchor in the same page
                continue
            target = (page.parent / parts.path).resolve()
            assert target.is_file(), (page, link)
        if page.parent.name in {"territories"} or page.name == "index.html":
            assert parsed.footers == 1, page
            assert "coopwork" in parsed.footer_text and "Vague: 2025" in parsed.footer_text
            assert "moins de 3 répondants" in parsed.footer_text
        assert "<pre" not in html and "In [" not in html  # no code


def test_territory_page_has_interactive_charts_and_notes(exported):
    _, result = exported
    html = (result.site / "territories" / "alpha.html").read_text(encoding="utf-8")
    assert '<script src="../assets/plotly.min.js"' in html
    assert html.count("Plotly.newPlot") >= 3
    assert "Beaucoup d&#x27;associations" in html or "Beaucoup d'associations" in html
    assert "note masquée" not in html
    assert 'href="../reports/alpha/territory_report.html"' in html
    tiny = (result.site / "territories" / "tiny.html").read_text(encoding="utf-8")
    assert "&lt; 3" in tiny and "Plotly.newPlot" not in tiny


def test_index_links_every_territory_and_shows_the_synthesis(exported):
    _, result = exported
    parsed = _parse(result.index)
    for name in ("alpha", "beta", "tiny"):
        assert f"territories/{name}.html" in parsed.links
        assert f"workbooks/{name}.xlsx" in parsed.links
    assert "workbooks/synthesis.xlsx" in parsed.links
    html = result.index.read_text(encoding="utf-8")
    assert "Ce qui a changé entre les vagues" in html
    assert "2024 → 2025" in html  # alpha was surveyed twice


def test_batch_report_is_copied_without_external_scripts(exported):
    _, result = exported
    html = (result.site / "reports" / "alpha" / "territory_report.html").read_text(encoding="utf-8")
    assert "Rapport batch" in html
    assert '<script src="../../assets/plotly.min.js"' in html
    assert "cdnjs" not in html and "jsdelivr" not in html
    synthesis = (result.site / "reports" / "synthesis.html").read_text(encoding="utf-8")
    assert '<script src="../assets/plotly.min.js"' in synthesis and "Synthèse batch" in synthesis
    assert "reports/synthesis.html" in _parse(result.index).links
    annexe = (result.site / "reports" / "alpha" / "annexe.html").read_text(encoding="utf-8")
    assert '<script src="../../assets/plotly.min.js"' in annexe and "Annexe batch" in annexe


def test_workbooks_read_back(exported):
    _, result = exported
    book = load_workbook(result.site / "workbooks" / "alpha.xlsx")
    assert book.sheetnames[0] == "README"
    assert {"summaries", "network", "organisations", "scores", "practices"} <= set(book.sheetnames)
    header = [c.value for c in book["summaries"][1]]
    assert {"dimension", "question", "n", "suppressed", "display"} <= set(header)
    assert "min" not in header and "max" not in header
    readme = {c.value for row in book["README"].iter_rows() for c in row if c.value}
    # every column has a real description, not the generic fallback
    fallback = re.compile(r"^Colonne .* du tableau$")
    assert not [v for v in readme if isinstance(v, str) and fallback.match(v)]
    for sheet in book.sheetnames[1:]:
        assert sheet in readme
        for column in (c.value for c in book[sheet][1]):
            assert column in readme
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    assert cell.value[:1] not in {"=", "+", "-", "@", "\t", "\r"}
    synthesis = load_workbook(result.site / "workbooks" / "synthesis.xlsx")
    assert synthesis.sheetnames == ["README", "overview", "scores", "practices", "practices_where", "changes"]
    rows = list(synthesis["overview"].iter_rows(values_only=True))
    header = rows[0]
    by_territory = {r[header.index("territory")]: r for r in rows[1:]}
    assert by_territory["alpha"][header.index("respondents")] == 12
    assert by_territory["tiny"][header.index("respondents")] is None
    assert by_territory["tiny"][header.index("display")] == "< 3"


def test_gexf_reads_back_with_networkx_and_matches_the_csv(exported):
    import csv

    _, result = exported
    graph = nx.read_gexf(result.site / "network" / "alpha.gexf")
    with (result.site / "network" / "alpha_nodes.csv").open(encoding="utf-8-sig", newline="") as handle:
        nodes = list(csv.DictReader(handle))
    with (result.site / "network" / "alpha_edges.csv").open(encoding="utf-8-sig", newline="") as handle:
        edges = list(csv.DictReader(handle))
    assert {n["Id"] for n in nodes} == set(graph.nodes)
    assert {(e["Source"], e["Target"]) for e in edges} == set(graph.edges)
    assert graph.number_of_nodes() > 5 and graph.number_of_edges() > 5
    # consenting respondents keep their name, refusing ones and never-asked partners are #k
    labels = {data["label"] for _, data in graph.nodes(data=True)}
    assert "Organisation Alpha 2" in labels
    assert "Organisation Alpha 1" not in labels  # every third organisation (1, 4, …) refused
    assert any(label.startswith("#") for label in labels)
    assert not any(label.startswith("Mairie") for label in labels)


def test_placemat_pdf_is_one_page_with_its_content(exported, tmp_path):
    _, result = exported
    pdf = result.site / "placemats" / "alpha.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\b", info)
    assert "(A4)" in info
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "alpha",
        "organisations répondantes",
        "Ce que nous voyons",
        "Ce que nous allons faire",
        "Scores moyens par dimension",
        "coopwork",
    ):
        assert expected in text
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == 1
    width, height = _png_size(pngs[0])
    assert width > height  # landscape


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_unknown_territory_or_wave_is_refused_before_writing(workspace):
    with pytest.raises(WorkspaceError, match="no territory 'gamma'"):
        export_all(workspace, territories=["gamma"])
    with pytest.raises(WorkspaceError, match="no wave '1999'"):
        export_all(workspace, wave="1999")
    with pytest.raises(CoopworkError, match="at least 1"):  # the one rule of coopwork.threshold
        export_all(workspace, min_count=0)
    assert not (workspace / "data" / "exports").exists()


def test_without_a_working_chromium_the_html_placemats_are_written_with_a_warning(workspace, monkeypatch):
    monkeypatch.setenv("COOPWORK_CHROMIUM", "/bin/false")
    result = export_all(workspace, territories=["tiny"], lang="en")
    assert result.territories == ["tiny"]
    assert [p.name for p in result.placemats] == ["tiny.html"]
    assert len(result.warnings) == 1 and "Chromium could not print the placemat" in result.warnings[0]
    html = (result.site / "placemats" / "tiny.html").read_text(encoding="utf-8")
    assert "size: A4 landscape" in html and "What we see" in html
    index = result.index.read_text(encoding="utf-8")
    assert 'href="placemats/tiny.html"' in index and 'href="placemats/tiny.pdf"' not in index
