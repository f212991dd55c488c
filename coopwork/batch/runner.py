"""The per-territory batch runner behind ``coopwork run``: plan, fan out, publish, summarise.

1. **Plan** (:mod:`.plan`): one task per territory (and one for each notebook whose metadata
   says ``{"coopwork": {"scope": "all"}}``, the synthesis), each with a content-hash key;
   tasks whose key did not change since their last success are skipped unless ``force``.
2. **Fan out**: locally, ``jobs`` threads drive papermill over kernels forked from one warm
   process (:mod:`.engine`); with ``scheduler="tcp://host:port"``, the same tasks run on a
   Dask cluster (:mod:`.dask`). A failing, dying or overrunning notebook only fails its task.
3. **Publish** (:mod:`.task`): reports replace the previous ones atomically; failures go to
   ``_failed/``; beside them, ``audit.json`` records how every table they show was protected
   (:func:`coopwork.results.audit.publication`); the run state and the index page
   (:mod:`.index`) are updated.

Reports land in ``<workspace>/data/reports/<survey_id>/<territory>/<notebook>.ipynb|.html``
(``RunResult.reports_dir``); the synthesis is ``<reports_dir>/<notebook>.ipynb|.html``.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RunError, WorkspaceError
from ..fileio import load, write_json
from ..i18n import t
from ..paths import ALL, name_for, reports_dir
from ..progress import progress
from ..results.fingerprint import fingerprint
from ..results.store import ensure
from ..threshold import DEFAULT_MIN_COUNT
from ..version import __version__
from ..workspace import open_workspace
from .dask import run_on_cluster
from .html import PLOTLY_JS, ensure_plotly_js
from .index import write_index
from .plan import ALL_TERRITORIES, RunState, Task, notebook_hash, task_key
from .provenance import manifest_hash
from .warm import stop_warm_server, warm_server

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock
    fcntl = None

__all__ = ["DEFAULT_NOTEBOOKS", "RunResult", "find_notebook", "plan_tasks", "remove_stale_temporaries",
           "run_batch", "stop_warm_server", "warm_server"]

DEFAULT_NOTEBOOKS = ("territory_report.ipynb", "synthesis.ipynb")
# the temporary files a run writes before moving them into place: ``.<name>.<pid>[.<thread>].tmp[.ext]``
# (reports and their HTML, plotly.js, the index page, the run state)
_TEMPORARY = re.compile(r"\..+\.\d+(\.\d+)?\.tmp(\.(ipynb|html))?")


@dataclass
class RunResult:
    """What a batch run did.

    Attributes
    ----------
    executed, skipped
        Territory ids (``"*"`` stands for a notebook over all territories, the synthesis).
    failed
        One dict per failure: ``territory``, ``notebook``, ``cell`` (0-based index in the
        executed notebook, None when unknown), ``source`` (first line of that cell),
        ``ename``, ``evalue``, ``failed_notebook`` (kept apart for debugging).
    reports_dir
        Folder of the reports and of ``index.html``.
    """

    executed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    reports_dir: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``--json`` output of ``coopwork run``)."""
        return asdict(self)


def find_notebook(name: str | Path, workspace: str | Path, *, lang: str = "fr") -> Path:
    """Resolve a notebook: a path, else ``<workspace>/notebooks/NAME``, else coopwork's own.

    Raises
    ------
    RunError
        When no such notebook exists.
    """
    package = Path(__file__).resolve().parents[1]
    candidates = [Path(name), Path(workspace) / "notebooks" / Path(name).name,
                  package.parent / "notebooks" / Path(name).name,  # a source checkout
                  package / "_notebooks" / Path(name).name]  # an installed wheel
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    raise RunError("batch.no_notebook", file=name, hint="batch.no_notebook_hint", lang=lang)


def _read_notebook(path: Path, lang: str) -> dict:
    """A notebook file as JSON (a clear RunError when it is not one, never its bytes).

    Only the shape papermill relies on is checked here (a JSON object whose ``cells`` is a list
    of objects with a ``cell_type``): importing nbformat to validate would cost seconds to every
    run that has nothing to do.
    """
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise RunError("batch.no_notebook", file=path, hint="batch.no_notebook_hint", lang=lang) from err
    except ValueError:  # not UTF-8 or not JSON: a text file, a binary file, /etc/passwd ...
        nb = None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list) or not all(isinstance(c, dict) and "cell_type" in c for c in cells):
        raise RunError("batch.not_notebook", file=path, hint="batch.no_notebook_hint", lang=lang)
    return nb


def _check_parameters_cell(nb: Any, path: Path, lang: str = "fr") -> None:
    if not any("parameters" in cell.get("metadata", {}).get("tags", []) for cell in nb.get("cells", [])):
        raise RunError("batch.no_parameters", file=path, hint="batch.no_parameters_hint", lang=lang)


def plan_tasks(ws: Any, notebooks: list[Path], *, territories: list[str] | None = None,
               wave: str | None = None, lang: str = "fr", min_count: int = DEFAULT_MIN_COUNT,
               timeout: float | None = 600) -> list[Task]:
    """Every task of a run (fresh or not) for an opened workspace.

    Planning reads the workspace's fingerprint (read back without pandas when the inputs did not
    change), the notebooks as JSON and the results' key files: a run with nothing to do imports
    neither pandas nor papermill and starts no kernel.
    """
    fp = fingerprint(ws)
    existing = fp.territories
    if not fp.waves_of.get(ALL):  # no data (a form without a territory question has data but no
        # territory: its one report is the synthesis)
        raise RunError("batch.no_territory", file=ws.processed_dir,
                       hint="batch.no_territory_hint", lang=lang)
    for territory in territories or []:
        if territory not in existing:
            raise RunError("batch.unknown_territory", territory=territory, file=ws.processed_dir,
                           hint="batch.unknown_territory_hint", territories=", ".join(existing), lang=lang)
    waves = fp.waves_of.get(ALL, [])
    if wave is not None and wave not in waves:
        raise WorkspaceError("workspace.err_no_wave", wave=wave, file=ws.processed_dir,
                             hint="workspace.hint_choose", choices=", ".join(waves))
    selected = list(dict.fromkeys(territories)) if territories else existing

    # plain JSON: planning must not pay nbformat's import (seconds) when nothing is to run
    read = [(path, _read_notebook(path, lang)) for path in notebooks]
    for path, nb in read:
        _check_parameters_cell(nb, path, lang)
    wants_all = any(nb.get("metadata", {}).get("coopwork", {}).get("scope") == "all" for _, nb in read)
    # the results every report formats: computed here once (only the stale ones), shared with
    # the dashboards and the exports; a report reruns exactly when its results' digest changes
    entries = ensure(ws, territories=selected, waves=None if wave is None else [wave], langs=(lang,),
                     min_count=int(min_count), synthesis=wants_all, jobs=os.cpu_count() or 1,
                     fingerprint=fp)
    results = {entry.territory or ALL_TERRITORIES: entry for entry in entries}
    manifest = manifest_hash(ws.root) or None
    reports = ws.reports_dir
    tasks = []
    for path, nb in read:
        nb_hash = notebook_hash(nb)
        scope_all = nb.get("metadata", {}).get("coopwork", {}).get("scope") == "all"
        for territory in [ALL_TERRITORIES] if scope_all else selected:
            entry = results.get(territory)
            if entry is None:  # no response in the wave asked for
                continue
            parameters = {"territory": None if scope_all else territory, "wave": entry.wave,
                          "lang": lang, "min_count": int(min_count)}
            inputs = {"results": entry.digest, "notebook": nb_hash, "parameters": parameters,
                      "coopwork": __version__}
            folder = reports_dir(reports, None if scope_all else territory)
            label = t("batch.all_territories", lang) if scope_all else ws.territory_label(territory, lang)
            run_info = {"notebook_hash": nb_hash, "manifest_hash": manifest, "data_hash": entry.digest,
                        "results": str(entry.path)}
            tasks.append(Task(
                territory=territory, notebook=str(path),
                parameters={**parameters, "workspace": str(ws.root), "run_info": run_info},
                inputs=inputs, key=task_key(inputs), output=str(folder / f"{path.stem}.ipynb"),
                failed_dir=str(reports / "_failed" / name_for(territory)), cwd=str(ws.root),
                timeout=timeout, label=label,
                extra={"manifest_hash": manifest,
                       "plotly_js": PLOTLY_JS if scope_all else f"../{PLOTLY_JS}"}))
    return tasks


def remove_stale_temporaries(*folders: Path) -> list[Path]:
    """Remove the temporary files an interrupted run left (``kill -9``, power cut); return them.

    Only coopwork's own names (``.<name>.<pid>[.<thread>].tmp[.ipynb|.html]``) are touched, and only by a run
    that holds the run lock: no other run of the workspace can be writing them.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in (".territory_report.html.4242.140.tmp.html", "notes.tmp", "report.html"):
    ...     _ = (folder / name).write_text("x")
    >>> [p.name for p in remove_stale_temporaries(folder)], sorted(p.name for p in folder.iterdir())
    (['.territory_report.html.4242.140.tmp.html'], ['notes.tmp', 'report.html'])
    """
    removed = []
    for folder in folders:
        if not Path(folder).is_dir():
            continue
        for path in sorted(Path(folder).rglob(".*.tmp*")):
            if _TEMPORARY.fullmatch(path.name) and path.is_file():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


@contextlib.contextmanager
def _lock(state_dir: Path, lang: str = "fr") -> Iterator[None]:
    state_dir.mkdir(parents=True, exist_ok=True)
    handle = open(state_dir / ".lock", "w")  # noqa: SIM115 - held for the whole run
    try:
        try:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            raise RunError("batch.busy", file=state_dir, hint="batch.busy_hint", lang=lang) from err
        yield
    finally:
        handle.close()


def _run_local(tasks: list[Task], jobs: int) -> Iterator[dict[str, Any]]:
    """Run ``tasks`` in ``jobs`` worker threads, each with its own warm kernel; yield outcomes as they end.

    Each worker keeps one :class:`~coopwork.batch.engine.KernelSlot` for all its reports and stops
    its kernel when the queue is empty.
    """
    server = warm_server()  # warms up while this process imports papermill (the engine's)
    from .engine import KernelSlot  # lazy: papermill (~2.5 s); a run with nothing to do imports none
    from .task import run_task  # lazy: the engine, hence papermill

    if server is not None:
        server.wait_ready()
        for root in sorted({task.cwd for task in tasks}):
            server.call_inline("coopwork.batch.notebook:preload", root)
    todo: queue.SimpleQueue[Task] = queue.SimpleQueue()
    for task in tasks:
        todo.put(task)
    done: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()

    def work() -> None:
        slot = KernelSlot(server) if server is not None else None
        try:
            while True:
                try:
                    task = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    done.put(run_task(task, slot=slot))
                except Exception as err:  # an engine failure fails that task, never the run
                    done.put({"territory": task.territory, "ok": False, "seconds": 0.0, "output": task.output,
                              "finished_at": None,
                              "error": {"cell": None, "source": "", "ename": type(err).__name__,
                                        "evalue": str(err)[:500]}})
        finally:
            if slot is not None:
                slot.close()

    workers = [threading.Thread(target=work, name=f"coopwork-run-{i}", daemon=True)
               for i in range(min(jobs, len(tasks)))]
    for worker in workers:
        worker.start()
    for _ in tasks:
        yield done.get()
    for worker in workers:
        worker.join()


def _write_audit(task: Task) -> None:
    """Write the disclosure audit of a report's folder (``audit.json``): the protected tables of the
    result its reports format, how each was protected, and the reports it covers."""
    from ..results.audit import AUDIT_FILE, publication  # lazy: pandas (0.6 s), not when nothing runs

    results = load(task.parameters["run_info"]["results"])
    if results is None:  # pragma: no cover - the result was written before the task was planned
        return
    folder = Path(task.output).parent
    files = [p.name for p in folder.iterdir() if p.suffix in {".html", ".ipynb"} and p.name != "index.html"]
    write_json(folder / AUDIT_FILE, publication(results, files=files))


def run_batch(workspace: str | Path = ".", *, territories: list[str] | None = None, wave: str | None = None,
              notebook: str | Path | None = None, jobs: int | None = None, scheduler: str | None = None,
              timeout: float | None = 600, force: bool = False, lang: str = "fr",
              min_count: int = DEFAULT_MIN_COUNT, show_progress: bool = True) -> RunResult:
    """Execute the report notebooks for each territory; incremental, parallel, fault-tolerant.

    Parameters
    ----------
    workspace
        The workspace folder.
    territories
        Territories to run (default: every territory in the data).
    wave
        Wave to report on (default: each territory's latest wave).
    notebook
        One notebook to run per territory (default: ``territory_report.ipynb`` per territory
        plus ``synthesis.ipynb``, from ``<workspace>/notebooks/`` or coopwork's own).
    jobs
        Parallel executions (default: number of cores).
    scheduler
        Address of a Dask scheduler (``tcp://host:port``) to run on a cluster instead.
    timeout
        Time limit per notebook execution in seconds (None: none).
    force
        Rerun even the territories whose inputs did not change.

    Returns
    -------
    RunResult
        Executed, skipped and failed territories and the reports folder. Failures of single
        territories are reported there, not raised.

    Raises
    ------
    RunError
        When the run cannot start (no data, unknown territory, missing notebook, busy).
    """
    started = time.monotonic()
    if jobs is not None and jobs < 1:
        raise RunError("batch.bad_jobs", value=jobs, hint="batch.bad_jobs_hint", lang=lang)
    ws = open_workspace(workspace, min_count=min_count)
    if notebook is None:
        paths = [find_notebook(DEFAULT_NOTEBOOKS[0], ws.root, lang=lang)]
        with contextlib.suppress(RunError):
            paths.append(find_notebook(DEFAULT_NOTEBOOKS[1], ws.root, lang=lang))
    else:
        paths = [find_notebook(notebook, ws.root, lang=lang)]
    result = RunResult(reports_dir=str(ws.reports_dir))
    runs_dir = ws.state_dir / "runs"
    if force and not scheduler:  # reports will run: the warm server imports while the results are made
        warm_server()
    with _lock(runs_dir, lang):
        remove_stale_temporaries(ws.reports_dir, runs_dir)  # left by a run that was killed
        tasks = plan_tasks(ws, paths, territories=territories, wave=wave, lang=lang, min_count=min_count,
                           timeout=timeout)
        states = {path.stem: RunState(runs_dir / f"{path.stem}.json") for path in paths}
        todo = []
        for task in tasks:
            if not force and states[task.stem].is_fresh(task):
                result.skipped.append(task.territory)
            else:
                todo.append(task)
        if todo:
            ensure_plotly_js(ws.reports_dir)
            if scheduler:
                outcomes = run_on_cluster(todo, scheduler, lang=lang)
            else:
                outcomes = _run_local(todo, jobs or os.cpu_count() or 1)
            by_key = {(task.territory, task.output): task for task in todo}
            bar = progress(outcomes, total=len(todo), desc=t("batch.progress", lang), unit="nb") \
                if show_progress else outcomes
            for outcome in bar:
                task = by_key[(outcome["territory"], outcome["output"])]
                state = states[task.stem]
                state.record(task, ok=outcome["ok"], finished_at=outcome.get("finished_at") or "",
                             seconds=outcome.get("seconds") or 0.0, error=outcome.get("error"))
                state.save()
                if outcome["ok"]:
                    result.executed.append(task.territory)
                    _write_audit(task)
                else:
                    error = outcome.get("error") or {}
                    result.failed.append({"territory": task.territory, "notebook": task.stem,
                                          "cell": error.get("cell"), "source": error.get("source", ""),
                                          "ename": error.get("ename"), "evalue": error.get("evalue"),
                                          "failed_notebook": outcome.get("failed_notebook")})
        if todo or not (ws.reports_dir / "index.html").is_file():  # nothing ran: the index is the same
            all_states = {}
            for path in sorted(runs_dir.glob("*.json")):
                all_states[path.stem] = RunState(path).entries
            write_index(ws.reports_dir, all_states, lang=lang)
    result.executed.sort()
    result.skipped.sort()
    result.failed.sort(key=lambda f: (f["territory"], f["notebook"]))
    result.seconds = round(time.monotonic() - started, 3)
    return result
