"""Network files for Gephi: GEXF read back with networkx, CSV columns, identifiers removed."""

from __future__ import annotations

import csv

import networkx as nx

from coopwork.export.network_files import clean_graph, write_dynamic_gexf, write_network_files


def _graph() -> nx.DiGraph:
    graph = nx.DiGraph(respondents=4)
    graph.add_node("a", label="Coop A", named=True, org_type="scop", respondent=True,
                   contact="px_0123456789abcdef")
    graph.add_node("b", label="Asso B", named=False, org_type="association", respondent=True)
    graph.add_node("c", label="Mairie", named=False, respondent=False)
    graph.add_edge("a", "b", weight=2, lien_intensite="forte", note="appeler le 06 12 34 56 78")
    graph.add_edge("b", "a", weight=1, lien_intensite="faible")
    graph.add_edge("b", "c", weight=1, lien_intensite="=1+1")
    return graph


def _rows(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_gexf_and_csv_agree_and_hide_names(tmp_path):
    files = write_network_files(_graph(), tmp_path / "net", stem="t1")
    gexf, edges_csv, nodes_csv = files
    read = nx.read_gexf(gexf)
    assert sorted(read.nodes) == ["#1", "#2", "Coop A"]
    assert read.nodes["Coop A"]["org_type"] == "scop"
    assert "contact" not in read.nodes["Coop A"]
    assert read.edges["Coop A", "#1"]["weight"] == 2.0
    assert "note" not in read.edges["Coop A", "#1"]
    nodes, edges = _rows(nodes_csv), _rows(edges_csv)
    assert [n["Id"] for n in nodes] == ["#1", "#2", "Coop A"]
    assert all(n["Id"] == n["Label"] for n in nodes)
    assert {"named", "contact"}.isdisjoint(nodes[0])
    coop = next(n for n in nodes if n["Id"] == "Coop A")
    assert (coop["in_degree"], coop["out_degree"]) == ("1", "1")
    assert {(e["Source"], e["Target"], e["Type"], e["Weight"]) for e in edges} == {
        ("Coop A", "#1", "Directed", "2"), ("#1", "Coop A", "Directed", "1"), ("#1", "#2", "Directed", "1")}
    assert next(e for e in edges if e["Target"] == "#2")["lien_intensite"] == "'=1+1"
    text = "".join(p.read_text(encoding="utf-8-sig") for p in files)
    for secret in ("Asso B", "Mairie", "px_", "06 12 34"):
        assert secret not in text


def test_declared_identifier_attributes_are_removed():
    class FakeSurvey:
        def __init__(self):
            self.identifiers = [type("Q", (), {"name": "lien_intensite"})()]

    cleaned = clean_graph(_graph(), survey=FakeSurvey())
    assert all("lien_intensite" not in data for _, _, data in cleaned.edges(data=True))
    assert "lien_intensite" in _graph().edges["a", "b"]  # the input is not modified


def test_small_networks_are_not_written(tmp_path):
    graph = _graph()
    graph.graph["respondents"] = 2
    assert write_network_files(graph, tmp_path, stem="t1", min_count=3) == []
    assert list(tmp_path.iterdir()) == []


def _waves() -> list[tuple[str, nx.DiGraph]]:
    """Three waves: a–b kept, b–c lost in 2024 and regained in 2025, a–d gained in 2024; Asso B
    consents in 2023 only, so it stays hidden everywhere."""
    first, second, third = _graph(), _graph(), _graph()
    first.nodes["b"]["named"] = True
    second.remove_edge("b", "c")
    second.remove_node("c")
    for graph in (second, third):
        graph.add_node("d", label="Coop D", named=True, respondent=True)
        graph.add_edge("a", "d", weight=1)
    return [("2023", first), ("2024", second), ("2025", third)]


def test_dynamic_gexf_has_every_wave_with_spells_and_ties_gained_and_lost(tmp_path):
    path = write_dynamic_gexf(_waves(), tmp_path / "t1_waves.gexf")
    text = path.read_text(encoding="utf-8")
    assert 'mode="dynamic"' in text and 'timeformat="double"' in text
    graph = nx.read_gexf(path)
    assert graph.graph["mode"] == "dynamic"
    # names only with consent in every wave: Asso B refused in 2024 and 2025 → hidden in all
    assert "Asso B" not in text and "Mairie" not in text
    assert sorted(graph.nodes) == ["#1", "#2", "Coop A", "Coop D"]
    b, c = "#1", "#2"  # hidden nodes numbered in key order, the same in every wave
    assert graph.nodes["Coop A"]["spells"] == [(2023.0, 2026.0)]
    assert graph.nodes[c]["spells"] == [(2023.0, 2024.0), (2025.0, 2026.0)]
    assert graph.nodes["Coop D"]["waves"] == "2024;2025"
    tie = graph.edges[b, c]
    assert (tie["gained"], tie["lost"]) == ("2025", "2024")
    assert (tie["first_wave"], tie["last_wave"]) == ("2023", "2025")
    assert tie["spells"] == [(2023.0, 2024.0), (2025.0, 2026.0)]
    new = graph.edges["Coop A", "Coop D"]
    assert (new["gained"], new["lost"]) == ("2024", "")
    assert graph.edges["Coop A", b]["spells"] == [(2023.0, 2026.0)]
    # identifiers never leave
    assert "px_" not in text and "06 12" not in text


def test_dynamic_gexf_of_no_published_wave_is_not_written(tmp_path):
    assert write_dynamic_gexf([], tmp_path / "none.gexf") is None
    assert not (tmp_path / "none.gexf").exists()


def test_export_writes_the_network_over_time_of_each_territory(exported):
    _, result = exported
    folder = result.site / "network"
    # alpha has two waves (9 and 12 respondents), tiny fewer than 3: no network at all
    assert (folder / "alpha_waves.gexf") in result.files and not (folder / "tiny_waves.gexf").exists()
    graph = nx.read_gexf(folder / "alpha_waves.gexf")
    spells = [s for _, data in graph.nodes(data=True) for s in data["spells"]]
    assert {start for start, _ in spells} == {2024.0, 2025.0}
    assert {d["first_wave"] for _, _, d in graph.edges(data=True)} == {"2024", "2025"}


def _rebuilt(root, territory: str, *, min_count: int) -> list:
    """The history as the export built it before results version 13: every wave's network rebuilt
    from the tables (the reference the stored graphs must reproduce)."""
    from coopwork.results.inputs import Inputs
    from coopwork.results.network import network_rows, protect_network
    from coopwork.workspace import open_workspace

    inputs = Inputs(open_workspace(root))
    history = []
    for wave in inputs.waves_of.get(territory, []):
        wd = inputs.wave(wave)
        network = wd.network((territory, None), *network_rows(wd, territory))
        if not protect_network(network.stats, lang="en", min_count=min_count)["suppressed"].iloc[0]:
            history.append((wave, network.graph))
    return history


def test_dynamic_gexf_from_stored_results_is_the_one_rebuilt_from_the_tables(workspace, tmp_path,
                                                                             monkeypatch):
    from coopwork.export.pipeline import _network_history
    from coopwork.results.inputs import Inputs, WaveData
    from coopwork.workspace import open_workspace

    ws = open_workspace(workspace)
    territories = ws.territories
    history = _network_history(ws, territories, Inputs(ws), lang="fr", min_count=3)
    assert [w for w, _ in history["alpha"]] == ["2024", "2025"] and "tiny" not in history
    for territory in territories:
        before = write_dynamic_gexf(_rebuilt(workspace, territory, min_count=3),
                                    tmp_path / f"{territory}-old.gexf", survey=ws.survey)
        after = write_dynamic_gexf(history.get(territory, []), tmp_path / f"{territory}-new.gexf",
                                   survey=ws.survey)
        assert (before is None) == (after is None)
        if before is not None:
            assert after.read_bytes() == before.read_bytes()

    # results current: the second time reads the stored graphs, no network is built
    calls = []
    built = WaveData.network
    monkeypatch.setattr(WaveData, "network", lambda self, *a: calls.append(a) or built(self, *a))
    again = _network_history(ws, territories, Inputs(ws), lang="fr", min_count=3)
    assert calls == []
    waves = {t: [w for w, _ in h] for t, h in history.items()}
    assert {t: [w for w, _ in h] for t, h in again.items()} == waves


def test_a_second_export_with_current_results_builds_no_network(workspace, monkeypatch):
    from coopwork.export import export_all
    from coopwork.results.inputs import WaveData
    from coopwork.workspace import open_workspace

    exports = open_workspace(workspace).exports_dir
    export_all(workspace, lang="fr", min_count=3, placemat_pdf=False)
    first = {p.name: p.read_text(encoding="utf-8") for p in exports.rglob("*_waves.gexf")}
    calls = []
    built = WaveData.network
    monkeypatch.setattr(WaveData, "network", lambda self, *a: calls.append(a) or built(self, *a))
    export_all(workspace, lang="fr", min_count=3, placemat_pdf=False)
    assert calls == []
    second = {p.name: p.read_text(encoding="utf-8") for p in exports.rglob("*_waves.gexf")}
    assert second == first and "alpha_waves.gexf" in first
