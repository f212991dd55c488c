"""The kernel manager of the dashboard server: a memory budget for the preheated pool, and culling.

Voilà starts one kernel per page view; in workshop mode it keeps a *pool* of kernels that
already ran the dashboard, so that a participant's page is ready at once. Two additions:

- **memory budget** (``max_kernels``): Voilà refills the pool as soon as a kernel is taken,
  whatever the number of kernels already running. With a pool of 2 × 30 that would reach 90
  kernels (≈ 6.5 GB) while 30 people use theirs. Here the pool is only refilled up to
  ``max_kernels`` kernels in total; the kernels of participants who reload or leave are shut
  down by their page, which frees room for the refill.
- **culling**: phones that sleep never close their page, so idle kernels are culled after a
  while (``MappingKernelManager.cull_idle_timeout``) — except the pool's kernels, which are
  idle by design and must wait for their participant.
"""

from __future__ import annotations

from functools import partial

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Integer

__all__ = ["PoolAwareKernelManager"]


class PoolAwareKernelManager(AsyncMappingKernelManager):
    """``AsyncMappingKernelManager`` with a kernel budget for Voilà's pool and a pool-sparing culler."""

    max_kernels = Integer(0, config=True, help="Most kernels (in use + preheated) at any time; 0: no limit.")

    def __init__(self, **kwargs) -> None:
        fill = getattr(type(self), "fill_if_needed", None)  # defined by Voilà's preheating subclass
        if fill is not None:
            self.fill_if_needed = partial(self._fill_within_budget, fill)
        super().__init__(**kwargs)

    def pooled_kernel_ids(self) -> set[str]:
        """Ids of the kernels waiting in a Voilà preheat pool."""
        ids: set[str] = set()
        for pool in getattr(self, "_pools", {}).values():
            for task in pool:
                if task.done() and not task.cancelled() and task.exception() is None:
                    kernel_id = task.result().get("kernel_id")
                    if kernel_id:
                        ids.add(kernel_id)
        return ids

    def _fill_within_budget(self, fill, delay=None, notebook_name=None, **kwargs) -> None:
        """Voilà's ``fill_if_needed``, with the pool size lowered so the budget is kept."""
        configs = self.kernel_pools_config
        if not self.max_kernels or notebook_name not in configs:
            return fill(self, delay=delay, notebook_name=notebook_name, **kwargs)
        in_use = len(set(self.list_kernel_ids()) - self.pooled_kernel_ids())
        others = sum(len(pool) for name, pool in getattr(self, "_pools", {}).items()
                     if name != notebook_name)
        wanted = configs[notebook_name].get("pool_size", 0)
        allowed = max(0, min(wanted, self.max_kernels - in_use - others))
        lowered = {**configs[notebook_name], "pool_size": allowed}
        self.kernel_pools_config = {**configs, notebook_name: lowered}
        try:
            return fill(self, delay=delay, notebook_name=notebook_name, **kwargs)
        finally:
            self.kernel_pools_config = configs

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """Cull like Jupyter Server does, except kernels of the preheated pool."""
        if kernel_id in self.pooled_kernel_ids():
            return
        await super().cull_kernel_if_idle(kernel_id)
