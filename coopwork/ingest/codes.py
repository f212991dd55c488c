"""Distinct values of string columns, computed once per ingest and shared by its steps.

Reading, validation and pseudonymisation all work per *distinct* value of a column
(:func:`pandas.factorize`). Hashing a 100 000-row column costs as much as the work done on
its few distinct values, so the step that builds a column records its codes here and the
next steps reuse them instead of hashing the strings again.

The record is keyed by the Arrow buffers holding the column (pandas keeps them when a
column is selected, concatenated or re-indexed) and keeps those buffers alive, so a key can
never name other data. Nothing is recorded outside a :func:`sharing` block (one ingest).

Examples
--------
>>> import pandas as pd
>>> column = pd.Series(["b", "a", None, "b"], dtype="string")
>>> with sharing():
...     codes, uniques = factorize(column)
...     again, _ = factorize(column.reset_index(drop=True))
>>> codes.tolist(), list(uniques), again is codes
([0, 1, -1, 0], ['b', 'a'], True)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["arrow_data", "factorize", "from_codes", "remember", "set_missing", "sharing"]

_shared: list[dict[tuple, tuple[object, np.ndarray, pd.Series]]] = []


@contextmanager
def sharing() -> Iterator[None]:
    """Record and reuse codes inside this block (nested blocks share the outer record)."""
    _shared.append(_shared[-1] if _shared else {})
    try:
        yield
    finally:
        _shared.pop()


def arrow_data(values: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow strings behind an Arrow-backed column, without a copy; None for any other column.

    Read through pyarrow's public ``__arrow_array__`` protocol, which pandas' Arrow arrays answer
    with the data they hold (a NumPy-backed column would be converted, so it is left out).

    Examples
    --------
    >>> arrow_data(pd.Series(["a", None], dtype="string[pyarrow]")).to_pylist()
    ['a', None]
    >>> arrow_data(pd.Series(["a"], dtype=object)) is None
    True
    """
    dtype = values.dtype
    if getattr(dtype, "storage", None) != "pyarrow" and not isinstance(dtype, pd.ArrowDtype):
        return None
    data = values.array.__arrow_array__()
    return data if isinstance(data, pa.ChunkedArray) else pa.chunked_array([data])


def _key(values: pd.Series) -> tuple[tuple, object] | None:
    data = arrow_data(values)
    if data is None or not _shared:
        return None
    known = _shared[-1].get(("object", id(data)))  # this very Arrow object was keyed before
    if known is not None and known[0] is data:
        return known[1], data
    parts = []
    for chunk in data.chunks:
        buffers = chunk.buffers()
        parts.append((chunk.offset, len(chunk),
                      *(0 if b is None else b.address for b in buffers)))
    key = (len(values), tuple(parts))  # the same strings: the same codes, whatever the NA marker
    _shared[-1][("object", id(data))] = (data, key)  # kept alive with the record: the id stays unique
    return key, data


def remember(values: pd.Series, codes: np.ndarray, uniques: pd.Series) -> None:
    """Record that ``values`` are ``uniques.take(codes)`` (code -1 = missing)."""
    found = _key(values)
    if found is not None:
        key, data = found
        _shared[-1][key] = (data, codes, uniques)


def factorize(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """``(codes, uniques)`` of a column, as :func:`pandas.factorize` (NA → -1), recorded or computed.

    ``uniques`` is a ``string`` Series with a 0..n-1 index.
    """
    found = _key(values)
    if found is not None and found[0] in _shared[-1]:
        _, codes, uniques = _shared[-1][found[0]]
        return codes, uniques
    codes, distinct = pd.factorize(values)
    uniques = pd.Series(distinct, dtype="string").reset_index(drop=True)
    codes = np.asarray(codes)
    if found is not None:
        _shared[-1][found[0]] = (found[1], codes, uniques)
    return codes, uniques


def from_codes(uniques: pd.Series, codes: np.ndarray, index: pd.Index | None = None) -> pd.Series:
    """The ``string`` column ``uniques.take(codes)`` (code -1 → NA), built by Arrow in one pass.

    ``uniques`` must not be missing (codes point at them); the codes of the result are recorded.

    Examples
    --------
    >>> from_codes(pd.Series(["a", "b"], dtype="string"), np.array([1, -1, 0])).tolist()
    ['b', <NA>, 'a']
    """
    codes = np.asarray(codes)
    dictionary = pa.array(uniques.astype(object).tolist(), type=pa.large_string())
    if len(dictionary):
        missing = codes < 0
        indices = pa.array(np.where(missing, 0, codes), mask=missing if missing.any() else None)
        strings = dictionary.take(indices)
    else:
        strings = pa.nulls(len(codes), type=pa.large_string())
    out = pd.Series(pd.array(strings, dtype="string"), index=index)
    remember(out, codes, uniques.astype("string").reset_index(drop=True))
    return out


def set_missing(values: pd.Series, missing: np.ndarray) -> pd.Series:
    """``values`` as a ``string`` column with NA where ``missing`` is true, sharing its strings.

    The Arrow strings of ``values`` are kept; only a new validity bitmap is written (no copy
    of the text), which is much cheaper than :meth:`pandas.Series.mask` on a long column.

    Examples
    --------
    >>> column = pd.Series(["a", "", "b"], dtype="str")
    >>> set_missing(column, np.array([False, True, False])).tolist()
    ['a', <NA>, 'b']
    """
    data = arrow_data(values)
    if data is None or not (pa.types.is_string(data.type) or pa.types.is_large_string(data.type)):
        return values.astype("string").mask(missing)
    chunks, start = [], 0
    for chunk in data.chunks:
        size = len(chunk)
        valid = ~missing[start:start + size]
        start += size
        if not size:
            chunks.append(chunk)
            continue
        if chunk.null_count:
            valid &= chunk.is_valid().to_numpy(zero_copy_only=False)
        if chunk.offset:  # the bitmap is read from the chunk's offset on
            valid = np.concatenate([np.zeros(chunk.offset, dtype=bool), valid])
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
        _, offsets, text = chunk.buffers()
        chunks.append(pa.Array.from_buffers(chunk.type, size, [bitmap, offsets, text],
                                            null_count=size - int(valid.sum()), offset=chunk.offset))
    strings = pa.chunked_array(chunks, type=data.type)
    return pd.Series(pd.array(strings, dtype="string"), index=values.index)
