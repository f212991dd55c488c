"""Benchmark: ``coopwork run`` against a plain ``papermill`` CLI loop, side by side in one run.

For 24 and 50 territories of a synthetic workspace (``coopwork demo --territories 50
--no-run``, fictional data), the same notebook is executed — by default a *small* analysis
notebook (one territory's responses, one disclosure-controlled summary and its figure, the
provenance footer: the kind of notebook where start-up dominates), or with ``--notebook
notebooks/territory_report.ipynb`` the full report (where the analysis itself dominates) —

- by a shell-style loop calling the ``papermill`` command once per territory (what a team
  writes first), and
- by ``coopwork run --notebook … --territory … --force`` in a fresh process (warm-up of the
  fork server included; it also writes the HTML of every report, which the loop does not).

Times are wall-clock on this machine, measured in the same run; the ratio is printed, with
the CPU seconds used by each side (children included: less sensitive to other jobs sharing the
machine than wall time).

Usage::

    python benchmarks/batch.py                      # 24 and 50 territories
    python benchmarks/batch.py --sizes 6 --workspace /tmp/ws
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _env() -> dict[str, str]:
    return dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
                PYDEVD_DISABLE_FILE_VALIDATION="1")


SMALL = [
    "territory = None\nwave = None\nworkspace = '.'\nlang = 'fr'\nmin_count = 3\nrun_info = None",
    "from coopwork.analysis import summarise\nfrom coopwork import figures\n"
    "from coopwork.workspace import open_workspace\nimport plotly.io as pio\n"
    "pio.renderers.default = 'plotly_mimetype'\n"
    "ws = open_workspace(workspace)\nanswers = ws.responses(territory=territory, wave=wave)\n"
    "question = next(q for q in ws.survey.top_level if q.is_likert)\n"
    "table = summarise(answers, ws.survey, question.name, lang=lang, min_count=min_count)\n"
    "figures.likert_chart(table, survey=ws.survey, lang=lang)",
    "from coopwork.batch.provenance import footer\n"
    "footer(workspace=workspace, territory=territory, wave=wave, lang=lang, min_count=min_count,\n"
    "       run_info=run_info)",
]


def small_notebook(path: Path) -> Path:
    """Write the small analysis notebook used by default."""
    import nbformat

    cells = [nbformat.v4.new_code_cell(source) for source in SMALL]
    cells[0].metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def make_workspace(folder: Path, territories: int) -> Path:
    """A demo workspace with ``territories`` synthetic territories (ingested, not run)."""
    if not (folder / "data" / "processed").is_dir():
        subprocess.run([str(BIN / "coopwork"), "demo", "--workspace", str(folder), "--territories",
                        str(territories), "--no-run"], check=True, env=_env(), stdout=subprocess.DEVNULL)
    return folder


def territories_of(workspace: Path) -> list[str]:
    from coopwork.workspace import open_workspace

    return open_workspace(workspace).territories


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def plain_loop(notebook: Path, workspace: Path, territories: list[str], out: Path) -> float:
    """Seconds for ``papermill NB OUT -r territory T -p workspace WS`` once per territory."""
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for territory in territories:
        subprocess.run([str(BIN / "papermill"), str(notebook), str(out / f"{territory}.ipynb"),
                        "-r", "territory", territory, "-p", "workspace", str(workspace), "--no-progress-bar"],
                       check=True, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def coopwork_run(notebook: Path, workspace: Path, territories: list[str],
                 jobs: int | None) -> tuple[float, dict]:
    """Seconds for one ``coopwork run`` over the same territories (fresh process, --force)."""
    command = [str(BIN / "coopwork"), "run", "--workspace", str(workspace), "--notebook", str(notebook),
               "--force", "--json"]
    for territory in territories:
        command += ["--territory", territory]
    if jobs:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    done = subprocess.run(command, env=_env(), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"coopwork run failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds, json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[24, 50], help="numbers of territories")
    parser.add_argument("--workspace", type=Path, help="reuse this demo workspace (default: a temporary one)")
    parser.add_argument("--notebook", type=Path,
                        help="notebook to run (default: a small analysis notebook; try "
                             "notebooks/territory_report.ipynb for the full report)")
    parser.add_argument("--jobs", type=int, help="coopwork run --jobs (default: number of cores)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="coopwork-bench-") as tmp:
        workspace = args.workspace or Path(tmp) / "ws"
        print(f"workspace: building {max(args.sizes)} synthetic territories…", file=sys.stderr, flush=True)
        make_workspace(workspace, max(args.sizes))
        notebook = args.notebook or small_notebook(Path(tmp) / "small_analysis.ipynb")
        print(f"notebook: {notebook.name}", flush=True)
        every = territories_of(workspace)
        if len(every) < max(args.sizes):
            raise SystemExit(f"the workspace has {len(every)} territories, fewer than {max(args.sizes)}")
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start", flush=True)
        rows = []
        for size in args.sizes:
            chosen = every[:size]
            print(f"{size} territories: plain papermill loop…", file=sys.stderr, flush=True)
            cpu = _children_cpu()
            plain = plain_loop(notebook, workspace, chosen, Path(tmp) / f"plain-{size}")
            plain_cpu, cpu = _children_cpu() - cpu, _children_cpu()
            print(f"{size} territories: coopwork run…", file=sys.stderr, flush=True)
            ours, result = coopwork_run(notebook, workspace, chosen, args.jobs)
            ours_cpu = _children_cpu() - cpu
            if len(result["executed"]) != size or result["failed"]:
                raise SystemExit(f"coopwork run did not execute every territory: {result}")
            rows.append((size, plain, ours))
            print(f"{size:>4} territories | papermill CLI loop {plain:8.1f} s ({plain / size:5.2f} s each) | "
                  f"coopwork run {ours:7.1f} s ({ours / size:5.2f} s each) | ratio {plain / ours:5.1f}x | "
                  f"CPU {plain_cpu:.0f} s vs {ours_cpu:.0f} s ({plain_cpu / max(ours_cpu, 1e-9):.1f}x)",
                  flush=True)
        print(f"load average {os.getloadavg()[0]:.1f} at end", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
