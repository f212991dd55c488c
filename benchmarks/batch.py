"""Benchmark: ``coopwork run`` against a plain ``papermill`` CLI loop, and a run with nothing to do.

For each size (default 24 and 100 territories) a synthetic workspace is built (``coopwork demo
--territories N --no-run``, fictional data) and the real report, ``notebooks/territory_report.ipynb``,
is executed for every territory:

1. by a shell-style loop calling the ``papermill`` command once per territory (what a team writes
   first); each run computes its territory's results itself, as a papermill user's would;
2. by ``coopwork run --force`` in a fresh process, with no results on disk either (the warm-up of
   the kernels' warm process included; it also writes the HTML of every report, which the loop
   does not);
3. by ``coopwork run`` again, which has nothing to do: its time as a share of the forced run.

With ``--baseline-code DIR`` steps 2 and 3 also run with the coopwork package of ``DIR`` (for
example a worktree of the main branch: ``git worktree add ../main-copy main``), in the same run,
right after the code under test: "before" and "after" on the same machine at the same time.

Times are wall-clock, measured in the same run; the ratios are printed with the CPU seconds of
each side (children included: less sensitive than wall time to other jobs on the machine) and
the load average.

Usage::

    python benchmarks/batch.py                                   # 24 and 100 territories
    python benchmarks/batch.py --sizes 24 --baseline-code ../main-copy
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
REPORT = ROOT / "notebooks" / "territory_report.ipynb"


def _env(code: Path | None = None) -> dict[str, str]:
    """The environment of a command; ``code``: run the coopwork package found in that folder."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(code), *filter(None, [env.get("PYTHONPATH")])])
    return env


def make_workspace(folder: Path, territories: int) -> Path:
    """A demo workspace with ``territories`` synthetic territories (ingested, not run)."""
    if not (folder / "data" / "processed").is_dir():
        subprocess.run([str(BIN / "coopwork"), "demo", "--workspace", str(folder), "--territories",
                        str(territories), "--no-run"], check=True, env=_env(), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return folder


def territories_of(workspace: Path) -> list[str]:
    from coopwork.results.fingerprint import fingerprint
    from coopwork.workspace import open_workspace

    return fingerprint(open_workspace(workspace)).territories


def forget_results(workspace: Path) -> None:
    """Remove every computed result and report: the next run starts cold."""
    for folder in (workspace / ".coopwork", workspace / "data" / "reports"):
        shutil.rmtree(folder, ignore_errors=True)


def timed(command: list[str], *, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (children) and stdout of a command that must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env or _env(), capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{command[:3]} failed ({done.returncode}): {done.stderr[-3000:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, done.stdout


def plain_loop(notebook: Path, workspace: Path, territories: list[str], out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``papermill NB OUT -p territory T -p workspace WS``, once per territory."""
    out.mkdir(parents=True, exist_ok=True)
    wall = cpu = 0.0
    for territory in territories:
        w, c, _ = timed([str(BIN / "papermill"), str(notebook), str(out / f"{territory}.ipynb"), "-p",
                         "territory", territory, "-p", "workspace", str(workspace), "--no-progress-bar"])
        wall, cpu = wall + w, cpu + c
    return wall, cpu


def coopwork_run(workspace: Path, *, force: bool, code: Path | None = None) -> tuple[float, float, dict]:
    """One ``coopwork run --all`` of the real report in a fresh process: wall, CPU, its JSON."""
    command = [sys.executable, "-m", "coopwork.cli", "run", "--workspace", str(workspace), "--notebook",
               str(REPORT), "--json"] + (["--force"] if force else [])
    wall, cpu, out = timed(command, env=_env(code))
    return wall, cpu, json.loads(out.strip().splitlines()[-1])


def measure(workspace: Path, size: int, *, code: Path | None, label: str, loop: tuple[float, float]) -> None:
    forget_results(workspace)
    forced, forced_cpu, result = coopwork_run(workspace, force=True, code=code)
    if len(result["executed"]) != size or result["failed"]:
        raise SystemExit(f"{label}: coopwork run did not execute every territory: {result}")
    again, again_cpu, result = coopwork_run(workspace, force=False, code=code)
    if result["executed"]:
        raise SystemExit(f"{label}: the second run executed {result['executed']}")
    ratio, cpu_ratio, share = loop[0] / forced, loop[1] / forced_cpu, 100 * again / forced
    print(f"{size:>4} territories | {label:<8} | coopwork run --force {forced:7.1f} s "
          f"({forced / size:5.2f} s each, CPU {forced_cpu:6.1f} s) | "
          f"ratio {ratio:5.1f}x (CPU {cpu_ratio:4.1f}x) | "
          f"nothing to do {again:5.2f} s = {share:4.1f} % (CPU {again_cpu:4.2f} s) | "
          f"load {os.getloadavg()[0]:.1f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[24, 100], help="numbers of territories")
    parser.add_argument("--baseline-code", type=Path,
                        help="also run coopwork from this folder (the code before), in the same run")
    parser.add_argument("--workspace", type=Path, help="keep the workspaces in this folder")
    args = parser.parse_args(argv)
    if args.baseline_code is not None and not (args.baseline_code / "coopwork" / "__init__.py").is_file():
        raise SystemExit(f"{args.baseline_code} holds no coopwork package")

    with tempfile.TemporaryDirectory(prefix="coopwork-bench-") as tmp:
        base = args.workspace or Path(tmp)
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; "
              f"notebook {REPORT.name}", flush=True)
        for size in args.sizes:
            workspace = make_workspace(base / f"ws{size}", size)
            territories = territories_of(workspace)
            if len(territories) != size:
                raise SystemExit(f"the workspace has {len(territories)} territories, not {size}")
            forget_results(workspace)
            loop = plain_loop(REPORT, workspace, territories, base / f"loop{size}")
            each, load = loop[0] / size, os.getloadavg()[0]
            print(f"{size:>4} territories | papermill CLI loop {loop[0]:8.1f} s ({each:5.2f} s each, "
                  f"CPU {loop[1]:6.1f} s) | load {load:.1f}", flush=True)
            measure(workspace, size, code=None, label="now", loop=loop)
            if args.baseline_code is not None:
                measure(workspace, size, code=args.baseline_code, label="before", loop=loop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
