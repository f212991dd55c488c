"""Every hidden cell says why, in every table and chart of the results and in every language.

A cell hidden because it is small reads "< 3" (the threshold in force); a cell hidden to protect another
(secondary suppression) or by dominance may hold more and reads "masqué" / "hidden" / …, with its reason
in the legend. The audit's rule decides: :func:`coopwork.analysis.disclosure.hidden_label`.
"""

from __future__ import annotations

import html

import pytest

from coopwork.analysis.disclosure import hidden_label, hidden_legend
from coopwork.i18n import LANGS, t
from coopwork.results.tables import decode

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results(demo_every_language) -> list[dict]:
    """Every territory's result of the demo (latest wave), in every language, and the syntheses."""
    from coopwork.fileio import load
    from coopwork.results.store import ensure
    from coopwork.workspace import open_workspace

    ws = open_workspace(demo_every_language)
    entries = ensure(ws, territories=None, waves=None, langs=LANGS, min_count=3, jobs=1)
    return [load(entry.path) for entry in entries]


def _plain(text: object) -> str:
    return html.unescape(" ".join(str(text or "").replace("<br>", " ").split()))


def test_the_label_of_each_hidden_cell_is_the_label_of_its_rule(results):
    rules: dict[str, int] = {}
    for result in results:
        lang, k = result["lang"], result["min_count"]
        for name, encoded in result["tables"].items():
            if "suppressed" not in encoded["columns"]:
                continue
            table = decode(encoded)
            audited = {cell["row"]: cell["rule"] for cell in result["audit"][name]["suppressed_cells"]}
            for row, (_, cell) in enumerate(table.iterrows()):
                if not cell["suppressed"]:
                    continue
                rules[audited[row]] = rules.get(audited[row], 0) + 1
                assert cell["rule"] == audited[row]
                assert cell["display"] == hidden_label(audited[row], min_count=k, lang=lang), (
                    result["territory"], lang, name, row)
    # the demo has cells of both kinds (else this test could not fail)
    assert rules.get("min_count", 0) > 0 and rules.get("secondary", 0) > 0, rules


def test_every_chart_says_why_its_cells_are_hidden(results):
    """A chart that shows a hidden cell's label (bar, Likert level, histogram bin, box, score) explains
    that label in its subtitle, and a choice chart shows each hidden option of its table with its own
    rule's label."""
    checked = {"small": 0, "other": 0}
    for result in results:
        lang, k = result["lang"], result["min_count"]
        small, other = hidden_label("min_count", min_count=k, lang=lang), t("analysis.hidden_other", lang)
        summaries = decode(result["tables"]["summaries"]) if "summaries" in result["tables"] else None
        for chart in result["views"][""]["charts"]:
            figure = chart.get("figure")
            if not figure:
                continue
            shown = [_plain(a.get("text")) for a in figure["layout"].get("annotations", [])]
            subtitle = _plain(figure["layout"].get("title", {}).get("subtitle", {}).get("text"))
            if any(text == small or text.endswith(f": {small}") for text in shown):
                assert _plain(hidden_legend(["min_count"], min_count=k, lang=lang)) in subtitle, chart["id"]
                checked["small"] += 1
            if any(text == other or text.endswith(f": {other}") for text in shown):
                assert (_plain(t("analysis.legend_secondary", lang, label=other, min_count=k)) in subtitle
                        or _plain(t("analysis.legend_dominance", lang, label=other, share=85)) in subtitle), \
                    chart["id"]
                checked["other"] += 1
            if summaries is None or chart["id"] not in set(summaries["question"]):
                continue
            rows = summaries[(summaries["question"] == chart["id"]) & summaries["suppressed"]]
            text = " ".join(shown)
            for _, row in rows.iterrows():  # each hidden option, next to its label, with its rule's label
                assert _plain(row["display"]) == hidden_label(row["rule"], min_count=k, lang=lang)
                assert _plain(row["display"]) in text, (chart["id"], row["option"])
    assert checked["small"] > 0 and checked["other"] > 0, checked


def test_the_governance_item_of_the_issue_no_longer_says_lt3_for_a_cell_that_holds_more(results):
    """Issue 24: Matera's "Les habitants et usagers participent à notre gouvernance" (n = 29) showed two
    levels as "< 3" though together they held about 8 respondents."""
    matera = next(r for r in results if r["territory"] == "matera" and r["lang"] == "fr")
    summaries = decode(matera["tables"]["summaries"])
    hidden = summaries[summaries["suppressed"]]
    secondary = hidden[hidden["rule"] == "secondary"]
    assert len(secondary) and set(secondary["display"]) == {"masqué"}
    assert set(hidden.loc[hidden["rule"] == "min_count", "display"]) == {"< 3"}
