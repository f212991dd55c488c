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
