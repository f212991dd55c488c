"""Every platform's export of generated forms and answers, ingested: every record, repeat row and
answer read once, as generated (the oracle of :mod:`tests.strategies.submissions`).

One property per platform (:mod:`tests.strategies.platforms`), over random forms, answers and
export options; the number of examples is the ``ci`` profile's (``COOPWORK_HYPOTHESIS=deep`` for
20 times more).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import (
    examples,
    expected_counts,
    ingest_export,
    stored_counts,
    submissions,
    write_export,
    xlsforms,
)
from tests.strategies.platforms import MAIN_ONLY, PLATFORMS, platform_options

#: generated exports per platform in one run of the suite (the ``ci`` profile)
EXAMPLES = {"odk_central": 12, "surveycto": 6, "limesurvey": 10, "googleforms": 10, "surveymonkey": 10,
            "qualtrics": 6, "plain": 12}


def _kept(result) -> list[dict]:
    """Issues that say an answer or a row was not read as written (flagged remarks are fine)."""
    issues = pd.read_csv(result.issues_file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    lost = issues[issues["action"].isin(["quarantined row", "value set missing", "option dropped"])
                  | issues["code"].isin(["ingest.reason_unmapped"])]
    return lost.to_dict("records")


def _property(platform: str):
    @settings(max_examples=examples(EXAMPLES[platform]))
    @given(st.data())
    def check(data):
        form = data.draw(xlsforms(repeats=platform not in MAIN_ONLY, max_questions=10))
        subs = data.draw(submissions(form, max_records=6))
        options = data.draw(platform_options(platform))
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            export = write_export(platform, form, subs, folder / f"export{PLATFORMS[platform]}", options)
            result = ingest_export(form, export, folder)
            observed = stored_counts(result, form)
            lost = _kept(result)
        expected = expected_counts(subs)
        if platform in MAIN_ONLY:
            expected = expected.main_only(form)
        assert (result.rows_read, result.accepted, result.quarantined) == (expected.records,) * 2 + (0,)
        assert lost == []
        assert observed == expected

    return check


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_platform_export_is_ingested_exactly(platform):
    _property(platform)()
