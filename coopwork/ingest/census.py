"""Count a file's records by its own structure, independently of how its columns are read.

A reader can go wrong in ways no column mapping notices: a header row taken for a response,
the first response taken for the header, a record split or joined by a quoted newline, a row
dropped by a filter. The count here never looks at the columns: it follows the file's record
structure only, so that the ingest can refuse a read whose ``rows_read`` disagrees with it.

- **CSV**: records end at a line break outside quotes (a quoted field may hold line breaks and
  doubled quotes); blank lines are not records. The bytes are scanned with numpy in blocks
  (quote parity by a cumulative XOR), a few hundred MB/s. Where that fast count disagrees with
  what was read, the file is counted again with Python's own ``csv`` module, whose rules (a quote
  opens a field only at its start) are exact: only a disagreement with both is an error.
- **XLSX**: a record is a row holding at least one non-empty cell.

Header records (stray lines above the header, the header, header rows under it) are part of the
layout :func:`coopwork.ingest.detect.sniff_table` found; :func:`data_records` subtracts them.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "f.csv"
>>> _ = path.write_text('a,b\\n1,"deux\\nlignes"\\n\\n3,"dit \\'oui\\'"\\n', encoding="utf-8")
>>> count_csv_records(path, encoding="utf-8")
3
>>> count_csv_records(path, encoding="utf-8", exact=True, separator=",")
3
"""

from __future__ import annotations

import codecs
import csv
from concurrent.futures import Executor, Future
from pathlib import Path

import numpy as np

from .detect import _ZIP_MAGIC, SAMPLE_BYTES, TableSample, detect_encoding

__all__ = ["count_csv_records", "data_records", "start_count"]

_BLOCK = 16 << 20
_QUOTE, _LF, _CR = 0x22, 0x0A, 0x0D


def _blocks(path: Path, encoding: str):
    """The file's bytes in blocks, as UTF-8 (or any ASCII-compatible encoding) bytes."""
    ascii_compatible = codecs.lookup(encoding).name not in ("utf-16", "utf-16-le", "utf-16-be", "utf-32")
    with path.open("rb") as handle:
        if ascii_compatible:
            while block := handle.read(_BLOCK):
                yield block
            return
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        while block := handle.read(_BLOCK):
            yield decoder.decode(block).encode("utf-8")
        yield decoder.decode(b"", final=True).encode("utf-8")


def _fast_count(path: Path, encoding: str) -> int:
    """Records of a CSV by quote parity, in blocks: only the positions of quotes and line breaks
    are looked at (an export quoting every field has millions of quotes, a line break per record)."""
    records = 0
    quotes_before = 0     # quotes in the previous blocks (their parity carries over)
    content = 0           # bytes other than CR/LF since the last record end
    pending_cr = False    # the previous block ended with a CR outside quotes (a CR LF may be cut)
    for block in _blocks(path, encoding):
        data = np.frombuffer(block, dtype=np.uint8)
        if not len(data):
            continue
        quotes = np.flatnonzero(data == _QUOTE)
        breaks = np.flatnonzero((data == _LF) | (data == _CR))
        outside = ((np.searchsorted(quotes, breaks) + quotes_before) & 1) == 0
        is_cr = data[breaks] == _CR
        next_lf = np.zeros(len(breaks), dtype=bool)  # a CR ends a record unless a LF follows it
        if len(breaks):
            following = np.minimum(breaks + 1, len(data) - 1)
            next_lf = (breaks + 1 < len(data)) & (data[following] == _LF)
        ends = outside & ~(is_cr & next_lf)
        if pending_cr and len(breaks) and breaks[0] == 0 and not is_cr[0]:
            ends[0] = False  # the LF of a CR LF cut between blocks: the CR ended the record
        rank = np.flatnonzero(ends)
        # bytes of content before each end: its position minus the line breaks before it
        filled = breaks[rank] - rank
        if len(rank):
            sizes = np.diff(filled, prepend=0)
            sizes[0] += content
            records += int(np.count_nonzero(sizes))  # a record of nothing but line breaks is blank
            content = int((len(data) - len(breaks)) - filled[-1])
        else:
            content += len(data) - len(breaks)
        pending_cr = bool(len(breaks)) and bool(is_cr[-1] and outside[-1]) and breaks[-1] == len(data) - 1
        quotes_before += len(quotes)
    return records + (1 if content else 0)


def _exact_count(path: Path, encoding: str, separator: str) -> int:
    with path.open(encoding=encoding, newline="", errors="replace") as handle:
        return sum(1 for record in csv.reader(handle, delimiter=separator) if record)


#: counts started ahead (:func:`start_count`), by (path, size, modification time, encoding)
_STARTED: dict[tuple, Future] = {}


def _key(path: Path, encoding: str) -> tuple:
    stat = path.stat()
    return str(path.resolve()), stat.st_size, stat.st_mtime_ns, codecs.lookup(encoding).name


def start_count(path: str | Path, executor: Executor) -> None:
    """Start counting the records of a CSV on ``executor`` while the file is read (an ingest does).

    The encoding is found the way :func:`coopwork.ingest.detect.sniff_table` finds it; an XLSX, or
    a file that cannot be sniffed, is left alone. :func:`count_csv_records` takes the result.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(SAMPLE_BYTES)
        if not head or head.startswith(_ZIP_MAGIC):
            return
        key = _key(path, detect_encoding(head))
    except (OSError, LookupError):
        return
    _STARTED.clear()  # one ingest at a time in a process: only its count is kept
    _STARTED[key] = executor.submit(_fast_count, path, key[3])


def count_csv_records(path: str | Path, *, encoding: str, exact: bool = False, separator: str = ",") -> int:
    """Records of a CSV file, header included (blank lines are not records).

    ``exact=True`` counts with Python's ``csv`` module (slower, the reference); the default is the
    fast byte scan, exact whenever quotes only open and close fields (taken from
    :func:`start_count` when it was started).
    """
    path = Path(path)
    if exact:
        return _exact_count(path, encoding, separator)
    started = _STARTED.pop(_key(path, encoding), None)
    return started.result() if started is not None else _fast_count(path, encoding)


def data_records(sample: TableSample, *, read: int | None = None, sheet: str | None = None) -> int:
    """Records of the file (or of one sheet) that are data: header records left out.

    ``read`` is what the reader found: when the fast CSV count disagrees with it, the exact count
    decides (so that a disagreement is never the fast count's own mistake).
    """
    if sample.kind == "xlsx":
        name = sheet if sheet is not None else next(iter(sample.sheets))
        skip, extra = sample.layouts.get(name, (0, 0))
        rows = sample.workbook.get(name, [])
        return max(0, len(rows) - skip - 1 - extra)
    header = sample.skip + 1 + sample.extra_rows
    total = count_csv_records(sample.path, encoding=sample.encoding)
    if read is not None and total - header != read:
        total = count_csv_records(sample.path, encoding=sample.encoding, exact=True,
                                  separator=sample.separator)
    return max(0, total - header)
