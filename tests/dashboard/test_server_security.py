"""A real Voilà server on 127.0.0.1 against hostile pages, closed pages and signals.

- DNS rebinding: a page of ``evil.example`` whose name now points to 127.0.0.1 sends
  ``Host: evil.example:PORT`` (and, for a websocket, ``Origin: http://evil.example:PORT``);
- cross-site websocket: a page elsewhere opens the kernel's websocket (``Origin`` of another site);
- closed pages: each page view starts a kernel; once nobody is connected to it, it is culled
  (the test sets a short culling delay), while a page still open keeps its kernel;
- ``kill -TERM`` / ``kill -HUP`` of ``coopwork serve`` stops Voilà and its kernels and frees the port.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psutil
import pytest

from coopwork.dashboard.serve import prepare, voila_config, write_config

pytestmark = pytest.mark.slow


def _port() -> int:
    """A free port chosen by the system (not the first of a fixed range that parallel test runs share)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, host: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(errors="replace")


def _kernel_id(body: str) -> str:
    found = re.search(r'kernelId["\']?\s*[:=]\s*["\']([0-9a-f-]{36})', body)
    assert found, "the page names no kernel"
    return found.group(1)


async def _websocket(port: int, kernel_id: str, *, host: str | None = None, origin: str | None = None):
    """Open the kernel's websocket as a browser would (Host and Origin headers); raise when refused."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    headers = {"Host": host or f"127.0.0.1:{port}", "Origin": origin or f"http://127.0.0.1:{port}"}
    url = f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels"
    return await websocket_connect(HTTPRequest(url, headers=headers, request_timeout=60))


async def _refused(port: int, kernel_id: str, **headers: str) -> int:
    from tornado.httpclient import HTTPClientError

    try:
        connection = await _websocket(port, kernel_id, **headers)
    except HTTPClientError as err:
        return err.code
    connection.close()
    return 101


@pytest.fixture(scope="module")
def open_server(precomputed_workspace, tmp_path_factory, serving):
    """The default loopback server (no token), with kernels of closed pages culled after 10 s idle (and of
    pages that never connected, after 10 s: issue 23 spares them while they load)."""
    port = _port()
    plan = prepare(precomputed_workspace, port=port)
    assert plan.token == ""
    write_config(plan, voila_config(plan, cull_idle_seconds=10, cull_interval_seconds=1, connect_timeout=10))
    with serving(plan, tmp_path_factory.mktemp("security") / "voila.log"):
        yield plan


def test_a_page_asked_for_under_another_host_name_is_refused(open_server):
    port = open_server.port
    page = f"http://127.0.0.1:{port}/voila/render/t03.ipynb"
    status, body = _get(page, host=f"evil.example:{port}")
    assert status == 403 and "kernelId" not in body
    status, body = _get(f"http://127.0.0.1:{port}/api/kernels", host=f"evil.example:{port}")
    assert status in (403, 404, 405) and "id" not in body  # never a list of kernels
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):  # the names the server was started for
        status, body = _get(page, host=host)
        assert status == 200 and "kernelId" in body, host


def test_a_websocket_from_another_site_is_refused(open_server):
    port = open_server.port
    kernel = _kernel_id(_get(f"http://127.0.0.1:{port}/voila/render/t03.ipynb")[1])

    async def attempts() -> list[int]:
        return [
            # DNS rebinding: the page and its websocket both say evil.example (Origin equals Host)
            await _refused(port, kernel, host=f"evil.example:{port}", origin=f"http://evil.example:{port}"),
            # a page of another site opening the websocket of the real server
            await _refused(port, kernel, origin="http://evil.example"),
            # the dashboard's own page
            await _refused(port, kernel),
        ]

    assert asyncio.run(attempts()) == [403, 403, 101]


def test_kernels_of_closed_pages_are_culled_while_open_pages_keep_theirs(open_server):
    port = open_server.port
    page = f"http://127.0.0.1:{port}/voila/render/t03.ipynb"

    def alive(kernel_id: str) -> bool:
        return _get(f"http://127.0.0.1:{port}/api/kernels/{kernel_id}")[0] == 200

    async def scenario() -> tuple[bool, bool]:
        closed = _kernel_id((await asyncio.to_thread(_get, page))[1])  # a page loaded, then closed
        kept = _kernel_id((await asyncio.to_thread(_get, page))[1])
        connection = await _websocket(port, kept)  # this page stays open
        try:
            deadline = time.monotonic() + 180
            while await asyncio.to_thread(alive, closed) and time.monotonic() < deadline:
                await asyncio.sleep(1)
            return await asyncio.to_thread(alive, closed), await asyncio.to_thread(alive, kept)
        finally:
            connection.close()

    closed_alive, kept_alive = asyncio.run(scenario())
    assert not closed_alive, "the kernel of a closed page was not culled"
    assert kept_alive, "the kernel of an open page was culled"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_kill_stops_voila_and_its_kernels_and_frees_the_port(precomputed_workspace, signum):
    port = _port()
    process = subprocess.Popen(
        [sys.executable, "-m", "coopwork.cli", "serve", "--workspace", str(precomputed_workspace),
         "--port", str(port), "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    server = psutil.Process(process.pid)
    children: list[psutil.Process] = []
    try:
        urls = dict(process.stdout.readline().strip().split("\t") for _ in range(4))
        status, body = _get(urls["t03"])  # a visitor: Voilà starts a kernel for the page
        assert status == 200 and "kernelId" in body
        children = server.children(recursive=True)
        assert len(children) >= 2  # Voilà and the page's kernel
        process.send_signal(signum)
        assert process.wait(timeout=120) == 0
        _gone, alive = psutil.wait_procs(children, timeout=60)
        assert not alive, f"still running after {signum.name}: {[p.cmdline() for p in alive]}"
        with socket.socket() as probe:  # a new server can listen on the port again (as servers do,
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past closed connections)
            probe.bind(("127.0.0.1", port))
            probe.listen()
    finally:
        for leftover in [server, *children]:
            with contextlib.suppress(psutil.NoSuchProcess):
                leftover.kill()
