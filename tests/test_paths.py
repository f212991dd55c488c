"""The one path authority: every id becomes one safe name, the same for every layer."""

from __future__ import annotations

import pytest

from coopwork.paths import MAX_NAME, export_name, name_for, reports_dir, results_file

ODD_IDS = [
    "Pays basque / Iparralde",
    "Guimarães",
    "Székesfehérvár és környéke",
    "../../../tmp/x",
    "..",
    ".",
    "/etc/passwd",
    "a" * 300,
    "territoire avec espaces",
    "C:\\windows",
    "nul\0byte",
    "é" * 200,
]


@pytest.mark.parametrize("identifier", ODD_IDS)
def test_odd_ids_become_one_safe_component(identifier, tmp_path):
    name = name_for(identifier)
    assert name and name not in {".", ".."} and not name.startswith(".")
    assert "/" not in name and "\\" not in name and "\0" not in name
    assert len(name) <= MAX_NAME + 9
    path = results_file(tmp_path, "survey", identifier, "2025", "fr", 3)
    assert path.resolve().is_relative_to(tmp_path.resolve())
    path.parent.mkdir(parents=True)  # a real file system takes it
    assert reports_dir(tmp_path, identifier).parent == tmp_path


def test_safe_ids_are_kept_and_different_ids_never_share_a_name():
    assert name_for("pays_de_bray") == "pays_de_bray" == export_name("pays_de_bray")
    names = {name_for(x) for x in [*ODD_IDS, "Pays basque - Iparralde", "Pays_basque_Iparralde", "a" * 301]}
    assert len(names) == len(ODD_IDS) + 3


def test_the_batch_the_dashboard_and_the_export_use_the_same_folder_name(tmp_path):
    territory = "Pays basque / Iparralde"
    folder = name_for(territory)
    assert reports_dir(tmp_path / "reports", territory).name == folder
    assert results_file(tmp_path, "s", territory, "2025", "fr", 3).parent.name == folder
    assert export_name(territory) == folder
