"""``coopwork demo``: generation, ingestion through the real ingest layer, idempotence, errors."""

from __future__ import annotations

import json

import pytest

from coopwork.cli import main


def _ingest_available() -> bool:
    try:
        from coopwork.ingest import ingest_file  # noqa: F401
    except ImportError:
        return False
    return True


needs_ingest = pytest.mark.skipif(not _ingest_available(), reason="coopwork.ingest.ingest_file not built yet")


@needs_ingest
def test_demo_no_run_json_and_second_run_adds_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COOPWORK_LANG", "en")
    workspace = tmp_path / "ws"
    code = main(["demo", "--workspace", str(workspace), "--territories", "1", "--no-run", "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    result = json.loads(out)                               # exactly one JSON object on stdout
    assert result["territories"] == 1 and result["seed"] == 2026 and result["run"] is None
    assert [i["wave"] for i in result["ingested"]] == ["2025", "2026"]
    first = {i["wave"]: i for i in result["ingested"]}
    for summary in first.values():
        assert summary["rows_read"] == summary["accepted"] + summary["quarantined"] + summary["duplicates"]
        assert summary["accepted"] >= 30 and summary["relations"] > summary["accepted"]
    assert first["2025"]["duplicates"] >= 1                # the planted resubmission
    assert "Entirely fictional data" in err and "Next: coopwork serve" in err
    assert (workspace / "surveys" / "cooperation_territoriale.xlsx").is_file()
    assert (workspace / "data" / "processed" / "cooperation_territoriale" / "responses.parquet").is_file()
    stamps = {f: (workspace / f).stat().st_mtime_ns for f in ("surveys/cooperation_territoriale.xlsx",
                                                             "data/raw/cooperation_territoriale_2025.xlsx")}

    code = main(["demo", "--workspace", str(workspace), "--territories", "1", "--no-run", "--json"])
    again = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [i["accepted"] for i in again["ingested"]] == [0, 0]
    assert {f: (workspace / f).stat().st_mtime_ns for f in stamps} == stamps


def test_missing_ingestion_layer_is_a_clear_french_error_after_generation(tmp_path, capsys, monkeypatch):
    import coopwork.demo.cli as demo_cli

    real = demo_cli.importlib.import_module

    def fake(name):
        if name == "coopwork.ingest":
            raise ImportError(name)
        return real(name)

    monkeypatch.delenv("COOPWORK_LANG", raising=False)   # French by default
    monkeypatch.setattr(demo_cli.importlib, "import_module", fake)  # the same function cli.py uses
    code = main(["demo", "--workspace", str(tmp_path), "--territories", "1", "--no-run"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Données entièrement fictives" in err
    assert "ne sait pas encore faire l'étape « import / ingest » (coopwork.ingest.ingest_file)" in err
    assert "Traceback" not in err
    assert (tmp_path / "data" / "raw" / "cooperation_territoriale_2026.xlsx").is_file()


def test_bad_territory_count_exits_2(tmp_path, capsys):
    assert main(["demo", "--workspace", str(tmp_path), "--territories", "0", "--no-run"]) == 2
    assert "entre 1 et 999 (valeur : 0). Que faire" in capsys.readouterr().err  # French by default, all of it


@needs_ingest
def test_demo_then_serve_does_not_tell_to_run_what_it_runs_itself(tmp_path, capsys, monkeypatch):
    """`make demo` runs `coopwork demo --serve`: no "Next: coopwork serve" line before it serves."""
    import coopwork.dashboard.cli

    served = []
    monkeypatch.setenv("COOPWORK_LANG", "fr")
    monkeypatch.setattr(coopwork.dashboard.cli, "main", lambda args: served.append(args) or 0)
    workspace = tmp_path / "ws"
    code = main(["demo", "--workspace", str(workspace), "--territories", "1", "--no-run", "--serve",
                 "--port", "18123", "--no-browser"])
    err = capsys.readouterr().err
    assert code == 0 and "Ensuite" not in err and "coopwork serve" not in err
    assert [(a.workspace, a.port, a.host, a.no_browser, a.territory) for a in served] == [
        (str(workspace), 18123, "127.0.0.1", True, None)]
