"""The pages of the static site: one per territory and the index with the synthesis.

Uses the building blocks of :mod:`coopwork.export.site` (escaped tables, local plotly.js,
provenance footer). Links are relative, so the exports folder can be copied or published as is.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..i18n import t
from ..paths import ALL, NETWORK, NOTES, PLACEMATS, REPORTS, WORKBOOKS, export_name, in_export
from ..results.synthesis import UNIT_DECIMALS
from ..values import format_number
from .site import figure_html, hidden_note, html_table, nav_links, notes_html, page, tiles

if TYPE_CHECKING:
    from ..workspace import Workspace
    from .content import TerritoryContent

__all__ = ["sections_html", "territory_page", "write_index"]


def _link(path: Path, *, start: Path) -> str:
    """Relative link from the folder ``start`` to ``path``."""
    return Path(os.path.relpath(path, start)).as_posix()


def _downloads(
    content: TerritoryContent, site: Path, *, start: Path, reports: Sequence[Path], lang: str
) -> str:
    name = export_name(content.territory)
    items = [
        (t("export.dl_workbook", lang), in_export(site, WORKBOOKS, f"{name}.xlsx")),
        (t("export.dl_placemat_pdf", lang), in_export(site, PLACEMATS, f"{name}.pdf")),
        (t("export.dl_placemat_html", lang), in_export(site, PLACEMATS, f"{name}.html")),
        (t("export.dl_gexf", lang), in_export(site, NETWORK, f"{name}.gexf")),
        (t("export.dl_nodes", lang), in_export(site, NETWORK, f"{name}_nodes.csv")),
        (t("export.dl_edges", lang), in_export(site, NETWORK, f"{name}_edges.csv")),
        (t("export.dl_notes", lang), in_export(site, NOTES, f"{name}.md")),
    ] + [(t("export.dl_report", lang, name=_report_title(p)), p) for p in reports]
    return (
        '<ul class="downloads">'
        + "".join(
            f'<li><a href="{escape(_link(path, start=start))}">{escape(label)}</a></li>'
            for label, path in items
            if path.is_file()
        )
        + "</ul>"
    )


def _report_title(path: Path) -> str:
    """What a report is called for people: its first heading (else its page title), not its file name.

    Examples
    --------
    >>> import tempfile
    >>> report = Path(tempfile.mkdtemp()) / "territory_report.html"
    >>> _ = report.write_text('<title>x</title><h1 id="a">Coopérations — Matera<a href="#a">¶</a></h1>')
    >>> _report_title(report)
    'Coopérations — Matera'
    """
    text = path.read_text(encoding="utf-8", errors="replace")
    for pattern in (r"<h1\b[^>]*>(.*?)</h1>", r"<title>(.*?)</title>"):
        found = re.search(pattern, text, re.S | re.I)
        if found:
            plain = re.sub(r"<a\b[^>]*>.*?</a>|<[^>]+>", "", found.group(1), flags=re.S)
            plain = " ".join(html.unescape(plain).split())
            if plain:
                return plain
    return path.stem.replace("_", " ")


def territory_page(
    ws: Workspace,
    content: TerritoryContent,
    site: Path,
    *,
    footer: str,
    notes: pd.DataFrame,
    reports: Sequence[Path],
) -> str:
    """The HTML page of one territory (written to ``territories/<t>.html``)."""
    lang = content.lang
    start = site / "territories"
    parts = [
        f'<p class="muted">{escape(t("export.page_intro", lang, wave=content.wave or "—"))}</p>',
        hidden_note(content.tables, lang=lang, min_count=content.min_count),
        tiles(content.key_figures),
    ]
    parts.append(sections_html(content))

    scores = content.tables.get("scores")
    if scores is not None and not scores.empty:
        parts.append(f"<h2>{escape(t('export.chart_scores', lang))}</h2>"
                     f"<p class=\"muted\">{escape(t('export.scores_intro', lang))}</p>")
        pivot = scores.pivot_table(index="dimension_label", columns="group_label", values="display",
                                   aggfunc="first", sort=False).reset_index()
        parts.append(html_table(pivot, {"dimension_label": t("export.h_dimension", lang)}
                                | {c: c for c in pivot.columns[1:]}, numeric=list(pivot.columns[1:])))
    practices = content.tables.get("practices")
    if practices is not None and not practices.empty:
        parts.append(f"<h2>{escape(t('export.h_practices', lang))}</h2>")
        parts.append(
            html_table(
                practices,
                {
                    "question_label": t("export.h_question", lang),
                    "label": t("export.h_option", lang),
                    "display": t("export.h_organisations", lang),
                },
                numeric=["display"],
            )
        )
    network = content.tables.get("network")
    if network is not None and len(network) and not network["suppressed"].iloc[0]:
        parts.append(f"<h2>{escape(t('export.h_network', lang))}</h2>")
        row = network.iloc[0]
        measures = pd.DataFrame(
            {
                "measure": [t(f"export.measure_{m}", lang) for m in ("density", "mean_degree", "reciprocity")]
                + [t("export.kf_communities", lang), t("export.measure_components", lang)],
                "value": [
                    _num(row["density"], 3, lang),
                    _num(row["mean_degree"], 1, lang),
                    _num(row["reciprocity"], 2, lang),
                    _num(row["communities"], 0, lang),
                    _num(row["components"], 0, lang),
                ],
            }
        )
        parts.append(
            html_table(
                measures,
                {"measure": t("export.h_measure", lang), "value": t("export.h_value", lang)},
                numeric=["value"],
            )
        )
        nodes = content.tables.get("organisations")
        if nodes is not None and not nodes.empty:
            type_q = ws.survey.role("org_type")  # the type as the form says it, not its code
            types = ws.survey.choice_labels(type_q.name, lang) if type_q is not None else {}
            shown = nodes.head(15).assign(
                betweenness=lambda d: [_num(v, 3, lang) for v in d["betweenness"]],
                org_type=lambda d: [types.get(v, v) if isinstance(v, str) else v for v in d["org_type"]])
            parts.append(
                html_table(
                    shown,
                    {
                        "label": t("export.h_organisation", lang),
                        "org_type": t("export.h_org_type", lang),
                        "degree": t("export.h_degree", lang),
                        "betweenness": t("export.h_betweenness", lang),
                    },
                    numeric=["degree", "betweenness"],
                    caption=t("export.organisations_caption", lang),
                )
            )
    parts.append(f"<h2>{escape(t('export.h_notes', lang))}</h2>{notes_html(notes, lang=lang)}")
    parts.append(
        f"<h2>{escape(t('export.h_downloads', lang))}</h2>"
        f"{_downloads(content, site, start=start, reports=reports, lang=lang)}"
    )
    nav = nav_links([(t("export.back_index", lang), "../index.html")])
    title = t("export.territory_title", lang, label=content.label)
    return page(
        title,
        "\n".join(parts),
        lang=lang,
        footer=footer,
        root="../",
        heading=title,
        nav=nav,
        scripts=any(chart.get("figure") for _, charts in content.sections for chart in charts),
    )


def sections_html(content: TerritoryContent) -> str:
    """Every section of the results with its charts, as the report shows them: a figure, or its title
    and the sentence saying why there is none (hidden, no answer, texts and positions not published).

    Examples
    --------
    >>> from coopwork.export.content import TerritoryContent
    >>> content = TerritoryContent("t", "T", "2025", "en", 3, 5, sections=[("Profile", [
    ...     {"id": "q", "title": "<Q>", "figure": None, "message": "5 answered."}])])
    >>> print(sections_html(content).replace("><", ">\\n<"))
    <h2>Profile</h2>
    <section class="charts">
    <figure class="message" aria-label="&lt;Q&gt;">
    <figcaption>&lt;Q&gt;</figcaption>
    <p class="muted">5 answered.</p>
    </figure>
    </section>
    """
    lang = content.lang
    if not any(charts for _, charts in content.sections):
        return f'<p class="muted">{escape(t("export.placemat_no_chart", lang))}</p>'
    parts = []
    index = 0
    for label, charts in content.sections:
        parts.append(f'<h2>{escape(label)}</h2><section class="charts">')
        for chart in charts:
            title = escape(chart["title"])
            if chart.get("figure"):
                # the figure's own title names it; the label is kept for screen readers only
                parts.append(f'<figure aria-label="{title}">'
                             f"{figure_html(chart['figure'], div_id=f'chart-{index}', lang=lang)}</figure>")
                index += 1
            else:
                parts.append(f'<figure class="message" aria-label="{title}"><figcaption>{title}</figcaption>'
                             f'<p class="muted">{escape(chart.get("message") or "")}</p></figure>')
        parts.append("</section>")
    return "".join(parts)


def _num(value: object, decimals: int, lang: str) -> str:
    return format_number(value, decimals=decimals, lang=lang) or "—"


def write_index(
    ws: Workspace,
    contents: Sequence[TerritoryContent],
    tables: dict[str, pd.DataFrame],
    site: Path,
    *,
    footer: str,
    lang: str,
    min_count: int,
    synthesis: dict | None = None,
) -> Path:
    """Write ``index.html``: links to every territory and the cross-territory synthesis.

    ``synthesis`` is the results of all territories (its comparison chart is drawn here). A form
    without territories has nothing to compare: the index is the page of all respondents.
    """
    alone = bool(contents) and all(c.territory == ALL for c in contents)  # a form without territories
    intro = (t("export.index_intro_alone", lang, min_count=min_count) if alone
             else t("export.index_intro", lang, n=len(contents), min_count=min_count))
    parts = [f"<p>{escape(intro)}</p>", hidden_note(tables, lang=lang, min_count=min_count)]
    if alone:  # the page, workbook and placemat of all respondents
        parts += [tiles(c.key_figures) + f'<p class="downloads">{nav_links(_index_links(c, site, lang))}</p>'
                  for c in contents]
    else:
        parts.append(f"<h2>{escape(t('export.h_territories', lang))}</h2>")
        table = _territories_table(contents, tables, site, lang=lang,
                                   synthesis_wave=(synthesis or {}).get("wave"))
        parts += [table] if table else []
    parts += _synthesis_links(site, lang)
    title = ws.survey.title if alone else t("export.synthesis_title", lang, survey=ws.survey.title)
    scripts = False
    if not alone:
        scores, scripts = _scores_all(tables, synthesis, lang=lang)
        parts += [*scores, *_practices_where(tables, contents, lang=lang, min_count=min_count),
                  *_changes(tables, contents, lang=lang)]
    path = site / "index.html"
    path.write_text(page(title, "\n".join(parts), lang=lang, footer=footer, root="", heading=title,
                         scripts=scripts), encoding="utf-8")
    return path


def _index_links(content: TerritoryContent, site: Path, lang: str) -> list[tuple[str, str]]:
    """The index's links to a territory's files that exist: its page, workbook, placemat (the PDF
    when it was printed, else the HTML) and network."""
    name = export_name(content.territory)
    candidates = [
        (t("export.link_page", lang), f"territories/{name}.html"),
        (t("export.link_workbook", lang), f"workbooks/{name}.xlsx"),
        (t("export.link_placemat", lang), f"placemats/{name}.pdf"),
        (t("export.link_placemat", lang), f"placemats/{name}.html"),
    ]
    links = [(label, href) for label, href in candidates if (site / href).is_file()]
    if any(href.endswith(".pdf") for _, href in links):
        links = [(label, href) for label, href in links if not href.startswith("placemats/") or
                 href.endswith(".pdf")]
    if in_export(site, NETWORK, f"{name}.gexf").is_file():
        links.append((t("export.link_network", lang), f"network/{name}.gexf"))
    return links


def _territories_table(contents: Sequence[TerritoryContent], tables: dict[str, pd.DataFrame], site: Path,
                       *, lang: str, synthesis_wave: str | None) -> str:
    """One row a territory: its respondents and network in the synthesis, and its links."""
    # the synthesis covers the territories of its wave; a territory whose latest wave is older has
    # a page of its own (that wave) and a row here without figures
    by_territory = {str(row["territory"]): row for _, row in tables["overview"].iterrows()}
    rows = []
    for content in contents:
        row = by_territory.get(content.territory)
        links = nav_links(_index_links(content, site, lang))
        if row is None:  # no response in the synthesis' wave
            note = t("export.index_other_wave", lang, wave=content.wave or "—", latest=synthesis_wave or "—")
            rows.append(f'<tr><td>{escape(content.label)} <span class="muted">{escape(note)}</span></td>'
                        + '<td class="num">—</td>' * 4 + f"<td>{links}</td></tr>")
            continue
        rows.append(
            f'<tr><td>{escape(content.label)}</td><td class="num">{escape(str(row["display"]))}</td>'
            f'<td class="num">{escape(_num(row["nodes"], 0, lang))}</td>'
            f'<td class="num">{escape(_num(row["edges"], 0, lang))}</td>'
            f'<td class="num">{escape(_num(row["density"], 3, lang))}</td>'
            f"<td>{links}</td></tr>"
        )
    if not rows:
        return ""
    heads = [
        t("export.h_territory", lang),
        t("export.kf_respondents", lang),
        t("export.kf_nodes", lang),
        t("export.kf_edges", lang),
        t("export.kf_density", lang),
        t("export.h_downloads", lang),
    ]
    return ('<div class="table-wrap"><table><thead><tr>' + "".join(f"<th>{escape(h)}</th>" for h in heads)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>")


def _synthesis_links(site: Path, lang: str) -> list[str]:
    """Links to the synthesis workbook and the batch synthesis report, when they were written."""
    links = []
    if in_export(site, WORKBOOKS, "synthesis.xlsx").is_file():
        label = escape(t("export.dl_synthesis", lang))
        links.append(f'<p><a href="workbooks/synthesis.xlsx">{label}</a></p>')
    if in_export(site, REPORTS, "synthesis.html").is_file():
        label = escape(t("export.dl_batch_synthesis", lang))
        links.append(f'<p><a href="reports/synthesis.html">{label}</a></p>')
    return links


def _scores_all(tables: dict[str, pd.DataFrame], synthesis: dict | None, *,
                lang: str) -> tuple[list[str], bool]:
    """The dimensions' scores of every territory, and the synthesis' comparison chart (then ``True``)."""
    scores = tables.get("scores", pd.DataFrame())
    if scores.empty:
        return [], False
    parts = [f"<h2>{escape(t('export.h_scores_all', lang))}</h2>"
             f"<p class=\"muted\">{escape(t('export.scores_intro', lang))}</p>"]
    pivot = scores.pivot_table(index="dimension_label", columns="group_label", values="display",
                               aggfunc="first", sort=False).reset_index()
    columns = {"dimension_label": t("export.h_dimension", lang)} | {c: c for c in pivot.columns[1:]}
    parts.append(html_table(pivot, columns, numeric=list(pivot.columns[1:])))
    compare = next((c for c in (synthesis or {}).get("views", {}).get("", {}).get("charts", [])
                    if c["id"] == "compare.likert" and c.get("figure")), None)
    if compare is None:
        return parts, False
    parts.append(f"<figure>{figure_html(compare['figure'], div_id='scores', lang=lang)}</figure>")
    return parts, True


def _practices_where(tables: dict[str, pd.DataFrame], contents: Sequence[TerritoryContent], *, lang: str,
                     min_count: int) -> list[str]:
    """Where each form of cooperation is practised, and by how many organisations in each territory."""
    where = tables["practices_where"]
    if where.empty:
        return []
    parts = [f"<h2>{escape(t('export.h_practices_where', lang))}</h2>"
             f'<p class="muted">{escape(t("export.practices_where_intro", lang, min_count=min_count))}</p>']
    parts.append(html_table(
        where.assign(territories_text=where["territories"].astype("string").fillna("")),
        {
            "label": t("export.h_option", lang),
            "territories_text": t("export.h_territories_count", lang),
            "display": t("export.h_organisations", lang),
        },
        numeric=["territories_text", "display"],
    ))
    practices = tables["practices"]
    pivot = (
        practices.assign(territory_label=practices["_territory"].map({c.territory: c.label
                                                                      for c in contents}))
        .pivot_table(index="label", columns="territory_label", values="display", aggfunc="first",
                     sort=False)
        .reset_index()
    )
    parts.append(html_table(pivot, {"label": t("export.h_option", lang)} | {c: c for c in pivot.columns[1:]},
                            numeric=list(pivot.columns[1:])))
    return parts


def _changes(tables: dict[str, pd.DataFrame], contents: Sequence[TerritoryContent], *,
             lang: str) -> list[str]:
    """What changed between waves: the dimensions' scores (points out of 100), then the network's
    measures, one unit a column."""
    changes = tables["changes"]
    parts = [f"<h2>{escape(t('export.h_changes', lang))}</h2>"]
    if changes.empty:
        return [*parts, f'<p class="muted">{escape(t("export.no_changes", lang))}</p>']
    labels = {c.territory: c.label for c in contents}
    unit = changes["unit"] if "unit" in changes.columns else pd.Series("points", index=changes.index)

    def written(column: str) -> list[str]:
        pairs = zip(changes[column], unit, strict=True)
        return [_num(v, UNIT_DECIMALS.get(u, 2), lang) for v, u in pairs]

    shown = changes.assign(
        territory_label=changes["territory"].map(labels),
        waves=changes["wave_before"] + " → " + changes["wave_after"],
        before_text=written("before"), after_text=written("after"),
        unit_text=[t(f"export.unit_{u}", lang) if u in UNIT_DECIMALS else u for u in unit],
    )
    for heading, rows, columns in (
            ("export.h_changes_scores", unit == "points", {}),
            ("export.h_changes_network", unit != "points", {"unit_text": t("export.h_unit", lang)})):
        if not rows.any():
            continue
        parts.append(f"<h3>{escape(t(heading, lang))}</h3>")
        parts.append(html_table(
            shown[rows],
            {"territory_label": t("export.h_territory", lang), "measure": t("export.h_measure", lang)}
            | columns | {"waves": t("export.h_waves", lang), "before_text": t("export.h_before", lang),
                         "after_text": t("export.h_after", lang),
                         "display": t("export.h_difference", lang)},
            numeric=["before_text", "after_text", "display"]))
    return parts
