"""Benchmark: ``coopwork.ingest.ingest_file`` on a 100 000-row KoboToolbox CSV of the sample survey.

The file is built from the seeded demo exports (``coopwork.demo.generate``): their Kobo CSV
rows (``;``, every field quoted, group prefixes, per-option 0/1 columns, ``_uuid`` …) are
repeated with fresh ``_uuid``/``_id`` values up to the requested number of rows. The time of a
full ingest (read, validate, pseudonymise, de-duplicate, store Parquet) is printed next to the
time of a bare ``pandas.read_csv`` of the same file, measured in the same run, and their ratio.
Goal: ratio ≤ 3.

Usage::

    python benchmarks/ingest.py [--rows 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
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
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timing (the best is kept)")
    args = parser.parse_args(argv)

    from coopwork.ingest import ingest_file
    from coopwork.survey import load_survey

    folder = Path(tempfile.mkdtemp(prefix="coopwork-bench-"))
    try:
        export, form = build_export(folder, args.rows)
        survey = load_survey(form)
        size = export.stat().st_size / 1e6
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
        assert len(frame) == args.rows == result.rows_read
        assert result.rows_read == result.accepted + result.quarantined + result.duplicates
        best_read, best_ingest = min(baseline), min(ingest)
        print(f"file: {args.rows} rows x {frame.shape[1]} columns, {size:.1f} MB (Kobo CSV)")
        print(f"pandas.read_csv : {best_read:.3f} s (best of {args.repeat})")
        print(f"ingest_file     : {best_ingest:.3f} s (best of {args.repeat}; accepted {result.accepted}, "
              f"quarantined {result.quarantined}, duplicates {result.duplicates}, issues {result.issues})")
        print(f"ratio           : {best_ingest / best_read:.2f}x (goal <= 3x)")
        # on a busy machine wall time is noisy; CPU time (all threads of this process) is steadier
        print(f"CPU time        : read_csv {min(baseline_cpu):.3f} s, ingest {min(ingest_cpu):.3f} s, "
              f"ratio {min(ingest_cpu) / min(baseline_cpu):.2f}x")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
