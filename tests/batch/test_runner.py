"""The batch runner end to end on a small processed workspace and probe notebooks.

Each test runs real papermill executions on real kernels (forked from the warm server), so the
scenarios are grouped: one workspace goes through first run → skip → change → reorder → a
territory joins → late answers → rows in a later wave → force.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from batch_helpers import (
    SURVEY_ID,
    make_workspace,
    probe_notebook,
    responses_for,
    result_of,
    write_responses,
)

from coopwork.batch import run_batch
from coopwork.batch.cli import main as run_main
from coopwork.errors import RunError, WorkspaceError


def _reports(root: Path) -> Path:
    return root / "data" / "reports" / SURVEY_ID


def _expected(frame: pd.DataFrame, territory: str) -> tuple[int, float]:
    rows = frame[frame["_territory"] == territory]
    values = [int(v) for v in rows["confiance"]]
    return len(values), round(sum(values) / len(values), 6)


def _digests(root: Path) -> dict[str, str]:
    """The results digest each territory's last report was made from."""
    state = json.loads((root / ".coopwork" / "runs" / "territory_report.json").read_text())
    return {t: entry["inputs"]["results"] for t, entry in state["territories"].items()}


@pytest.fixture
def default_workspace(tmp_path: Path) -> Path:
    """A workspace whose notebooks/ hold a per-territory probe and a synthesis probe."""
    root = make_workspace(tmp_path / "ws", ["alpha", "beta", "gamma"])
    probe_notebook(root / "notebooks" / "territory_report.ipynb")
    probe_notebook(root / "notebooks" / "synthesis.ipynb", scope_all=True)
    return root


def test_incremental_runs_skip_touch_reorder_new_territory_and_force(default_workspace: Path,
                                                                    disclosure_kept) -> None:
    root = default_workspace
    reports = _reports(root)

    # first run, one worker: every territory and the synthesis run, in fresh kernels
    first = run_batch(root, jobs=1, show_progress=False)
    assert first.executed == ["*", "alpha", "beta", "gamma"]
    # every report folder carries the disclosure audit of what it shows, and keeps the rules
    assert all((reports / x / "audit.json").is_file() for x in ("alpha", "beta", "gamma"))
    assert (reports / "audit.json").is_file()
    disclosure_kept(root)
    assert first.skipped == [] and first.failed == []
    assert first.reports_dir == str(reports)
    frame = pd.read_parquet(root / "data" / "processed" / SURVEY_ID / "responses.parquet")
    for territory in ("alpha", "beta", "gamma"):
        result = result_of(reports / territory / "territory_report.ipynb")
        assert (result["n"], result["mean"]) == _expected(frame, territory)
        assert result["wave"] == "2025"
        # isolation under a reused warm process: nothing from the previous territory is visible
        assert result["observed"] == {"variable": None, "module_attribute": None, "env": None,
                                      "cwd": str(root), "module": False}
    assert (reports / "territory_report.ipynb").is_file() is False
    assert (reports / "synthesis.ipynb").is_file() and (reports / "synthesis.html").is_file()
    assert (reports / "index.html").is_file() and (reports / "plotly.min.js").is_file()
    state = json.loads((root / ".coopwork" / "runs" / "territory_report.json").read_text())
    assert sorted(state["territories"]) == ["alpha", "beta", "gamma"]

    # provenance: in the metadata and in the footer
    nb = nbformat.read(reports / "alpha" / "territory_report.ipynb", as_version=4)
    info = nb.metadata["coopwork"]["provenance"]
    assert info["parameters"] == {"territory": "alpha", "wave": "2025", "lang": "fr", "min_count": 3}
    assert len(info["notebook_hash"]) == 64 and len(info["manifest_hash"]) == 64
    assert info["data_hash"] == state["territories"]["alpha"]["inputs"]["results"]
    assert set(state["territories"]["alpha"]["inputs"]) == {"results", "notebook", "parameters", "coopwork"}
    footer = nb.cells[-1].outputs[0]["data"]["text/markdown"]
    assert info["notebook_hash"][:12] in footer and "territory=alpha" in footer

    # the HTML shows outputs, not code
    page = (reports / "alpha" / "territory_report.html").read_text(encoding="utf-8")
    assert "coopwork" in page and "open_workspace" not in page and info["notebook_hash"][:12] in page
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "Territoire alpha" in index and "alpha/territory_report.html" in index

    # nothing changed: everything is skipped
    second = run_batch(root, jobs=2, show_progress=False)
    assert second.executed == [] and second.skipped == ["*", "alpha", "beta", "gamma"]

    # one territory's answers change: it reruns, and so do the others, whose comparison with
    # the other territories (their dimension scores) changed with it
    changed = frame.copy()
    changed.loc[changed["_territory"] == "beta", "confiance"] = "5"
    write_responses(root, changed)
    third = run_batch(root, jobs=2, show_progress=False)
    assert third.executed == ["*", "alpha", "beta", "gamma"] and third.skipped == []
    assert result_of(reports / "beta" / "territory_report.ipynb")["mean"] == 5.0
    assert _digests(root)["alpha"] != state["territories"]["alpha"]["inputs"]["results"]

    # same content in another row order, newer file time: hashes decide, nothing reruns
    write_responses(root, changed.iloc[::-1])
    assert run_batch(root, jobs=2, show_progress=False).executed == []

    # a territory joins in the same wave with scored Likert answers: it runs, and every other
    # report reruns (their comparison with "others" and "all" now counts it)
    before = _digests(root)
    joined = pd.concat([changed, responses_for("delta", n=5)], ignore_index=True)
    write_responses(root, joined)
    fourth = run_batch(root, jobs=2, show_progress=False)
    assert fourth.executed == ["*", "alpha", "beta", "delta", "gamma"] and fourth.skipped == []
    assert result_of(reports / "delta" / "territory_report.ipynb")["n"] == 5
    after = _digests(root)
    assert all(after[t] != before[t] for t in ("alpha", "beta", "gamma"))
    assert run_batch(root, jobs=2, show_progress=False).executed == []  # and then nothing

    # late answers for another territory (gamma) in the same wave: gamma reruns, and so do the
    # reports comparing themselves with it
    late = pd.concat([joined, responses_for("gamma", n=2, start=10)], ignore_index=True)
    write_responses(root, late)
    fifth = run_batch(root, jobs=2, show_progress=False)
    assert fifth.executed == ["*", "alpha", "beta", "delta", "gamma"] and fifth.skipped == []
    assert result_of(reports / "gamma" / "territory_report.ipynb")["n"] == 6
    assert run_batch(root, jobs=2, show_progress=False).executed == []

    # rows in a wave that is neither the current nor the previous wave of the other territories'
    # reports (a territory joins in a later wave, then late answers arrive there): they change
    # nothing those reports show, so only the newcomer and the synthesis (now of 2026) run
    before = _digests(root)
    later = pd.concat([late, responses_for("spare1", n=4, wave="2026")], ignore_index=True)
    write_responses(root, later)
    sixth = run_batch(root, jobs=2, show_progress=False)
    assert sixth.executed == ["*", "spare1"]
    assert sixth.skipped == ["alpha", "beta", "delta", "gamma"]
    assert result_of(reports / "spare1" / "territory_report.ipynb")["wave"] == "2026"
    assert result_of(reports / "alpha" / "territory_report.ipynb")["wave"] == "2025"
    late_2026 = pd.concat([later, responses_for("spare1", n=2, wave="2026", start=10)], ignore_index=True)
    write_responses(root, late_2026)
    seventh = run_batch(root, jobs=2, show_progress=False)
    assert seventh.executed == ["*", "spare1"]
    assert seventh.skipped == ["alpha", "beta", "delta", "gamma"]
    assert {t: d for t, d in _digests(root).items() if t != "spare1"} == before
    assert run_batch(root, jobs=2, show_progress=False).executed == []

    # --force reruns everything, also through the command line with --json
    args = argparse.Namespace(workspace=str(root), territory=["alpha", "gamma"], all=False, wave=None,
                              notebook=None, jobs=2, scheduler=None, timeout=600.0, force=True, lang="en",
                              min_count=3, json=True)
    out = io.StringIO()
    with redirect_stdout(out):
        code = run_main(args)
    payload = json.loads(out.getvalue())
    assert code == 0
    assert payload["executed"] == ["*", "alpha", "gamma"] and payload["failed"] == []
    assert payload["reports_dir"] == str(reports)


def test_failures_are_isolated_reported_and_keep_the_last_good_report(workspace: Path) -> None:
    root = workspace
    reports = _reports(root)
    frame = pd.concat([pd.read_parquet(root / "data" / "processed" / SURVEY_ID / "responses.parquet"),
                       responses_for("delta")], ignore_index=True)
    write_responses(root, frame)
    notebook = root / "notebooks" / "probe.ipynb"
    good = run_batch(root, notebook=notebook, jobs=2, show_progress=False)
    assert good.executed == ["alpha", "beta", "delta", "gamma"]
    before = {t: (reports / t / "probe.ipynb").read_bytes() for t in ("alpha", "beta", "gamma")}

    # alpha raises, beta's kernel is killed, gamma overruns the time limit; delta is fine
    (root / "behaviour.json").write_text(json.dumps({"alpha": "raise", "beta": "kill", "gamma": "sleep"}))
    args = argparse.Namespace(workspace=str(root), territory=None, all=True, wave=None,
                              notebook=str(notebook), jobs=2, scheduler=None, timeout=20.0, force=True,
                              lang="fr", min_count=3, json=True)
    out = io.StringIO()
    with redirect_stdout(out):
        code = run_main(args)
    payload = json.loads(out.getvalue())
    assert code == 1
    assert payload["executed"] == ["delta"]
    failed = {f["territory"]: f for f in payload["failed"]}
    assert sorted(failed) == ["alpha", "beta", "gamma"]
    # cells are counted in the executed notebook (injected parameters included, papermill's
    # error banners excluded)
    kept = nbformat.read(failed["alpha"]["failed_notebook"], as_version=4)
    executed_cells = [c for c in kept.cells
                      if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
    behaviour_cell = next(i for i, c in enumerate(executed_cells) if "behaviour.json" in c.source)
    assert failed["alpha"]["source"] == executed_cells[behaviour_cell].source.strip().splitlines()[0]
    assert failed["alpha"]["ename"] == "ValueError"
    assert failed["alpha"]["evalue"] == "injected failure for alpha"
    assert failed["alpha"]["cell"] == behaviour_cell
    assert failed["beta"]["ename"] == "DeadKernelError" and failed["beta"]["cell"] == behaviour_cell
    assert "signal 9" in failed["beta"]["evalue"]
    assert failed["gamma"]["ename"] == "Timeout" and failed["gamma"]["cell"] == behaviour_cell

    # the last good reports are untouched; the failed executions are kept apart
    for territory in ("alpha", "beta", "gamma"):
        assert (reports / territory / "probe.ipynb").read_bytes() == before[territory]
        assert (reports / "_failed" / territory / "probe.ipynb").is_file()
        assert (reports / "_failed" / territory / "probe.error.json").is_file()
    assert any(o.get("ename") == "ValueError" for o in executed_cells[behaviour_cell].outputs)
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "rapport précédent conservé" in index

    # failed territories are not "fresh": the next run retries them (and only them)
    (root / "behaviour.json").unlink()
    retry = run_batch(root, notebook=notebook, jobs=2, show_progress=False)
    assert retry.executed == ["alpha", "beta", "gamma"] and retry.skipped == ["delta"]


def test_plain_papermill_gives_the_same_result(workspace: Path, tmp_path: Path) -> None:
    root = workspace
    notebook = root / "notebooks" / "probe.ipynb"
    ours = run_batch(root, notebook=notebook, territories=["beta"], jobs=1, show_progress=False)
    assert ours.executed == ["beta"]
    output = tmp_path / "plain.ipynb"
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    subprocess.run([str(Path(sys.executable).parent / "papermill"), str(notebook), str(output),
                    "-p", "territory", "beta", "-p", "workspace", str(root), "-r", "wave", "2025",
                    "--no-progress-bar"], check=True, cwd=root, env=env, capture_output=True)
    assert result_of(output) == result_of(_reports(root) / "beta" / "probe.ipynb")


def test_run_errors_name_the_problem(workspace: Path, tmp_path: Path) -> None:
    notebook = workspace / "notebooks" / "probe.ipynb"
    with pytest.raises(RunError, match="territoire inconnu « omega »") as err:
        run_batch(workspace, notebook=notebook, territories=["omega"], show_progress=False)
    assert "alpha, beta, gamma" in str(err.value)
    with pytest.raises(WorkspaceError, match="no wave '1999'"):
        run_batch(workspace, notebook=notebook, wave="1999", show_progress=False)
    with pytest.raises(RunError, match="au moins 1"):
        run_batch(workspace, notebook=notebook, jobs=0, show_progress=False)
    bare = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("territory = None")])
    nbformat.write(bare, tmp_path / "bare.ipynb")
    with pytest.raises(RunError, match="parameters"):
        run_batch(workspace, notebook=tmp_path / "bare.ipynb", show_progress=False)
    with pytest.raises(RunError, match="introuvable"):
        run_batch(workspace, notebook=tmp_path / "missing.ipynb", show_progress=False)
    import fcntl

    (workspace / ".coopwork" / "runs").mkdir(parents=True, exist_ok=True)
    with open(workspace / ".coopwork" / "runs" / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(RunError, match="une autre exécution"):
            run_batch(workspace, notebook=notebook, show_progress=False)
    empty = make_workspace(tmp_path / "empty", ["alpha"])
    shutil.rmtree(empty / "data")
    with pytest.raises(RunError, match="aucun territoire"):
        run_batch(empty, notebook=notebook, show_progress=False)


_KILLED_WHILE_PUBLISHING = """
import os, signal, sys
from coopwork.batch import run_batch
replace = os.replace
def replace_or_die(source, target):
    if os.path.basename(source).startswith(".territory_report."):  # the first report is being published
        os.kill(os.getpid(), signal.SIGKILL)
    return replace(source, target)
os.replace = replace_or_die
run_batch(sys.argv[1], jobs=1, show_progress=False)
"""


def test_a_run_killed_while_publishing_leaves_nothing_the_next_run_keeps(default_workspace: Path) -> None:
    """``kill -9`` at the worst moment (temporary report files written, not yet moved): the next
    ``coopwork run`` removes them and publishes every report; files that are not its own stay."""
    import contextlib
    import signal

    root = default_workspace
    child = subprocess.Popen([sys.executable, "-c", _KILLED_WHILE_PUBLISHING, str(root)],
                             start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, err = child.communicate(timeout=300)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)  # its warm server and kernels, if any outlived it
    assert child.returncode == -signal.SIGKILL, err.decode()
    left = sorted(p.name for p in _reports(root).rglob("*.tmp*"))
    assert any(name.startswith(".territory_report.html.") for name in left), left
    assert any(name.startswith(".territory_report.ipynb.") for name in left), left
    mine = _reports(root) / "notes.tmp"  # a file of the user's: not coopwork's to remove
    mine.write_text("keep me", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "coopwork.cli", "run", "--workspace", str(root)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert [p for p in _reports(root).rglob("*.tmp*") if p != mine] == []
    assert not list((root / ".coopwork" / "runs").glob("*.tmp"))
    assert mine.read_text(encoding="utf-8") == "keep me"
    for territory in ("alpha", "beta", "gamma"):
        assert (_reports(root) / territory / "territory_report.html").is_file()


NOT_NOTEBOOKS = [None, b"[1]\n", b'{"cells": 3}', b'{"cells": [1, 2]}', bytes(range(256))]


@pytest.mark.parametrize("content", NOT_NOTEBOOKS)
def test_a_file_that_is_not_a_notebook_is_one_sentence(workspace: Path, tmp_path: Path, content) -> None:
    """``coopwork run --notebook /etc/passwd`` (or any file that is not a notebook): exit 2, one
    sentence naming the file, none of its bytes."""
    path = Path("/etc/passwd")
    if content is not None or not path.is_file():
        path = tmp_path / "not_a_notebook.ipynb"
        path.write_bytes(content or b"root:x:0:0:root:/root:/bin/bash\n")
    command = [sys.executable, "-m", "coopwork.cli", "run", "--notebook", str(path), "--lang", "en",
               "--workspace", str(workspace)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr == (f"coopwork run: {path}: this file is not a Jupyter notebook (.ipynb). What to do: "
                           "give the path of an .ipynb with --notebook (default "
                           "notebooks/territory_report.ipynb).\n")
    assert done.stdout == ""


_NOTHING_TO_DO = """
import json, sys
from coopwork import cli
from coopwork.batch import warm
code = cli.main(["run", "--workspace", sys.argv[1], "--json"])
heavy = ("pandas", "numpy", "pyarrow", "papermill", "nbformat", "nbclient", "zmq", "plotly", "jupyter_client")
print(json.dumps({"code": code, "loaded": sorted(m for m in heavy if m in sys.modules),
                  "server": warm._warm_server is not None}))
"""


def test_a_run_with_nothing_to_do_reads_only_what_it_must(default_workspace: Path) -> None:
    """No-change ``coopwork run``: it imports none of the libraries that read tables or run
    notebooks and starts no kernel; the fingerprint and the results' keys say nothing changed."""
    root = default_workspace
    first = run_batch(root, jobs=2, show_progress=False)
    assert first.executed == ["*", "alpha", "beta", "gamma"]
    index = (_reports(root) / "index.html").stat().st_mtime_ns
    done = subprocess.run([sys.executable, "-c", _NOTHING_TO_DO, str(root)], capture_output=True, text=True,
                          timeout=300, check=True)
    lines = done.stdout.strip().splitlines()
    result, probe = json.loads(lines[0]), json.loads(lines[-1])
    assert result["executed"] == [] and result["skipped"] == ["*", "alpha", "beta", "gamma"]
    assert probe == {"code": 0, "loaded": [], "server": False}
    assert (_reports(root) / "index.html").stat().st_mtime_ns == index  # nothing rewritten
    # a result file removed by hand is seen, though its key file is still there
    for path in (root / ".coopwork" / "results").rglob("*.json"):
        if path.parent.name == "beta":
            path.unlink()
    assert run_batch(root, jobs=2, show_progress=False).executed == []  # same content, same digest
    assert any((root / ".coopwork" / "results" / SURVEY_ID / "beta").glob("*.json"))  # computed again
