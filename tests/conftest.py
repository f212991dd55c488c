"""Shared fixtures, and the check that no test leaves a process running.

Shared fixtures (build what is expensive once; never modify what a fixture shares — copy it):

=========================  ======================================================================
``sample_survey_path``     the bundled sample XLSForm (session)
``sample_survey``          it, loaded as a :class:`~coopwork.survey.Survey` (session)
``realworld``              ``../shared/realworld`` (real public exports); skips when absent
``demo_workspace``         the seeded demo, 6 territories × 2 waves, ingested, not run (run)
``demo_prepared``          the same with every result computed (both waves, fr and en) (run)
``demo_every_language``    the same with the latest wave's results in every language too (run)
``built_once``             ``built_once(name, build)``: a folder built once per run, for every worker
``chromium``               a real headless Chromium (playwright) for one module's pages (module)
``disclosure_kept``        ``disclosure_kept(workspace)``: ``coopwork check`` of every published file
``serving``                ``with serving(plan, log):`` a real Voilà on 127.0.0.1, stopped after
``chart_payloads``         ``chart_payloads(widget)``: the charts' JSON a dashboard page receives
=========================  ======================================================================

"(run)": built once per test run by ``built_once`` (a fixture too, for the areas' own): under
pytest-xdist the first worker that asks builds it, the others wait for it and share it.

Areas add their own in their ``conftest.py`` (``tests/export``: ``exported``, a whole export of a
generated workspace; ``tests/dashboard``: ``precomputed_workspace``, ``postgres_server``;
``tests/figures``: ``browser``, one kaleido Chromium for every rendering). Batch runs share one warm fork
server per worker process (:func:`coopwork.batch.warm.warm_server`), stopped at the end.

Parallel runs: ``make test`` runs the suite on pytest-xdist workers (``-n``, ``--dist loadscope``:
a module's tests, and so its module fixtures — a server, a browser — stay on one worker; session
fixtures are built once per worker, those marked "(run)" once in all). The modules marked ``slow``
are handed out first (:func:`pytest_collection_modifyitems`), so that no long module starts last
and keeps one worker busy while the other waits. A test needs nothing special to run there: use
``tmp_path``/``tmp_path_factory`` for files and :func:`coopwork.dashboard.serve.free_port` for ports.

No process left behind: at the end of the session (of each worker), :func:`pytest_sessionfinish`
fails the suite when a test left a server, kernel, browser or database running — a child of the
pytest process, or any process that inherited this session's marker (:data:`SESSION_MARKER`, an
environment variable naming the session — each xdist worker sets its own —, which follows daemons
such as ``pg_ctl``'s server and ``setsid`` children), or whose working folder or command line points
into the session's temporary folder. They are listed, then killed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REALWORLD = ROOT.parent / "shared" / "realworld"
#: environment variable naming this test session; every process the tests start inherits it
SESSION_MARKER = "COOPWORK_TEST_SESSION"
# Python's own helpers, which end with the interpreter that started them
_INTERPRETER_HELPERS = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")
_BASETEMP = pytest.StashKey[Path]()


def pytest_configure(config) -> None:
    # a pytest run by a test keeps its parent's marker; an xdist worker names its own session
    if SESSION_MARKER not in os.environ or hasattr(config, "workerinput"):
        os.environ[SESSION_MARKER] = f"{os.getpid()}-{uuid.uuid4().hex}"
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_WorkerLeaks(), "coopwork-worker-leaks")


#: the shared builds (``built_once``) a module may wait for, the one built last first
_SHARED_BUILDS = ("demo_every_language", "demo_prepared", "demo_workspace", "precomputed_workspace")


def pytest_collection_modifyitems(config, items) -> None:
    """Hand out the modules marked ``slow`` first, the others after them; each module's tests keep
    their order.

    pytest-xdist's ``loadscope`` gives each worker a whole module at a time, in the order collected
    (``make test`` turns off its reordering by number of tests). A long module handed out last
    keeps one worker busy at the end while the other has nothing left to do. The slow modules take
    turns by the shared build they need (:data:`_SHARED_BUILDS`), so that the two workers start by
    building different things rather than one waiting for the other's build.
    """
    import itertools

    modules: dict[Path, list] = {}
    for item in items:
        modules.setdefault(item.path, []).append(item)
    by_build: dict[str | None, list[Path]] = {}
    rest = []
    for path, its in modules.items():
        if not any(item.get_closest_marker("slow") for item in its):
            rest.append(path)
            continue
        needs = set().union(*(item.fixturenames for item in its))
        by_build.setdefault(next((name for name in _SHARED_BUILDS if name in needs), None), []).append(path)
    slow = [path for turn in itertools.zip_longest(*by_build.values()) for path in turn if path is not None]
    items[:] = [item for path in slow + rest for item in modules[path]]


@pytest.fixture(scope="session", autouse=True)
def _session_temp(request, tmp_path_factory):
    """Remember the session's temporary folder for the leak check; stop the shared warm server at the end.

    ``coopwork run`` keeps one warm fork server per process (stopped at exit); the tests that
    run batches share it, and it is stopped here, before the leak check, like any server.
    """
    request.config.stash[_BASETEMP] = tmp_path_factory.getbasetemp().resolve()
    yield
    warm = sys.modules.get("coopwork.batch.warm")
    if warm is not None:
        warm.stop_warm_server()


@pytest.fixture(autouse=True)
def _dashboards_stop_reading(monkeypatch):
    """A :class:`~coopwork.dashboard.page.Dashboard` made in a test stops polling its journal when the
    test ends. Its thread would poll for the rest of the session, and a process forked later (the
    journal's 30 writers) could inherit a lock that thread held in SQLite at that moment: a deadlock."""
    from coopwork.dashboard.page import Dashboard

    made = []
    init = Dashboard.__init__

    def remembered(self, *args, **kwargs) -> None:
        made.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(Dashboard, "__init__", remembered)
    yield
    for board in made:
        with contextlib.suppress(AttributeError):  # one whose making failed has no thread
            board.close()


def _leftover_processes(basetemp: Path | None) -> list:
    """Processes started by this session that still run (zombies and Python's own helpers aside)."""
    import psutil

    me = psutil.Process()
    mine = {me.pid, *(p.pid for p in me.parents())}
    marker = os.environ.get(SESSION_MARKER)
    found = {p.pid: p for p in me.children(recursive=True)}
    for process in psutil.process_iter():
        if process.pid in mine or process.pid in found:
            continue
        try:
            if marker and process.environ().get(SESSION_MARKER) == marker:
                found[process.pid] = process
                continue
            if basetemp is not None:
                places = [process.cwd(), *process.cmdline()]
                if any(str(basetemp) in place for place in places):
                    found[process.pid] = process
        except (psutil.Error, OSError):
            continue
    running = []
    for process in found.values():
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                continue
            if any(helper in " ".join(process.cmdline()) for helper in _INTERPRETER_HELPERS):
                continue
        except psutil.Error:
            continue
        running.append(process)
    return running


class _WorkerLeaks:
    """Under pytest-xdist: what each worker's check found reaches the main process (a worker's exit
    status does not), which fails the suite with it."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def pytest_testnodedown(self, node, error) -> None:
        self.lines += getattr(node, "workeroutput", {}).get(_LEAKED, [])


_LEAKED = "coopwork_leaked_processes"


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus) -> None:
    """Fail the suite when a test left a process running; list and kill what was left."""
    import psutil

    if os.environ.get(SESSION_MARKER, "").split("-")[0] != str(os.getpid()):
        return  # a pytest started by a test: its parent session does the check
    candidates = _leftover_processes(session.config.stash.get(_BASETEMP, None))
    _gone, alive = psutil.wait_procs(candidates, timeout=15)  # those shutting down get time to finish
    lines = []
    for process in alive:
        try:
            lines.append(f"  pid {process.pid}: {' '.join(process.cmdline())[:300]}")
        except psutil.Error:
            lines.append(f"  pid {process.pid}")
        with contextlib.suppress(psutil.Error):
            process.kill()
    if hasattr(session.config, "workerinput"):  # an xdist worker: the main process reports
        session.config.workeroutput[_LEAKED] = lines
        return
    workers = session.config.pluginmanager.get_plugin("coopwork-worker-leaks")
    lines += workers.lines if workers is not None else []
    if not lines:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    message = ("processes left running by the tests (a test must stop what it starts); "
               "they are now killed:\n" + "\n".join(lines))
    if reporter is not None:
        reporter.write_line("")
        reporter.write_sep("=", "leaked processes", red=True, bold=True)
        reporter.write_line(message)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def sample_survey_path() -> Path:
    """Path of the bundled sample XLSForm."""
    from coopwork.demo import sample_survey_path

    return sample_survey_path()


@pytest.fixture(scope="session")
def sample_survey(sample_survey_path):
    """The bundled sample survey as a Survey object."""
    from coopwork.survey import load_survey

    return load_survey(sample_survey_path)


@pytest.fixture(scope="session")
def realworld() -> Path:
    """The folder of real public exports (../shared/realworld); tests skip when it is absent."""
    if not REALWORLD.is_dir():
        pytest.skip(f"real-world files not present at {REALWORLD} (they are never copied into the repo)")
    return REALWORLD


def _built_once(tmp_path_factory, name: str, build) -> Path:
    """The folder ``name``, written by ``build(folder)`` once per test run, then shared.

    Under pytest-xdist the first worker that asks builds it while the others wait (a lock file
    in the run's temporary folder, which the workers share); the others then read the same
    folder. In one process it is built once per session. A folder that failed half-way is
    removed and the error raised; the next worker that asks builds it again.
    """
    import fcntl

    base = tmp_path_factory.getbasetemp()
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # also set in a pytest that a worker's test starts
    if worker and base.name.endswith(worker):
        base = base.parent  # the run's folder, above each worker's own ("popen-gw0")
    folder, built = base / name, base / f"{name}.built"
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not built.exists():
            shutil.rmtree(folder, ignore_errors=True)
            try:
                build(folder)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            built.touch()
    return folder


@pytest.fixture(scope="session")
def built_once(tmp_path_factory):
    """``built_once(name, build)``: the folder ``name``, written by ``build(folder)`` once per test run
    and shared by every xdist worker (:func:`_built_once`). For what is expensive to build and
    only read afterwards; a worker that writes into it copies it first."""
    return lambda name, build: _built_once(tmp_path_factory, name, build)


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory) -> Path:
    """A workspace with the seeded sample data of 6 territories × 2 waves, ingested (not run).

    Built once per test run (shared by the xdist workers); tests must not modify it (copy it).
    """
    from coopwork.demo.cli import run_demo

    def build(root: Path) -> None:
        root.mkdir()
        run_demo(root, territories=6, run=False)

    return _built_once(tmp_path_factory, "demo_workspace", build)


@pytest.fixture(scope="session")
def demo_prepared(demo_workspace, tmp_path_factory) -> Path:
    """The demo workspace with every result prepared: every wave, French and English, and the
    syntheses (what ``coopwork demo`` prepares for the dashboards). Built once per test run.

    Tests that run reports, dashboards or exports of the demo copy it
    (``shutil.copytree(demo_prepared, tmp_path / "ws")``): a result's key hashes content, not
    paths, so the copy's results are current and only what the test is about is computed.
    """
    from coopwork.results.store import prepare_all
    from coopwork.workspace import open_workspace

    def build(root: Path) -> None:
        shutil.copytree(demo_workspace, root, ignore=shutil.ignore_patterns("results", "cache"))
        prepare_all(open_workspace(root))

    return _built_once(tmp_path_factory, "demo_prepared", build)


@pytest.fixture(scope="session")
def demo_every_language(demo_prepared, tmp_path_factory) -> Path:
    """The prepared demo with the results of every territory's latest wave, and the syntheses, in every
    language of the catalogue (French and English come prepared). Built once per test run, for the
    tests that read what each language says; tests must not modify it (copy it)."""
    from coopwork.i18n import LANGS
    from coopwork.results.store import ensure
    from coopwork.workspace import open_workspace

    def build(root: Path) -> None:
        shutil.copytree(demo_prepared, root)
        ensure(open_workspace(root), territories=None, waves=None, langs=LANGS, min_count=3, jobs=1)

    return _built_once(tmp_path_factory, "demo_every_language", build)


def _assert_disclosure_kept(workspace: Path, *, territories: list[str] | None = None) -> None:
    from coopwork.export.check import check_published, describe

    result = check_published(workspace, territories=territories)
    assert result.files, "nothing published to check"
    assert result.ok, "\n".join(describe(b, "en") for b in result.breaches)


@pytest.fixture(scope="session")
def disclosure_kept():
    """The shared check of every output's tests: ``disclosure_kept(workspace)`` runs ``coopwork
    check`` on the published files of the workspace (results, reports, exports) and fails, naming
    file, table and cell, when one breaks the disclosure rules."""
    return _assert_disclosure_kept


@contextlib.contextmanager
def _serving(plan, log: Path):
    from coopwork.dashboard.serve import start, stop, wait_until_listening

    process = start(plan, log=log)
    try:
        wait_until_listening(plan.host, plan.port, process=process, timeout=120)
        yield plan
    finally:
        stop(process)


@pytest.fixture(scope="session")
def serving():
    """Run a real Voilà for a prepared plan on 127.0.0.1: ``with serving(plan, log): ...`` (stopped after)."""
    return _serving


#: Debian's Chromium (``make browser`` installs it)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: how the tests start it: headless, no first-run or background traffic; pages opened from files
#: (reports, exports, the figure gallery) may load the scripts next to them
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--allow-file-access-from-files"]


@pytest.fixture(scope="module")
def chromium():
    """A real headless Chromium (Debian's, driven by playwright) for the tests of one module; each
    test opens its own pages (``chromium.new_page(...)``) and closes them. Skips when Chromium or
    playwright is missing.

    Module-scoped, not session-scoped: while playwright's synchronous API is open it marks an
    event loop as running in this thread, and the tests of other modules that run their own
    (``asyncio.run``: kernels, papermill) would fail.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make browser)")
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _chart_payloads(widget) -> list[dict]:
    """What a page's script draws from a widget tree: every chart's JSON (``app.chart_html``), in order."""
    import json
    import re

    found = []
    value = getattr(widget, "value", None)
    if isinstance(value, str):
        pattern = r'<script type="application/json" class="cw-figure">(.*?)</script>'
        found.extend(json.loads(text) for text in re.findall(pattern, value, re.S))
    for child in getattr(widget, "children", ()):
        found.extend(_chart_payloads(child))
    return found


@pytest.fixture(scope="session")
def chart_payloads():
    """``chart_payloads(widget)``: the charts' JSON a dashboard page receives, read from its widgets."""
    return _chart_payloads


@pytest.fixture(scope="session")
def layout_problems():
    """``layout_problems(page)``: what a person would see wrong on a browser page of charts — text cut by
    a chart's edge, texts over one another, a whisker across a text, a page wider than the screen —
    measured on the drawn text boxes (``tests/layout_check.js``); an empty list when the page reads well."""
    script = (Path(__file__).parent / "layout_check.js").read_text(encoding="utf-8")

    def problems(page, *, gap: int = 1, smallest: int = 10) -> list[str]:
        return page.evaluate(script, {"gap": gap, "smallest": smallest})

    return problems
