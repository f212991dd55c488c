"""Benchmark: ``coopwork survey draft`` then ``coopwork ingest`` of a 1 200 × 300 XLSX export.

The workbook is generated (seeded) like a large LimeSurvey "Export results → Excel" file: a
response id and a submit date, then 300 answer columns of the kinds such surveys hold — answer
codes (``A1``…``A5``), Likert sentences, yes/no, whole numbers, decimals, dates, multiple-choice
sub-questions ``Q[SQ001]`` holding ``Y``, and free text — with empty cells where questions were
skipped. The draft XLSForm is written from the export, then the export is ingested with it, both
in this process, as ``coopwork survey draft`` and ``coopwork ingest`` do.

Printed: the time of the draft, of the ingest and of both (goal: both within 3 s), next to the
time of a bare ``pandas.read_excel(engine="calamine")`` of the same file measured in the same
run (their ratio says how much of the time is the reading itself). Every step is run once
untimed first, then ``--repeat`` times; the best and the median are shown.

Usage::

    python benchmarks/wide_xlsx.py [--rows 1200] [--columns 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

LIKERT = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]


def build_export(path: Path, rows: int, columns: int, seed: int = 22) -> Path:
    """Write a LimeSurvey-like XLSX of ``rows`` responses and ``columns`` answer columns."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    header = ["Response ID", "Date submitted"]
    kinds = []
    for i in range(columns):
        kind = ("code", "likert", "yesno", "integer", "decimal", "date", "option", "text")[i % 8]
        kinds.append(kind)
        group = i // 8 + 1
        code = f"G{group:02d}Q{i % 8 + 1:02d}"
        header.append(f"{code}[SQ{i:03d}]" if kind == "option" else code)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("results-survey")
    sheet.append(header)
    for r in range(rows):
        values = [r + 1, f"2024-05-{1 + r % 28:02d} 10:{r % 60:02d}:00"]
        for kind in kinds:
            if rng.random() < 0.1:
                values.append(None)
            elif kind == "code":
                values.append(f"A{rng.randint(1, 5)}")
            elif kind == "likert":
                values.append(rng.choice(LIKERT))
            elif kind == "yesno":
                values.append(rng.choice(["Yes", "No"]))
            elif kind == "integer":
                values.append(rng.randint(0, 500))
            elif kind == "decimal":
                values.append(round(rng.uniform(0, 100), 2))
            elif kind == "date":
                values.append(f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
            elif kind == "option":
                values.append("Y" if rng.random() < 0.4 else None)
            else:
                values.append(f"Answer {rng.randint(0, 10**6)} to a free question")
        sheet.append(values)
    book.save(path)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1200)
    parser.add_argument("--columns", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from coopwork.ingest import ingest_file
    from coopwork.ingest.draft import draft_survey

    folder = Path(tempfile.mkdtemp(prefix="coopwork-bench-"))
    try:
        export = build_export(folder / "results-survey.xlsx", args.rows, args.columns)
        pd.read_excel(export, engine="calamine")  # warm-up: imports, catalogue, file cache
        draft = draft_survey(export, output=folder / "warm.xlsx")
        ingest_file(export, survey=draft, wave="w", territory="t", workspace=folder / "warm")
        reads, drafts, ingests, cpu = [], [], [], []
        for run in range(args.repeat):
            start = time.perf_counter()
            frame = pd.read_excel(export, engine="calamine")
            reads.append(time.perf_counter() - start)
            start, clock = time.perf_counter(), time.process_time()
            draft = draft_survey(export, output=folder / f"draft{run}.xlsx")
            drafts.append(time.perf_counter() - start)
            start = time.perf_counter()
            result = ingest_file(export, survey=draft, wave="w", territory="t", workspace=folder / f"ws{run}")
            ingests.append(time.perf_counter() - start)
            cpu.append(time.process_time() - clock)
        assert result.rows_read == len(frame) == args.rows, (result.rows_read, len(frame))
        both = [d + i for d, i in zip(drafts, ingests, strict=True)]
        median = statistics.median
        size = export.stat().st_size / 1e6
        print(f"file: {args.rows} rows x {frame.shape[1]} columns, {size:.1f} MB (XLSX)")
        print(f"pandas.read_excel (calamine): best {min(reads):.2f} s, median {median(reads):.2f} s")
        print(f"survey draft                : best {min(drafts):.2f} s, median {median(drafts):.2f} s")
        print(f"ingest                      : best {min(ingests):.2f} s, median {median(ingests):.2f} s "
              f"(accepted {result.accepted}, issues {result.issues})")
        print(f"draft + ingest              : best {min(both):.2f} s, median {statistics.median(both):.2f} s "
              f"(goal <= 3 s); {statistics.median(both) / statistics.median(reads):.1f}x read_excel")
        print(f"draft + ingest, CPU time    : best {min(cpu):.2f} s, median {statistics.median(cpu):.2f} s "
              "(on a busy machine the wall time waits for the other processes)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
