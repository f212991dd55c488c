"""The pool's memory budget and the culler that spares preheated kernels (no real kernels started)."""

from __future__ import annotations

import asyncio

from traitlets import Dict

from coopwork.dashboard.kernels import PoolAwareKernelManager


class _Done:
    """A finished pool task holding a kernel id, like Voilà's."""

    def __init__(self, kernel_id: str) -> None:
        self.kernel_id = kernel_id

    def done(self) -> bool:
        return True

    def cancelled(self) -> bool:
        return False

    def exception(self):
        return None

    def result(self) -> dict:
        return {"kernel_id": self.kernel_id}


class _Voila(PoolAwareKernelManager):
    """Stands for Voilà's preheating subclass: records the pool size each refill asks for."""

    kernel_pools_config = Dict(config=True)

    def fill_if_needed(self, delay=None, notebook_name=None, **kwargs):
        self.asked.append(self.kernel_pools_config[notebook_name]["pool_size"])


def _manager(running: list[str], pooled: list[str], max_kernels: int) -> _Voila:
    manager = _Voila(max_kernels=max_kernels)
    manager.kernel_pools_config = {"default": {"pool_size": 0}, "t01.ipynb": {"pool_size": 60}}
    manager._pools = {"t01.ipynb": [_Done(k) for k in pooled]}
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


def test_culler_spares_pool_kernels():
    manager = _manager(["u1", "p1"], ["p1"], max_kernels=0)
    culled = []

    async def fake_cull(self, kernel_id):
        culled.append(kernel_id)

    original = PoolAwareKernelManager.__mro__[1].cull_kernel_if_idle
    try:
        PoolAwareKernelManager.__mro__[1].cull_kernel_if_idle = fake_cull
        asyncio.run(manager.cull_kernel_if_idle("p1"))
        asyncio.run(manager.cull_kernel_if_idle("u1"))
    finally:
        PoolAwareKernelManager.__mro__[1].cull_kernel_if_idle = original
    assert culled == ["u1"]


class _Renderer:
    stop_generator = False


class _Preheating(PoolAwareKernelManager):
    """Stands for Voilà's preheating subclass: ``_initialize`` starts a run that ends later."""

    kernel_pools_config = Dict(config=True)

    async def _initialize(self, notebook_path, kernel_id=None, **kwargs):
        run = asyncio.get_running_loop().create_future()
        self.runs.append(run)
        return {"task": run, "renderer": _Renderer(), "kernel_id": f"k{len(self.runs)}"}


def test_preheated_pages_are_reported_ready_only_when_their_run_is_over(caplog):
    async def scenario():
        manager = _Preheating()
        manager.kernel_pools_config = {"t01.ipynb": {"pool_size": 2}}
        manager.runs = []
        pool = [asyncio.ensure_future(manager._initialize("t01.ipynb")) for _ in range(2)]
        manager._pools = {"t01.ipynb": pool}
        await asyncio.gather(*pool)  # kernels started: Voilà would now say "pool filled"
        counts = [manager.ready_count("t01.ipynb")]
        manager.runs[0].set_result(([], None))
        await asyncio.sleep(0)
        counts.append(manager.ready_count("t01.ipynb"))
        pool[1].result()["renderer"].stop_generator = True  # taken by a visitor before its run ended
        manager.runs[1].set_result(([], None))
        await asyncio.sleep(0)
        counts.append(manager.ready_count("t01.ipynb"))
        return counts

    with caplog.at_level("INFO"):
        assert asyncio.run(scenario()) == [0, 1, 1]
    assert "coopwork: 1 of 2 preheated pages ready for t01.ipynb" in caplog.text
