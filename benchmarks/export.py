"""Benchmark: ``coopwork demo`` and ``coopwork export --all`` against ONE cold papermill report.

The targets are stated for the 6-territory demo, against the time a researcher already accepts
for one report: one ``papermill`` run of ``notebooks/territory_report.ipynb`` for one territory,
started cold (a new kernel; no results on disk, so the run computes its territory's results).

1. the baseline: one cold papermill run;
2. ``coopwork demo`` in an empty folder (synthetic exports, ingest of both waves, every wave's
   results for the dashboards in French and English, the 7 reports);
3. ``coopwork export --all`` on that workspace, results current (the site, 7 workbooks, 6
   placemats printed to PDF, network files, audits) — and cold, with no results on disk.

With ``--baseline-code DIR`` steps 2 and 3 also run with the coopwork package of ``DIR`` (the code
before), in the same run. With ``--profile`` the export (results current) is also run in this
process under cProfile and the functions that take the most time are printed.

Usage::

    python benchmarks/export.py
    python benchmarks/export.py --baseline-code ../main-copy --profile
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import BIN, REPORT, _env, forget_results, timed


def baseline(folder: Path) -> tuple[float, float]:
    """One cold papermill run of the territory report on a fresh demo workspace."""
    workspace = folder / "one"
    timed([str(BIN / "coopwork"), "demo", "--workspace", str(workspace), "--no-run"])
    forget_results(workspace)
    from coopwork.results.fingerprint import fingerprint
    from coopwork.workspace import open_workspace

    territory = fingerprint(open_workspace(workspace)).territories[0]
    wall, cpu, _ = timed([str(BIN / "papermill"), str(REPORT), str(folder / "one.ipynb"), "-p", "territory",
                          territory, "-p", "workspace", str(workspace), "--no-progress-bar"])
    return wall, cpu


def measure(folder: Path, one: tuple[float, float], *, code: Path | None, label: str) -> Path:
    workspace = folder / f"demo-{label}"
    shutil.rmtree(workspace, ignore_errors=True)
    python = [sys.executable, "-m", "coopwork.cli"]
    demo, demo_cpu, _ = timed([*python, "demo", "--workspace", str(workspace)], env=_env(code))
    warm, warm_cpu, _ = timed([*python, "export", "--all", "--workspace", str(workspace)], env=_env(code))
    shutil.rmtree(workspace / ".coopwork" / "results", ignore_errors=True)
    shutil.rmtree(workspace / "data" / "exports", ignore_errors=True)
    cold, cold_cpu, _ = timed([*python, "export", "--all", "--workspace", str(workspace)], env=_env(code))
    load = os.getloadavg()[0]
    print(f"{label:<7} | coopwork demo {demo:6.1f} s = {demo / one[0]:4.2f}x (CPU {demo_cpu:5.1f} s) | "
          f"export --all {warm:5.1f} s = {warm / one[0]:4.2f}x (CPU {warm_cpu:5.1f} s) | "
          f"cold {cold:5.1f} s = {cold / one[0]:4.2f}x (CPU {cold_cpu:5.1f} s) | load {load:.1f}", flush=True)
    return workspace


def profile(workspace: Path, top: int = 25) -> None:
    """The export (results current) under cProfile, in this process: where its time goes."""
    import cProfile
    import pstats
    import time

    from coopwork.export import export_all

    export_all(workspace)  # results current, assets written
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    export_all(workspace)
    profiler.disable()
    print(f"\nprofile of export_all (results current): {time.perf_counter() - started:.1f} s wall in this "
          f"process (Chromium's own time is spent waiting in its thread)")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-code", type=Path,
                        help="also run coopwork from this folder (the code before), in the same run")
    parser.add_argument("--profile", action="store_true", help="print a profile of the export")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="coopwork-bench-") as tmp:
        folder = Path(tmp)
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start", flush=True)
        one = baseline(folder)
        print(f"baseline: one cold papermill run of {REPORT.name}: {one[0]:.1f} s (CPU {one[1]:.1f} s); "
              f"targets: demo <= 4x, export <= 1x", flush=True)
        workspace = measure(folder, one, code=None, label="now")
        if args.baseline_code is not None:
            measure(folder, one, code=args.baseline_code, label="before")
        if args.profile:
            profile(workspace)
    return 0


if __name__ == "__main__":
    sys.exit(main())
