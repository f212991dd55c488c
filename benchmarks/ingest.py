"""Benchmark: ``coopwork.ingest.ingest_file`` on a 100 000-row KoboToolbox CSV of the sample survey.

The file is built from the seeded demo exports (``coopwork.demo.generate``): their Kobo CSV
rows (``;``, every field quoted, group prefixes, per-option 0/1 columns, ``_uuid`` …) are
repeated with fresh ``_uuid``/``_id`` values up to the requested number of rows. The time of a
full ingest (read, validate, pseudonymise, de-duplicate, store Parquet) is printed next to the
time of a bare ``pandas.read_csv`` of the same file, measured in the same run, and their ratio.
Goal: ratio ≤ 3.

Both are run once untimed first (imports, message catalogue, file cache), then ``--repeat``
times alternately; the ratio of every run is printed (wall and CPU time), with the median and
the best. On a shared machine wall time is noisy; CPU time (all threads of the process) is
steadier.

Usage::

    python benchmarks/ingest.py [--rows 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import pandas as pd


def build_export(folder: Path, rows: int) -> tuple[Path, Path]:
    """Write a ``rows``-row Kobo CSV of the sample survey; return (export, XLSForm)."""
    from coopwork.demo.generate import generate_demo

    paths = generate_demo(folder / "demo", territories=6)
    sources = [p for p in paths if p.suffix == ".csv"]
    header: list[str] | None = None
    records: list[list[str]] = []
    for path in sources:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter=";")
            header = next(reader)
            records.extend(reader)
    uuid_at, id_at = header.index("_uuid"), header.index("_id")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    generator = uuid.UUID(int=2026).int
    for i in range(rows):
        record = list(records[i % len(records)])
        record[uuid_at] = str(uuid.UUID(int=generator + i))
        record[id_at] = str(10_000_000 + i)
        writer.writerow(record)
    export = folder / "kobo_100k.csv"
    export.write_text(out.getvalue(), encoding="utf-8")
    return export, folder / "demo" / "surveys" / "cooperation_territoriale.xlsx"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each (median and best shown)")
    args = parser.parse_args(argv)

    from coopwork.ingest import ingest_file
    from coopwork.survey import load_survey

    folder = Path(tempfile.mkdtemp(prefix="coopwork-bench-"))
    try:
        export, form = build_export(folder, args.rows)
        survey = load_survey(form)
        size = export.stat().st_size / 1e6
        pd.read_csv(export, sep=";")  # warm-up: imports, catalogue, file cache
        ingest_file(export, survey=survey, wave="2025", workspace=folder / "warm-up")
        baseline, ingest, baseline_cpu, ingest_cpu = [], [], [], []
        for run in range(args.repeat):
            start, cpu = time.perf_counter(), time.process_time()
            frame = pd.read_csv(export, sep=";")
            baseline.append(time.perf_counter() - start)
            baseline_cpu.append(time.process_time() - cpu)
            workspace = folder / f"ws{run}"
            start, cpu = time.perf_counter(), time.process_time()
            result = ingest_file(export, survey=survey, wave="2025", workspace=workspace)
            ingest.append(time.perf_counter() - start)
            ingest_cpu.append(time.process_time() - cpu)
            shutil.rmtree(workspace, ignore_errors=True)
        assert len(frame) == args.rows == result.rows_read
        assert result.rows_read == result.accepted + result.quarantined + result.duplicates
        wall = [i / b for i, b in zip(ingest, baseline, strict=True)]
        cpu = [i / b for i, b in zip(ingest_cpu, baseline_cpu, strict=True)]
        print(f"file: {args.rows} rows x {frame.shape[1]} columns, {size:.1f} MB (Kobo CSV)")
        best = f"best of {args.repeat}"
        print(f"pandas.read_csv : {min(baseline):.3f} s wall, {min(baseline_cpu):.3f} s CPU ({best})")
        print(f"ingest_file     : {min(ingest):.3f} s wall, {min(ingest_cpu):.3f} s CPU ({best}; "
              f"accepted {result.accepted}, quarantined {result.quarantined}, "
              f"duplicates {result.duplicates}, issues {result.issues})")
        print("ratio per run   : wall " + " ".join(f"{r:.2f}" for r in wall)
              + " | CPU " + " ".join(f"{r:.2f}" for r in cpu))
        print(f"ratio (wall)    : median {statistics.median(wall):.2f}x, "
              f"best-of {min(ingest) / min(baseline):.2f}x (goal <= 3x)")
        print(f"ratio (CPU)     : median {statistics.median(cpu):.2f}x, "
              f"best-of {min(ingest_cpu) / min(baseline_cpu):.2f}x (goal <= 3x)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
