"""`coopwork serve`: configuration, notebooks, and a real Voilà server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import time
import urllib.error
import urllib.request

import nbformat
import pytest

from coopwork.dashboard.serve import (
    SYNTHESIS,
    dashboard_urls,
    free_port,
    prepare,
    start,
    stop,
    voila_config,
)
from coopwork.errors import DashboardError, WorkspaceError


def _own_copy(workspace, tmp_path):
    """A copy of the workspace: `coopwork serve` rewrites its dashboards folder, which the module's
    server (fixture ``server``) is still serving."""
    import shutil

    copy = tmp_path / "workspace"
    shutil.copytree(workspace, copy, ignore=shutil.ignore_patterns("dashboards"))
    return copy


def _coopwork_serve(workspace, port: int):
    """``coopwork serve`` of ``workspace`` on ``port``, as a person starts it (its URLs on stdout)."""
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "coopwork.cli", "serve", "--workspace", str(workspace), "--port", str(port),
         "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def _blocks_sigint(status) -> bool:
    """Whether the thread whose ``/proc/…/status`` this is blocks SIGINT."""
    import signal

    mask = next(line.split()[1] for line in status.read_text().splitlines() if line.startswith("SigBlk"))
    return bool(int(mask, 16) & (1 << (signal.SIGINT - 1)))


def _stops(process, timeout: float = 60) -> None:
    """Ctrl+C (already sent) stops ``coopwork serve`` within ``timeout`` and exits 0; else it is
    killed and the test fails (a facilitator would be left waiting)."""
    import subprocess

    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"coopwork serve still ran {timeout:g} s after Ctrl+C") from None
    assert code == 0, f"coopwork serve ended with {code} after Ctrl+C"


def _read_lines(process, n: int, timeout: float = 300) -> list[str]:
    """The first ``n`` lines the server prints, failing (not hanging) when they do not come.

    A thread reads them: ``select`` on the pipe would miss lines already in the file's buffer.
    """
    import queue
    import threading

    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(process.stdout.readline()) for _ in range(n)],
                     daemon=True).start()
    got: list[str] = []
    for _ in range(n):
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"the server printed {got} in {timeout} s") from None
        assert line, f"the server stopped (exit {process.poll()}) after printing {got}"
        got.append(line.strip())
    return got


def test_prepare_writes_one_notebook_per_territory_and_the_synthesis(precomputed_workspace):
    plan = prepare(precomputed_workspace, port=18899, lang="en", min_count=3)
    assert list(plan.notebooks) == [SYNTHESIS, "t01", "t02", "t03"]
    assert plan.token == ""  # loopback: no token needed
    notebook = nbformat.read(plan.folder / "t02.ipynb", as_version=4)
    tags = [c.metadata.get("tags", []) for c in notebook.cells]
    position = tags.index(["injected-parameters"])
    assert tags[position - 1] == ["parameters"]
    namespace: dict = {}
    exec(notebook.cells[position].source, namespace)
    assert namespace["territory"] == "t02" and namespace["lang"] == "en" and namespace["min_count"] == 3
    assert namespace["workspace"] == str(precomputed_workspace.resolve())
    assert all(c.get("outputs", []) == [] for c in notebook.cells)
    assert plan.urls["t02"] == "http://127.0.0.1:18899/voila/render/t02.ipynb"
    assert (precomputed_workspace / "data" / "journal.sqlite").is_file()


def test_workshop_mode_preheats_twice_the_expected_participants(precomputed_workspace):
    plan = prepare(precomputed_workspace, host="0.0.0.0", port=18898, territory="t01", expect=30)
    assert len(plan.token) >= 20  # generated: the room's network is not trusted
    assert list(plan.notebooks) == [SYNTHESIS, "t01"]
    config = json.loads((plan.folder / "voila.json").read_text())
    assert config["VoilaConfiguration"]["preheat_kernel"] is True
    pools = config["VoilaKernelManager"]["kernel_pools_config"]
    assert pools["t01.ipynb"]["pool_size"] == 60 and pools["default"]["pool_size"] == 0
    assert config["PoolAwareKernelManager"]["max_kernels"] == 75
    assert config["Voila"]["ip"] == "0.0.0.0" and config["Voila"]["token"] == plan.token
    assert all(plan.token in url for url in plan.urls.values())
    assert "0.0.0.0" not in plan.urls["t01"]  # people get the machine's address


def test_security_settings_are_always_on(precomputed_workspace):
    plan = prepare(precomputed_workspace, port=18897, token="secret")
    config = voila_config(plan)
    assert config["VoilaConfiguration"]["show_tracebacks"] is False
    assert config["VoilaConfiguration"]["strip_sources"] is True
    assert config["VoilaConfiguration"]["allow_template_override"] == "NO"
    assert config["VoilaConfiguration"]["allow_theme_override"] == "NO"
    assert config["MappingKernelManager"]["cull_idle_timeout"] > 0
    assert config["VoilaConfiguration"]["multi_kernel_manager_class"].endswith("PoolAwareKernelManager")


def test_only_this_machine_s_names_are_served_on_loopback(precomputed_workspace):
    loopback = voila_config(prepare(precomputed_workspace, port=18897))
    settings = loopback["Voila"]["tornado_settings"]
    assert settings == {"allow_remote_access": False, "local_hostnames": ["localhost"]}
    # a closed page's kernel goes within two minutes; an open page (connected) keeps its kernel
    culling = loopback["MappingKernelManager"]
    assert culling["cull_idle_timeout"] + culling["cull_interval"] <= 120
    assert culling["cull_connected"] is False
    room = voila_config(prepare(precomputed_workspace, host="0.0.0.0", port=18897))
    assert room["Voila"]["tornado_settings"]["allow_remote_access"] is True  # phones use the LAN address
    assert len(room["Voila"]["token"]) >= 20  # … and the token keeps everyone else out


def test_a_restarted_room_keeps_its_token_so_its_links_stay_valid(precomputed_workspace, tmp_path):
    workspace = _own_copy(precomputed_workspace, tmp_path)
    first = prepare(workspace, host="0.0.0.0", port=18897, territory="t01", expect=2)
    again = prepare(workspace, host="0.0.0.0", port=18897, territory="t01", expect=2)
    assert len(first.token) >= 20 and again.token == first.token  # the QR code on the wall still works
    assert prepare(workspace, host="0.0.0.0", port=18897, token="another-token").token == "another-token"
    assert prepare(workspace, port=18897).token == ""  # loopback: none


def test_the_server_is_told_to_trust_and_to_keep_a_page_s_kernel_until_it_connects(precomputed_workspace):
    plan = prepare(precomputed_workspace, port=18897, territory="t01", expect=2)
    config = voila_config(plan, pool={"t01": 4})
    assert config["PoolAwareKernelManager"]["connect_timeout"] >= 600
    trust = config["NotebookNotary"]["data_dir"]
    assert trust.endswith("trust") and (plan.folder.parent / "trust").is_dir()
    assert (plan.folder.parent / "trust").stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("token", ["", "   ", "short"])
def test_an_empty_token_is_refused_off_loopback(precomputed_workspace, token):
    with pytest.raises(DashboardError, match="Un jeton vide est refusé") as info:
        prepare(precomputed_workspace, host="0.0.0.0", port=18897, token=token)
    assert "--host 0.0.0.0" in info.value.message and "8" in (info.value.hint or "")
    assert prepare(precomputed_workspace, port=18897, token="").token == ""  # loopback: fine


def test_serve_with_an_empty_token_off_loopback_exits_2(precomputed_workspace, capsys):
    from coopwork.cli import main

    assert main(["serve", "--workspace", str(precomputed_workspace), "--host", "0.0.0.0", "--token", "",
                 "--lang", "en", "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert "An empty token is refused when the server listens beyond this machine" in err
    assert "Traceback" not in err


def test_the_configuration_and_the_log_are_readable_by_their_owner_only(precomputed_workspace, tmp_path):
    plan = prepare(precomputed_workspace, host="0.0.0.0", port=18897)
    assert (plan.folder / "voila.json").stat().st_mode & 0o777 == 0o600  # it holds the token
    (plan.folder / "voila.json").chmod(0o644)  # written by an older coopwork: tightened
    prepare(precomputed_workspace, port=18897)
    assert (plan.folder / "voila.json").stat().st_mode & 0o777 == 0o600
    log = tmp_path / "voila.log"
    stop(start(plan, log=log), timeout=5)
    assert log.stat().st_mode & 0o777 == 0o600


def test_unknown_territory_and_empty_workspace_are_clear_errors(precomputed_workspace, tmp_path,
                                                                sample_survey_path):
    with pytest.raises(WorkspaceError, match="no territory 'nowhere'"):
        prepare(precomputed_workspace, territory="nowhere")
    (tmp_path / "surveys").mkdir()
    (tmp_path / "surveys" / sample_survey_path.name).write_bytes(sample_survey_path.read_bytes())
    with pytest.raises(DashboardError, match="no processed data yet"):
        prepare(tmp_path)


def test_urls_quote_names_and_tokens():
    urls = dashboard_urls("::1", 8866, "a b", ["t 1"])
    assert urls["t 1"] == "http://[::1]:8866/voila/render/t%201.ipynb?token=a%20b"


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=300) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")


@pytest.fixture(scope="module")
def server(precomputed_workspace, tmp_path_factory, serving):
    port = free_port() or pytest.skip("no free port in 18800-18899")
    plan = prepare(precomputed_workspace, port=port, token="test-token-123")
    broken = nbformat.v4.new_notebook()
    broken.cells = [nbformat.v4.new_code_cell("secret_variable = 41\nraise ZeroDivisionError('inside')")]
    broken.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(broken, plan.folder / "broken.ipynb")
    try:
        with serving(plan, tmp_path_factory.mktemp("serve") / "voila.log"):
            yield plan
    finally:
        (plan.folder / "broken.ipynb").unlink(missing_ok=True)


@pytest.mark.slow
def test_server_listens_on_loopback_only(server):
    assert 18800 <= server.port <= 18899
    config = json.loads((server.folder / "voila.json").read_text())
    assert config["Voila"]["ip"] == "127.0.0.1"
    with socket.create_connection(("127.0.0.1", server.port), timeout=5):
        pass


@pytest.mark.slow
def test_token_is_enforced(server):
    base = f"http://127.0.0.1:{server.port}/voila/render/t03.ipynb"
    status, body = _get(base)
    assert status in (401, 403) or "login" in body.lower()
    assert "kernelId" not in body
    status, body = _get(base + "?token=wrong")
    assert "kernelId" not in body
    status, body = _get(base + "?token=test-token-123")
    assert status == 200 and "kernelId" in body


@pytest.mark.slow
def test_tracebacks_and_code_are_hidden(server):
    _status, body = _get(f"http://127.0.0.1:{server.port}/voila/render/broken.ipynb?token=test-token-123")
    assert "secret_variable" not in body  # sources stripped
    assert "Traceback" not in body and "inside" not in body


@pytest.mark.slow
def test_query_string_template_and_theme_overrides_are_ignored(server):
    url = f"http://127.0.0.1:{server.port}/voila/render/t03.ipynb?token=test-token-123"
    _, plain = _get(url)
    _, overridden = _get(url + "&voila-theme=dark&voila-template=reveal")
    assert "kernelId" in overridden
    assert "reveal" not in overridden.lower()
    assert '"theme": "light"' in overridden or "theme-dark" not in overridden
    assert ("JupyterLab Dark" in overridden) == ("JupyterLab Dark" in plain)


@pytest.mark.slow
def test_coopwork_serve_prints_one_url_per_dashboard(precomputed_workspace, tmp_path):
    import signal

    port = free_port() or pytest.skip("no free port in 18800-18899")
    process = _coopwork_serve(_own_copy(precomputed_workspace, tmp_path), port)
    try:
        lines = _read_lines(process, 4)
        names = [line.split("\t")[0] for line in lines]
        assert names == ["synthese", "t01", "t02", "t03"]
        assert lines[1].split("\t")[1] == f"http://127.0.0.1:{port}/voila/render/t01.ipynb"
        status, body = _get(lines[1].split("\t")[1])
        assert status == 200 and "kernelId" in body
    finally:
        process.send_signal(signal.SIGINT)
        _stops(process)


@pytest.mark.slow
def test_workshop_links_come_at_once_then_one_ready_line_and_nothing_else(precomputed_workspace, tmp_path):
    import signal
    import subprocess
    import sys

    port = free_port() or pytest.skip("no free port in 18800-18899")
    errors = tmp_path / "stderr.txt"
    workspace = _own_copy(precomputed_workspace, tmp_path)
    with open(errors, "w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "coopwork.cli", "serve", "--workspace", str(workspace),
             "--port", str(port), "--no-browser", "--territory", "t01", "--expect", "1", "--lang", "en"],
            stdout=subprocess.PIPE, stderr=err, text=True)
    try:
        lines = _read_lines(process, 2)
        assert [line.split("\t")[0] for line in lines] == ["synthese", "t01"]
        deadline = time.monotonic() + 300
        while "Ready: 2 pages warm." not in errors.read_text():
            assert process.poll() is None and time.monotonic() < deadline, errors.read_text()
            time.sleep(0.5)
        status, body = _get(lines[1].split("\t")[1])
        assert status == 200 and "application/vnd.jupyter.widget-view+json" in body
        # the terminal: the links' lines, then "ready", and none of the server's routine
        said = errors.read_text().splitlines()
        assert said[-1] == "Ready: 2 pages warm.", said
        assert not any("not trusted" in line or "Kernel started" in line for line in said), said
        log = (workspace / ".coopwork" / "dashboards" / "notebooks" / "voila.log").read_text()
        assert "Kernel started" in log and "is not trusted" not in log  # all of it is in the log
    finally:
        process.send_signal(signal.SIGINT)
        _stops(process)


@pytest.mark.slow
def test_a_killed_coopwork_serve_leaves_no_server_nor_kernel_behind(precomputed_workspace, tmp_path):
    import subprocess
    import sys

    import psutil

    port = free_port() or pytest.skip("no free port in 18800-18899")
    workspace = _own_copy(precomputed_workspace, tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "coopwork.cli", "serve", "--workspace", str(workspace), "--port", str(port),
         "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    children: list = []
    try:
        url = _read_lines(process, 2)[1].split("\t")[1]
        assert _get(url)[0] == 200  # a page was opened: its kernel runs
        children = psutil.Process(process.pid).children(recursive=True)
        assert any("voila_app" in " ".join(c.cmdline()) for c in children)
        assert any("ipykernel" in " ".join(c.cmdline()) for c in children)
        process.kill()  # kill -9: no handler of coopwork serve runs
        process.wait(timeout=30)
        _gone, alive = psutil.wait_procs(children, timeout=60)
        assert alive == [], [" ".join(p.cmdline()) for p in alive]
        with pytest.raises(OSError):  # the port is free again: the next `coopwork serve` gets the room
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
    finally:
        for child in children:
            with contextlib.suppress(psutil.Error):
                child.kill()
        if process.poll() is None:
            process.kill()


@pytest.mark.slow
def test_the_page_script_and_plotly_are_served_compressed_and_cached_for_good(server):
    from coopwork.dashboard.assets import asset_path, asset_url

    base = f"http://127.0.0.1:{server.port}/"
    for name in ("page.js", "plotly.js"):
        request = urllib.request.Request(base + asset_url(name), headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            assert response.headers["Content-Encoding"] == "gzip"
            assert int(re.search(r"max-age=(\d+)", response.headers["Cache-Control"]).group(1)) >= 86400 * 365
        assert len(body) < asset_path(name).stat().st_size / 2  # compressed on the wire
    # only those two names: nothing else of the machine is reachable through this path
    for other in ("coopwork/static/voila.json", "coopwork/static/..%2Fvoila.json", "coopwork/static/page.py"):
        status, _ = _get(base + other)
        assert status == 404, other


@pytest.mark.slow
def test_the_page_fetches_nothing_beyond_the_server(server):
    # a workshop room may have no internet: a style sheet from a CDN would hold the page back
    _, body = _get(f"http://127.0.0.1:{server.port}/voila/render/t03.ipynb?token=test-token-123")
    assert "kernelId" in body
    external = re.findall(r'<(?:link|script)[^>]+(?:href|src)="(https?://[^"]+)"', body)
    assert external == [], external


@pytest.mark.slow
def test_ctrl_c_stops_the_server_when_another_thread_receives_it(precomputed_workspace, tmp_path):
    """A signal sent to a process may land on any of its threads. ``coopwork serve`` runs a thread
    that follows the server's log; when Ctrl+C landed there, the main thread slept on in
    ``Popen.wait()`` and the server ran on (seen in full test runs: 60 s and a kill, 1 time in 2)."""
    import ctypes
    import pathlib
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    if not hasattr(libc, "tgkill"):
        pytest.skip("needs Linux's tgkill to send a signal to one thread")
    port = free_port() or pytest.skip("no free port in 18800-18899")
    process = _coopwork_serve(_own_copy(precomputed_workspace, tmp_path), port)
    try:
        _read_lines(process, 4)
        # a thread beside the main one that takes SIGINT (not one that blocks it, as jemalloc's does)
        others = [int(task.name) for task in pathlib.Path(f"/proc/{process.pid}/task").iterdir()
                  if int(task.name) != process.pid and not _blocks_sigint(task / "status")]
        assert others, "coopwork serve runs no thread beside its main one"
        assert libc.tgkill(process.pid, others[0], signal.SIGINT) == 0, ctypes.get_errno()
    except BaseException:
        process.kill()
        process.wait()
        raise
    _stops(process)
