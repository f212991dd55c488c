"""Reader registry: decorator, entry points, detection by score, read_export."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pandas as pd
import pytest

from coopwork.errors import IngestError
from coopwork.ingest import registry
from coopwork.ingest.raw import RawExport


def test_builtin_readers():
    assert {"kobo", "odk", "limesurvey", "googleforms", "csv", "xlsx"} <= set(registry.reader_names())
    assert callable(registry.get_reader("odk").sniff)


def test_register_decorator_and_detection(tmp_path, small_survey):
    def sniff(sample):
        return 0.99 if "respondent_id" in sample.columns else 0.0

    @registry.register("surveymonkey_test", sniff=sniff)
    def read(sample, survey, *, mapping=None):
        main = pd.DataFrame({"_row": pd.array([1], dtype="Int64"),
                             "_submission_id": pd.array(["r1"], dtype="string"),
                             "_submitted_at": pd.array([None], dtype="string"),
                             "salaries": pd.array(["3"], dtype="string")})
        return RawExport(file=sample.path, reader="surveymonkey_test", main=main)

    try:
        path = tmp_path / "sm.csv"
        path.write_text("respondent_id,salaries\nr1,3\n", encoding="utf-8")
        assert registry.detect_reader(path) == "surveymonkey_test"
        assert registry.read_export(path, small_survey, partial=True).main["salaries"].tolist() == ["3"]
    finally:
        registry._REGISTRY.pop("surveymonkey_test")


def test_entry_point_plugins_are_loaded(monkeypatch, tmp_path):
    module = tmp_path / "coopwork_plugin_test.py"
    module.write_text("def sniff(sample):\n    return 0.0\n\n"
                      "def read(sample, survey, *, mapping=None):\n    raise NotImplementedError\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    points = [EntryPoint("plugin_test", "coopwork_plugin_test", registry.ENTRY_POINT_GROUP),
              EntryPoint("broken_test", "no_such_module_xyz", registry.ENTRY_POINT_GROUP)]
    monkeypatch.setattr(registry, "entry_points", lambda group: points if group == registry.ENTRY_POINT_GROUP
                        else [])
    monkeypatch.setattr(registry, "_loaded", False)
    try:
        assert "plugin_test" in registry.reader_names()
        assert "broken_test" not in registry.reader_names()
    finally:
        registry._REGISTRY.pop("plugin_test", None)


def test_unknown_format(small_survey, tmp_path):
    with pytest.raises(IngestError, match="nope"):
        registry.get_reader("nope")
