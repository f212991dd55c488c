"""Content hashes: one slice changes only when its own rows change."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from coopwork.results.fingerprint import Fingerprint, key, slice_digests


def _table(territories, wave="2025", values=None):
    return pd.DataFrame(
        {
            "_wave": wave,
            "_territory": territories,
            "x": values if values is not None else range(len(territories)),
        }
    )


def test_a_slice_ignores_other_territories_other_waves_and_row_order():
    base = slice_digests({"responses": _table(["a", "b", "a"])})
    more = slice_digests(
        {"responses": pd.concat([_table(["a", "b", "a"]), _table(["c"]), _table(["a"], wave="2026")])}
    )
    assert base[("2025", "a")] == more[("2025", "a")]
    assert base[("2025", "b")] == more[("2025", "b")]
    assert ("2025", "c") in more and ("2026", "a") in more
    assert slice_digests({"responses": _table(["a", "b", "a"]).iloc[::-1]}) == base


def test_a_changed_answer_changes_its_slice_and_its_wave_only():
    before = Fingerprint("s", "", slice_digests({"responses": _table(["a", "b"], values=[1, 2])}))
    after = Fingerprint("s", "", slice_digests({"responses": _table(["a", "b"], values=[1, 3])}))
    assert before.slice("2025", "a") == after.slice("2025", "a")
    assert before.slice("2025", "b") != after.slice("2025", "b")
    assert before.wave("2025") != after.wave("2025")
    assert before.slice(None, "a") == ""


def test_storage_details_do_not_change_a_digest():
    text = _table(["a", "b"]).astype({"_territory": "string"})
    objects = _table(["a", "b"]).astype({"_territory": object})
    assert slice_digests({"r": text}) == slice_digests({"r": objects})
    assert key({"a": 1, "b": 2}) == key({"b": 2, "a": 1})


def test_the_fingerprint_is_read_back_while_the_input_files_are_the_same(tmp_path):
    """Reading back needs no pandas: the cache is keyed by the bytes of every input file, and any
    change of one (here rows appended) computes the fingerprint again from the tables."""
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "batch"))
    from batch_helpers import make_workspace, responses_for, write_responses

    from coopwork.results.fingerprint import fingerprint
    from coopwork.workspace import open_workspace

    root = make_workspace(tmp_path / "ws", ["alpha", "beta"])
    first = fingerprint(open_workspace(root))
    assert first.waves_of == {"alpha": ["2025"], "beta": ["2025"], "_all": ["2025"]}
    cache = next((root / ".coopwork" / "cache").glob("fingerprint-*.json"))
    kept = cache.read_text(encoding="utf-8")
    assert fingerprint(open_workspace(root)) == first
    cache.write_text(kept.replace(first.slice("2025", "alpha"), "read back"), encoding="utf-8")
    assert fingerprint(open_workspace(root)).slice("2025", "alpha") == "read back"  # not recomputed
    frame = pd.read_parquet(root / "data" / "processed" / "mini_coop" / "responses.parquet")
    write_responses(root, pd.concat([frame, responses_for("gamma", wave="2026")], ignore_index=True))
    again = fingerprint(open_workspace(root))
    assert again.slice("2025", "alpha") == first.slice("2025", "alpha")
    assert again.waves_of["gamma"] == ["2026"] and again.current_wave(None) == "2026"
