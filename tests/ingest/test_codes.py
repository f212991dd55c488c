"""Codes of string columns shared between the ingest steps (coopwork.ingest.codes)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from coopwork.ingest import codes
from coopwork.ingest.codes import factorize, from_codes, remember, set_missing, sharing


def _reference(values: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in values.tolist()]


def test_factorize_matches_pandas_and_is_reused_only_inside_sharing():
    column = pd.Series(["b", "a", None, "b", "c"], dtype="string")
    outside, _ = factorize(column)
    assert outside is not factorize(column)[0]  # nothing is recorded outside a sharing block
    with sharing():
        first, uniques = factorize(column)
        again, _ = factorize(column.reset_index(drop=True))
        selected, _ = factorize(pd.DataFrame({"x": column, "y": 1})["x"])
    expected_codes, expected_uniques = pd.factorize(column)
    assert first.tolist() == expected_codes.tolist()
    assert uniques.tolist() == list(expected_uniques)
    assert again is first and selected is first
    assert not codes._shared  # the record is gone with the block


def test_equal_strings_in_another_column_are_not_taken_for_the_recorded_one():
    with sharing():
        left = pd.Series(["x", "y"], dtype="string")
        right = pd.Series(["y", "x"], dtype="string")
        remember(left, np.array([0, 1]), pd.Series(["x", "y"], dtype="string"))
        right_codes, right_uniques = factorize(right)
    assert right_uniques.take(right_codes).tolist() == ["y", "x"]


def test_from_codes_builds_the_column_and_records_its_codes():
    uniques = pd.Series(["nord", "sud"], dtype="string")
    with sharing():
        column = from_codes(uniques, np.array([1, -1, 0, 1]), pd.Index([10, 11, 12, 13]))
        recorded, recorded_uniques = factorize(column)
    assert str(column.dtype) == "string"
    assert column.index.tolist() == [10, 11, 12, 13]
    assert _reference(column) == ["sud", None, "nord", "sud"]
    assert recorded.tolist() == [1, -1, 0, 1] and recorded_uniques.tolist() == ["nord", "sud"]
    assert _reference(from_codes(pd.Series([], dtype="string"), np.array([-1, -1]))) == [None, None]


def test_set_missing_keeps_the_strings_of_sliced_chunks_with_nulls():
    chunked = pa.chunked_array([pa.array(["skip", "a", "", None], pa.large_string()).slice(1),
                                pa.array([], pa.large_string()),
                                pa.array(["n/a", "b"], pa.large_string())])
    column = pd.Series(pd.array(chunked, dtype="str"), index=pd.RangeIndex(5, 10))
    missing = np.array([False, True, False, True, False])
    out = set_missing(column, missing)
    assert str(out.dtype) == "string"
    assert out.index.tolist() == [5, 6, 7, 8, 9]
    assert _reference(out) == ["a", None, None, None, "b"]
    out.array.__arrow_array__().validate(full=True)
    # the same as the plain pandas way
    assert _reference(column.astype("string").mask(missing)) == _reference(out)
