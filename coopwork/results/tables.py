"""Tidy tables as plain JSON and back, keeping the dtypes that carry meaning (Int64, Float64, bool).

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"option": ["a", "b"], "n": pd.array([4, pd.NA], dtype="Int64"),
...                       "percent": pd.array([40.0, pd.NA], dtype="Float64"), "suppressed": [False, True]})
>>> data = encode(table)
>>> data["data"]
[['a', 4, 40.0, False], ['b', None, None, True]]
>>> decode(data).dtypes.astype(str).tolist()
['str', 'Int64', 'Float64', 'bool']
>>> decode(data).equals(table.astype({"option": "str"}))
True
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = ["decode", "encode", "plain"]


def plain(value: Any) -> Any:
    """A cell as a plain JSON value: NA and NaN → None, numpy scalars → Python numbers."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _kind(dtype: Any) -> str:
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "Int64"
    if pd.api.types.is_float_dtype(dtype):
        return "Float64"
    return "str"


def encode(table: pd.DataFrame) -> dict:
    """A table as ``{"columns", "dtypes", "data"}`` (rows as lists of plain values)."""
    columns = [str(c) for c in table.columns]
    rows = [[plain(v) for v in row] for row in table.itertuples(index=False, name=None)]
    return {"columns": columns, "dtypes": [_kind(d) for d in table.dtypes], "data": rows}


def decode(data: dict) -> pd.DataFrame:
    """The table :func:`encode` wrote, with its dtypes (text as ``str``, missing text as NA)."""
    frame = pd.DataFrame(data["data"], columns=data["columns"], dtype=object)
    for column, dtype in zip(data["columns"], data["dtypes"], strict=True):
        if dtype == "str":
            frame[column] = frame[column].astype("str").where(frame[column].notna(), None)
        elif dtype == "bool":
            frame[column] = frame[column].astype(bool)
        else:
            frame[column] = pd.array(frame[column].tolist(), dtype=dtype)
    return frame
