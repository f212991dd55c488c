"""Benchmark of the results layer (one set of results per territory).

On a synthetic workspace of N territories × 2 waves (``coopwork demo --territories N --no-run``):

1. **results of one territory**: CPU seconds of :func:`coopwork.results.views.compute` per
   territory (every chart and table the report, the dashboard and the export show; the
   dashboards' organisation-type views are computed apart, when that filter is used), median over
   territories, with the same work shared per wave as ``ensure`` does;
2. with ``--flat M``: the CPU per territory of the results at N and at M territories (it should
   stay flat: nothing grows with the square of the number of territories).

The batch against a papermill loop and the no-change run are measured by ``benchmarks/batch.py``;
the demo and the export by ``benchmarks/export.py``.

Usage::

    python benchmarks/results.py --territories 24
    python benchmarks/results.py --territories 24 --flat 200
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import make_workspace


def results_cpu(workspace: Path) -> tuple[float, int]:
    """Median CPU seconds of one territory's results (latest wave, fr), and the number of territories."""
    from coopwork.results.inputs import Inputs
    from coopwork.results.views import compute
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
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        workspace = make_workspace(folder / "ws", args.territories)
        cpu, n = results_cpu(workspace)
        print(f"1. results of one territory: median {cpu:.3f} s CPU over {n} territories (target <= 0.5 s)")

        if args.flat:
            big = make_workspace(folder / "big", args.flat)
            cpu_big, n_big = results_cpu(big)
            print(
                f"2. results per territory: {cpu:.3f} s at {n} territories, {cpu_big:.3f} s at {n_big} "
                f"(ratio {cpu_big / cpu:.2f}; flat = about 1)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
