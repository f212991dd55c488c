"""Benchmark of the results layer (one set of results per territory), baselines measured in the same run.

On a synthetic workspace of N territories × 2 waves (``coopwork demo --territories N --no-run``):

1. **results of one territory**: CPU seconds of :func:`coopwork.results.compute.compute` per
   territory (every chart and table the report, the dashboard and the export show; the
   dashboards' organisation-type views are computed apart, when that filter is used), median over
   territories, with the same work shared per wave as ``ensure`` does;
2. **batch**: ``coopwork run --all --force`` with the real ``territory_report.ipynb`` against a
   ``papermill`` CLI loop over the same territories (the ratio loop / run), both starting with no
   results on disk;
3. **no-change run**: a second ``coopwork run --all`` against the forced run (ratio, in %);
4. **dashboards and export** on the 6-territory demo (where the targets are stated): preparing
   every dashboard result (``prepare_all``, cold) and ``coopwork export --all`` (with the results
   current, then cold) against ONE cold ``papermill`` run of one territory report;
5. with ``--flat M`` (at most 99, ``coopwork demo``'s limit): the CPU per territory of the results
   at N and at M territories (it should stay flat: nothing grows with the square of the number of
   territories).

Usage::

    python benchmarks/results.py --territories 24
    python benchmarks/results.py --territories 24 --flat 99
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import _env, make_workspace, plain_loop, territories_of

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "notebooks" / "territory_report.ipynb"


def _timed(command: list[str], *, cwd: Path | None = None) -> tuple[float, float]:
    """Wall and CPU (children) seconds of a command."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        command, check=True, cwd=cwd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - started, (after.ru_utime + after.ru_stime) - (
        before.ru_utime + before.ru_stime
    )


def results_cpu(workspace: Path) -> tuple[float, int]:
    """Median CPU seconds of one territory's results (latest wave, fr), and the number of territories."""
    from coopwork.results.compute import Inputs, compute
    from coopwork.workspace import open_workspace

    inputs = Inputs(open_workspace(workspace))
    territories = [t for t in inputs.waves_of if t != "_all"]
    wave = inputs.waves_of["_all"][-1]
    compute(inputs, territories[0], wave, lang="fr", min_count=3)  # imports, per-wave shared work
    times = []
    for territory in territories:
        started = time.process_time()
        compute(inputs, territory, wave, lang="fr", min_count=3)
        times.append(time.process_time() - started)
    return statistics.median(times), len(territories)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--territories", type=int, default=24)
    parser.add_argument("--flat", type=int, default=0, help="also measure results at this many territories")
    parser.add_argument("--skip-loop", action="store_true", help="skip the papermill loop (slow)")
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    coopwork = str(Path(sys.executable).parent / "coopwork")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        workspace = make_workspace(folder / "ws", args.territories)
        territories = territories_of(workspace)

        cpu, n = results_cpu(workspace)
        print(f"1. results of one territory: median {cpu:.3f} s CPU over {n} territories (target <= 0.5 s)")

        # 4. one cold papermill run of one territory report: the baseline of dashboards and export
        one_wall, one_cpu = _timed(
            [
                sys.executable,
                "-m",
                "papermill",
                str(REPORT),
                str(folder / "one.ipynb"),
                "-p",
                "territory",
                territories[0],
                "-p",
                "workspace",
                str(workspace),
            ]
        )
        print(
            f"   baseline: one cold papermill run of territory_report: {one_wall:.1f} s wall, "
            f"{one_cpu:.1f} s CPU"
        )
        # 4. the targets are stated for the 6-territory demo: measured there
        demo = make_workspace(folder / "demo", 6)
        prep_wall, _ = _timed(
            [
                sys.executable,
                "-c",
                "import sys; from coopwork.results.store import prepare_all;"
                "from coopwork.workspace import open_workspace;"
                "prepare_all(open_workspace(sys.argv[1]))",
                str(demo),
            ]
        )
        print(
            f"4. demo (6 territories): dashboard preparation (every wave, fr+en, syntheses), cold: "
            f"{prep_wall:.1f} s wall = {prep_wall / one_wall:.2f} x one papermill run (target <= 1)"
        )
        warm_wall, _ = _timed([coopwork, "export", "--all", "--workspace", str(demo)])
        print(
            f"   coopwork export --all (placemat PDFs included), results current: {warm_wall:.1f} s wall "
            f"= {warm_wall / one_wall:.2f} x one papermill run (target <= 1)"
        )
        shutil.rmtree(demo / ".coopwork" / "results", ignore_errors=True)
        shutil.rmtree(demo / "data" / "exports", ignore_errors=True)
        cold_wall, _ = _timed([coopwork, "export", "--all", "--workspace", str(demo)])
        print(
            f"   coopwork export --all, cold (no results yet): {cold_wall:.1f} s wall "
            f"= {cold_wall / one_wall:.2f} x one papermill run"
        )

        # 2. the batch against the papermill loop, both cold: no results on disk before either
        results = workspace / ".coopwork" / "results"
        shutil.rmtree(results, ignore_errors=True)
        forced_wall, forced_cpu = _timed(
            [coopwork, "run", "--workspace", str(workspace), "--notebook", str(REPORT), "--force"]
        )
        print(
            f"2. coopwork run --all --force ({len(territories)} territories): {forced_wall:.1f} s wall, "
            f"{forced_cpu:.1f} s CPU"
        )
        if not args.skip_loop:
            kept = folder / "results-kept"
            shutil.move(results, kept)  # the loop computes its results itself, as a papermill user's would
            loop_wall = plain_loop(REPORT, workspace, territories, folder / "loop")
            shutil.rmtree(results, ignore_errors=True)
            shutil.move(kept, results)
            print(
                f"   papermill CLI loop: {loop_wall:.1f} s wall -> speed-up {loop_wall / forced_wall:.1f}x "
                f"(target >= 10x)"
            )
        again_wall, _ = _timed([coopwork, "run", "--workspace", str(workspace), "--notebook", str(REPORT)])
        print(
            f"3. no-change coopwork run --all: {again_wall:.2f} s "
            f"= {100 * again_wall / forced_wall:.1f} % of "
            f"the forced run (target <= 5 %)"
        )

        if args.flat:
            big = make_workspace(folder / "big", args.flat)
            cpu_big, n_big = results_cpu(big)
            print(
                f"5. results per territory: {cpu:.3f} s at {n} territories, {cpu_big:.3f} s at {n_big} "
                f"(ratio {cpu_big / cpu:.2f}; flat = about 1)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
