"""Shared fixtures (the sample survey, a demo workspace built once per session) and the leak check.

No process left behind: at the end of the session, :func:`pytest_sessionfinish` fails the suite
when a test left a server, kernel, browser or database running — a child of the pytest process,
or any process that inherited this session's marker (:data:`SESSION_MARKER`, an environment
variable: it follows daemons such as ``pg_ctl``'s server and ``setsid`` children), or whose working
folder or command line points into the session's temporary folder. They are listed, then killed.
"""

from __future__ import annotations

import contextlib
import os
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
    if SESSION_MARKER not in os.environ:  # a pytest run by a test keeps its parent's marker
        os.environ[SESSION_MARKER] = f"{os.getpid()}-{uuid.uuid4().hex}"


@pytest.fixture(scope="session", autouse=True)
def _session_temp(request, tmp_path_factory):
    """Remember the session's temporary folder for the leak check; stop the shared warm server at the end.

    ``coopwork run`` keeps one warm fork server per process (stopped at exit); the tests that
    run batches share it, and it is stopped here, before the leak check, like any server.
    """
    request.config.stash[_BASETEMP] = tmp_path_factory.getbasetemp().resolve()
    yield
    runner = sys.modules.get("coopwork.batch.runner")
    if runner is not None:
        runner.stop_warm_server()


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


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus) -> None:
    """Fail the suite when a test left a process running; list and kill what was left."""
    import psutil

    if os.environ.get(SESSION_MARKER, "").split("-")[0] != str(os.getpid()):
        return  # a pytest started by a test: its parent session does the check
    candidates = _leftover_processes(session.config.stash.get(_BASETEMP, None))
    _gone, alive = psutil.wait_procs(candidates, timeout=15)  # those shutting down get time to finish
    if not alive:
        return
    lines = []
    for process in alive:
        try:
            lines.append(f"  pid {process.pid}: {' '.join(process.cmdline())[:300]}")
        except psutil.Error:
            lines.append(f"  pid {process.pid}")
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    message = ("processes left running by the tests (a test must stop what it starts); "
               "they are now killed:\n" + "\n".join(lines))
    if reporter is not None:
        reporter.write_line("")
        reporter.write_sep("=", "leaked processes", red=True, bold=True)
        reporter.write_line(message)
    for process in alive:
        with contextlib.suppress(psutil.Error):
            process.kill()
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


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory) -> Path:
    """A workspace with the seeded sample data of 6 territories × 2 waves, ingested (not run).

    Built once per test session; tests must not modify it (copy it when they need to).
    """
    from coopwork.demo.cli import run_demo

    root = tmp_path_factory.mktemp("demo_workspace")
    run_demo(root, territories=6, run=False)
    return root



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
