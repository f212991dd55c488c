"""Units said right (issue 24): a chart counted per cooperation tie says ties in its axis and its n.

"Confiance (compté par lien)" said "n = 121 répondants" for 121 ties, and the per-tie bars had the axis
"% des répondants".
"""

from __future__ import annotations

import pytest

from coopwork.i18n import LANGS, t

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def charts(demo_every_language) -> dict[str, list[dict]]:
    from coopwork.fileio import load
    from coopwork.results.store import ensure
    from coopwork.workspace import open_workspace

    ws = open_workspace(demo_every_language)
    entries = ensure(ws, territories=["matera"], waves=None, langs=LANGS, min_count=3, jobs=1)
    return {entry.lang: load(entry.path)["views"][""]["charts"] for entry in entries if entry.territory}


@pytest.mark.parametrize("lang", LANGS)
def test_a_chart_counted_per_tie_says_ties_in_its_axis_and_its_base(charts, lang):
    ties = [c for c in charts[lang] if c.get("unit") == "ties" and c.get("figure")]
    people = [c for c in charts[lang] if c.get("unit") == "organisations" and c.get("figure")
              and c["figure"]["layout"].get("xaxis", {}).get("title")]
    assert ties and people
    axes = {t("figures.percent_axis", lang): t("figures.percent_axis_ties", lang),
            t("figures.count_axis", lang): t("figures.count_axis_ties", lang)}
    for chart in ties:
        layout = chart["figure"]["layout"]
        titles = [layout.get(a, {}).get("title", {}).get("text") for a in ("xaxis", "yaxis")]
        assert not set(titles) & set(axes), (chart["id"], titles)  # "% des répondants" for ties
        assert set(titles) & set(axes.values()), (chart["id"], titles)
        base = layout["title"]["subtitle"]["text"].replace("<br>", " ").split(" · ")[0]
        respondents = t("figures.base", lang, n="").strip().split()[-1]
        assert respondents not in base, (chart["id"], base)  # not "n = 121 répondants" for 121 ties
    for chart in people:
        if chart["figure"]["layout"]["xaxis"]["title"]["text"].startswith("%"):
            assert chart["figure"]["layout"]["xaxis"]["title"]["text"] == t("figures.percent_axis", lang)
