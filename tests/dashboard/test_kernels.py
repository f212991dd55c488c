"""The kernel manager of the workshop server: the pool's memory budget, readiness, and a culler that never
takes a page's kernel before the page has come and gone.

The first tests drive the manager's bookkeeping without starting kernels. The race of issue 23 is then
played against a real Voilà with short timeouts: a pool older than the cull timeout, a kernel handed to a
page that has not connected yet, and the culler running in between.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import time
import urllib.error
import urllib.request

import pytest
from traitlets import Dict

from coopwork.dashboard.kernels import PoolAwareKernelManager


class _Voila(PoolAwareKernelManager):
    """Stands for Voilà's preheating subclass: a pool of kernel ids, its public doors, no real kernels."""

    kernel_pools_config = Dict(config=True)

    def fill_if_needed(self, delay=None, notebook_name=None, **kwargs):
        self.asked.append(self.kernel_pools_config[notebook_name]["pool_size"])

    def get_pool_size(self, notebook_name):
        return len(self.pool.get(notebook_name, []))

    async def get_rendered_notebook(self, notebook_name, **kwargs):
        return None, [], self.pool[notebook_name].pop(0)


def _manager(running: list[str], pooled: list[str], max_kernels: int = 0) -> _Voila:
    manager = _Voila(max_kernels=max_kernels, cull_idle_timeout=90)
    manager.kernel_pools_config = {"default": {"pool_size": 0}, "t01.ipynb": {"pool_size": 60}}
    manager.pool = {"t01.ipynb": list(pooled)}
    manager._pooled.update(pooled)  # what start_kernel notes for kernels started with VOILA_PREHEAT=True
    manager.asked = []
    manager.list_kernel_ids = lambda: list(running)
    return manager


def test_refill_is_lowered_to_keep_the_budget():
    pooled = [f"p{i}" for i in range(30)]
    in_use = [f"u{i}" for i in range(30)]
    manager = _manager(in_use + pooled, pooled, max_kernels=75)
    manager.fill_if_needed(notebook_name="t01.ipynb")
    assert manager.asked == [45]  # 75 - 30 in use: the pool grows by 15 only
    assert manager.kernel_pools_config["t01.ipynb"]["pool_size"] == 60  # restored


def test_no_budget_keeps_voila_behaviour_and_empty_start_fills_everything():
    manager = _manager([], [], max_kernels=0)
    manager.fill_if_needed(notebook_name="t01.ipynb")
    assert manager.asked == [60]
    manager = _manager([], [], max_kernels=75)
    manager.fill_if_needed(notebook_name="t01.ipynb")
    assert manager.asked == [60]


class _SlowStart(_Voila):
    """Voilà's ``get_rendered_notebook`` as it is: the page takes a pool item at once, waits until its kernel
    has started (the pool starts them a few at a time), then asks for the refill."""

    async def get_rendered_notebook(self, notebook_name, **kwargs):
        kernel_id = self.pool[notebook_name].pop(0)
        await self.started[kernel_id]
        self.fill_if_needed(notebook_name=notebook_name)
        return None, [], kernel_id


def test_pages_waiting_for_their_kernel_to_start_count_in_the_budget():
    """A server restarted with 30 pages open: they all come back at once, each takes an item of the pool of
    60 while its kernels start two by two. When the first page's kernel has started, the other 29 pages
    are still waiting for theirs: the refill must count them (it counted only started kernels, and a
    restarted room held 94 kernels for a budget of 75)."""
    async def scenario():
        pooled = [f"p{i}" for i in range(60)]
        manager = _SlowStart(max_kernels=75, cull_idle_timeout=90)
        manager.kernel_pools_config = {"default": {"pool_size": 0}, "t01.ipynb": {"pool_size": 60}}
        manager.pool = {"t01.ipynb": list(pooled)}
        manager._pooled.update(pooled)
        manager.asked = []
        running = ["p0", "p1"]  # started so far (the others wait for their turn)
        manager.list_kernel_ids = lambda: list(running)
        loop = asyncio.get_running_loop()
        manager.started = {k: loop.create_future() for k in pooled}
        pages = [asyncio.ensure_future(manager.get_rendered_notebook("t01.ipynb")) for _ in range(30)]
        await asyncio.sleep(0)
        manager.started["p0"].set_result(None)  # the first page's kernel has started
        _task, _cache, kernel_id = await pages[0]
        for page in pages[1:]:
            page.cancel()
        await asyncio.gather(*pages[1:], return_exceptions=True)
        return kernel_id, manager.asked

    kernel_id, asked = asyncio.run(scenario())
    assert kernel_id == "p0"
    assert asked == [45]  # 30 pages hold (or wait for) a kernel: the pool may hold 75 - 30


def test_a_kernel_is_spared_from_the_pool_until_its_page_has_come_and_gone(monkeypatch):
    manager = _manager(["p1", "p2"], ["p1", "p2"])
    clock = [1000.0]
    monkeypatch.setattr("coopwork.dashboard.kernels.time.monotonic", lambda: clock[0])
    monkeypatch.setattr(manager, "kernel_model", lambda kernel_id: {"connections": 0})
    assert manager.spared("p1") and manager.spared("p2")  # in the pool, however long idle
    _task, _cache, kernel_id = asyncio.run(manager.get_rendered_notebook("t01.ipynb"))
    assert kernel_id == "p1"
    clock[0] += 600  # the page loads slowly: still its kernel
    assert manager.spared("p1")
    clock[0] += manager.connect_timeout  # a page that never connected (closed while loading)
    assert not manager.spared("p1")
    manager.notify_connect("p1")  # ... or it did connect: the page holds it (jupyter_server's count)
    manager.notify_disconnect("p1")  # the phone slept: the idle time starts now
    clock[0] += 60
    assert manager.spared("p1")
    clock[0] += 31
    assert not manager.spared("p1")
    assert manager.spared("p2")


def test_the_culler_asks_jupyter_server_only_for_kernels_it_does_not_spare(monkeypatch):
    manager = _manager(["u1", "p1"], ["p1"])
    culled = []

    async def fake_cull(self, kernel_id):
        culled.append(kernel_id)

    monkeypatch.setattr(PoolAwareKernelManager.__mro__[1], "cull_kernel_if_idle", fake_cull)
    asyncio.run(manager.cull_kernel_if_idle("p1"))
    asyncio.run(manager.cull_kernel_if_idle("u1"))
    assert culled == ["u1"]


class _Renderer:
    stop_generator = False


class _Preheating(PoolAwareKernelManager):
    """Stands for Voilà's preheating subclass: ``_initialize`` starts a run that ends later."""

    kernel_pools_config = Dict(config=True)

    async def _initialize(self, notebook_path, kernel_id=None, **kwargs):
        run = asyncio.get_running_loop().create_future()
        self.runs.append(run)
        kernel_id = f"k{len(self.runs)}"
        self._pooled.add(kernel_id)  # started with VOILA_PREHEAT=True
        return {"task": run, "renderer": _Renderer(), "kernel_id": kernel_id}

    async def get_rendered_notebook(self, notebook_name, **kwargs):
        self.pool.remove("k2")
        return None, [], "k2"

    def get_pool_size(self, notebook_name):
        return len(self.pool)


def test_preheated_pages_are_reported_ready_only_when_their_run_is_over(caplog):
    async def scenario():
        manager = _Preheating()
        manager.kernel_pools_config = {"t01.ipynb": {"pool_size": 2}}
        manager.runs = []
        manager.pool = ["k1", "k2"]
        await asyncio.gather(*(manager._initialize("t01.ipynb") for _ in range(2)))
        counts = [(manager.ready_count("t01.ipynb"), manager.warming("t01.ipynb"))]
        manager.runs[0].set_result(([], None))
        await asyncio.sleep(0)
        counts.append((manager.ready_count("t01.ipynb"), manager.warming("t01.ipynb")))
        await manager.get_rendered_notebook("t01.ipynb")  # k2 taken by a visitor before its run ended
        manager.runs[1].set_result(([], None))
        await asyncio.sleep(0)
        counts.append((manager.ready_count("t01.ipynb"), manager.warming("t01.ipynb")))
        return counts

    with caplog.at_level("INFO"):
        assert asyncio.run(scenario()) == [(0, True), (1, False), (1, False)]
    assert "coopwork: 1 of 2 preheated pages ready for t01.ipynb" in caplog.text


# -- the race of issue 23, against a real Voilà ----------------------------------------------------------
CULL_IDLE, CULL_INTERVAL = 3, 1


def _kernel_status(plan, kernel_id: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{plan.port}/api/kernels/{kernel_id}",
                                     headers={"Authorization": f"token {plan.token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def _hand_out(plan) -> str:
    """Open the workshop page as a browser does its first request: the server hands out a kernel."""
    with urllib.request.urlopen(plan.urls["t01"], timeout=300) as response:
        page = response.read().decode()
    return re.search(r'"kernelId": "([0-9a-f-]+)"', page).group(1)


async def _connect_and_leave(plan, kernel_id: str) -> None:
    """What a page does once loaded (its websocket to the kernel), then closing the tab."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    url = f"ws://127.0.0.1:{plan.port}/api/kernels/{kernel_id}/channels?token={plan.token}"
    socket_ = await websocket_connect(HTTPRequest(url, request_timeout=120))
    await asyncio.sleep(0.5)
    socket_.close()
    await asyncio.sleep(0.5)


def _wait_until_gone(plan, kernel_id: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while _kernel_status(plan, kernel_id) == 200:
        assert time.monotonic() < deadline, f"kernel {kernel_id} still running after {timeout} s"
        time.sleep(0.5)


@pytest.mark.slow
def test_a_kernel_handed_to_a_page_is_not_culled_before_the_page_connects(precomputed_workspace, tmp_path):
    from coopwork.dashboard.serve import (
        free_port,
        prepare,
        start,
        stop,
        voila_config,
        wait_until_listening,
        wait_until_ready,
        write_config,
    )

    workspace = tmp_path / "workspace"
    shutil.copytree(precomputed_workspace, workspace, ignore=shutil.ignore_patterns("dashboards"))
    port = free_port() or pytest.skip("no free port in 18800-18899")
    plan = prepare(workspace, port=port, token="race-token-1", territory="t01", expect=1)
    write_config(plan, voila_config(plan, pool={"t01": 2}, max_kernels=4, cull_idle_seconds=CULL_IDLE,
                                    cull_interval_seconds=CULL_INTERVAL))
    log = tmp_path / "voila.log"
    process = start(plan, log=log)
    try:
        wait_until_listening(plan.host, plan.port, process=process)
        wait_until_ready(plan, log, process=process, timeout=300)
        time.sleep(CULL_IDLE + 2 * CULL_INTERVAL)  # nobody came yet: the pool is older than the cull timeout
        waiting = _hand_out(plan)  # a page got its kernel; its scripts are still loading
        control = _hand_out(plan)  # another page loaded, connected, and was closed
        asyncio.run(_connect_and_leave(plan, control))
        # the culler has run since both hand-outs (and since the control page left + the timeout)
        _wait_until_gone(plan, control)
        assert _kernel_status(plan, waiting) == 200, (
            "the kernel of a page that had not connected yet was culled:\n"
            + "\n".join(line for line in log.read_text().splitlines() if waiting in line))
        # the page connects at last, then leaves: now its kernel goes like any other
        asyncio.run(_connect_and_leave(plan, waiting))
        _wait_until_gone(plan, waiting)
        assert process.poll() is None
    finally:
        stop(process)


def test_the_pool_warms_page_by_page():
    """Not every kernel of the pool at once (60 on 2 cores: the first page ready only when nearly all are)."""
    async def scenario():
        manager = _Preheating(preheat_at_once=1)
        manager.kernel_pools_config = {"t01.ipynb": {"pool_size": 3}}
        manager.runs, manager.pool = [], ["k1", "k2", "k3"]
        pool = [asyncio.ensure_future(manager._initialize("t01.ipynb")) for _ in range(3)]
        await asyncio.sleep(0.01)
        started = [len(manager.runs)]
        manager.runs[0].set_result(([], None))  # the first page is ready: the next one starts
        await asyncio.sleep(0.01)
        started.append(len(manager.runs))
        manager.runs[1].set_result(([], None))
        await asyncio.sleep(0.01)
        manager.runs[2].set_result(([], None))
        await asyncio.gather(*pool)
        return [*started, manager.ready_count("t01.ipynb")]

    assert asyncio.run(scenario()) == [1, 2, 3]
