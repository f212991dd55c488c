"""ensure(): computed once per key, recomputed exactly when what a result reads has changed."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from coopwork.fileio import load
from coopwork.results.store import ensure, prepare_all
from coopwork.results.tables import decode
from coopwork.workspace import open_workspace


@pytest.fixture
def ws(tmp_path, demo_workspace):
    root = tmp_path / "ws"
    shutil.copytree(demo_workspace, root, ignore=shutil.ignore_patterns("results"))
    return root


def _entries(root, **options):
    return {(e.territory, e.wave): e for e in ensure(open_workspace(root), **options)}


def _append(root, rows: pd.DataFrame) -> None:
    path = open_workspace(root).processed_dir / "responses.parquet"
    table = pd.read_parquet(path)
    pd.concat([table, rows], ignore_index=True).to_parquet(path)


def _late_answers(root, territory: str, *, wave: str = "2026", n: int = 3, as_territory: str | None = None):
    table = open_workspace(root).responses(wave=wave, territory=territory).head(n).copy()
    table["_submission_id"] = [f"late-{as_territory or territory}-{i}" for i in range(n)]
    for column in [c for c in table.columns if c.startswith("confiance_")]:
        table[column] = "5"  # the late answers move the trust score
    if as_territory:
        table["_territory"] = as_territory
    return table


def _mtimes(entries):
    return {k: e.path.stat().st_mtime_ns for k, e in entries.items()}


def test_a_second_ensure_computes_nothing(ws):
    first = _entries(ws)
    times = _mtimes(first)
    again = _entries(ws)
    assert {k: e.digest for k, e in again.items()} == {k: e.digest for k, e in first.items()}
    assert _mtimes(again) == times


def test_late_answers_for_one_territory_update_every_comparison_of_the_wave(ws):
    before = _entries(ws)
    _append(ws, _late_answers(ws, "matera"))
    after = _entries(ws)
    assert after[("matera", "2026")].digest != before[("matera", "2026")].digest
    # every other territory of the wave compares itself with matera: its results changed too
    for (territory, wave), entry in after.items():
        assert entry.key != before[(territory, wave)].key
    others = [k for k in after if k[0] not in ("matera", None)]
    assert all(after[k].digest != before[k].digest for k in others)


def test_answers_of_another_wave_leave_a_territory_untouched(ws):
    before = _entries(ws)
    rows = _late_answers(ws, "matera", wave="2026").assign(_wave="2027")
    _append(ws, rows)
    after = _entries(ws, territories=["pays_de_bray"], waves=["2026"], synthesis=False)
    assert after[("pays_de_bray", "2026")].key == before[("pays_de_bray", "2026")].key


def test_a_territory_that_joins_gets_its_results_and_changes_the_others(ws):
    before = _entries(ws)
    _append(ws, _late_answers(ws, "matera", n=5, as_territory="nouveau_territoire"))
    after = _entries(ws)
    assert ("nouveau_territoire", "2026") in after
    assert after[("pays_de_bray", "2026")].digest != before[("pays_de_bray", "2026")].digest
    synthesis = load(after[(None, "2026")].path)
    overview = decode(synthesis["tables"]["overview"])
    assert "nouveau_territoire" in set(overview["territory"])


def test_a_small_territory_publishes_nothing_but_its_size(ws):
    _append(ws, _late_answers(ws, "matera", n=2, as_territory="petit"))
    result = load(_entries(ws, territories=["petit"], synthesis=False)[("petit", "2026")].path)
    assert result["respondents"] == {"n": None, "suppressed": True}
    assert result["views"][""]["charts"] == [] and result["views"][""]["suppressed"]
    assert result["key_figures"][0][1] == "< 3"


def test_tie_cells_rest_on_organisations_and_say_so(ws):
    result = load(_entries(ws, territories=["matera"], synthesis=False)[("matera", "2026")].path)
    summaries = decode(result["tables"]["summaries"])
    ties = summaries[summaries["unit"] == "ties"]
    assert set(ties["question"]) >= {"lien_nature", "partenaire_type"}
    shown = ties[~ties["suppressed"]]
    assert ((shown["respondents"] >= 3) | (shown["respondents"] == 0)).all()
    assert summaries.loc[summaries["unit"] == "organisations", "respondents"].isna().all()
    titles = {c["id"]: c["title"] for c in result["views"][""]["charts"]}
    assert titles["lien_nature"].endswith("(compté par lien de coopération)")
    assert not {"min", "max"} & set(summaries.columns)


def test_prepare_all_writes_every_wave_both_languages_and_the_index(ws):
    from coopwork.fileio import read_index

    entries = prepare_all(open_workspace(ws))
    expected = {(lang, w) for lang in ("fr", "en") for w in ("2025", "2026")}
    assert {(e.lang, e.wave) for e in entries} == expected
    index = read_index(ws)
    assert index["current"]["matera"] == "2026" and index["langs"] == ["fr", "en"]
    # the dashboards offer every language the form has labels in; territory names are ready in each
    assert index["dashboard_langs"] == ["fr", "en", "it", "pt", "ro", "hu", "de"]
    assert set(index["territories"]) == set(index["dashboard_langs"])
    english = load(next(e.path for e in entries if e.lang == "en" and e.territory == "matera"))
    assert english["sections"][0]["label"] == "Profile"


def test_a_latest_wave_without_some_territories(ws):
    """The latest wave lacks a territory: each territory keeps its own latest wave, the synthesis
    is the latest wave's and covers the territories that answered in it (no "no score for …")."""
    path = open_workspace(ws).processed_dir / "responses.parquet"
    table = pd.read_parquet(path)
    gone = sorted(table["_territory"].unique())[0]
    table[~((table["_territory"] == gone) & (table["_wave"] == "2026"))].to_parquet(path)
    entries = _entries(ws)
    assert entries[(gone, "2025")].wave == "2025" and (gone, "2026") not in entries
    synthesis = load(entries[(None, "2026")].path)
    overview = decode(synthesis["tables"]["overview"])
    assert gone not in set(overview["territory"]) and len(overview) == table["_territory"].nunique() - 1
    scores = decode(synthesis["tables"]["scores_all"])
    assert gone not in set(scores["group"]) and len(scores)
    mine = load(entries[(gone, "2025")].path)
    assert mine["wave"] == "2025" and any(c["id"] == "compare.likert" for c in mine["views"][""]["charts"])
