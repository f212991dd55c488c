"""The kernel manager of the dashboard server: a memory budget for the preheated pool, and culling.

Voilà starts one kernel per page view; in workshop mode it keeps a *pool* of kernels that
already ran the dashboard, so that a participant's page is ready at once. Two additions:

- **memory budget** (``max_kernels``): Voilà refills the pool as soon as a kernel is taken,
  whatever the number of kernels already running. With a pool of 2 × 30 that would reach 90
  kernels (≈ 6.5 GB) while 30 people use theirs. Here the pool is only refilled up to
  ``max_kernels`` kernels in total; the kernels of participants who reload or leave are shut
  down by their page, which frees room for the refill.
- **culling**: the kernel of a page that was closed or reloaded (no connection left) is culled
  once idle for ``MappingKernelManager.cull_idle_timeout`` (see :mod:`coopwork.dashboard.serve`)
  — except the pool's kernels, which are idle by design and must wait for their participant.
- **readiness**: Voilà says "Kernel pool … is filled" once the pool's kernels are *started*,
  but each one then still has to *run* the dashboard. A page taken from the pool before its
  run is over waits for the rest of that run — with 60 kernels sharing 2 cores, about ten
  seconds for everyone of a first wave. So every finished preheated run is logged
  (:data:`READY_MESSAGE`, with the number of pages ready), and ``coopwork serve`` and the load
  benchmark wait for the whole pool before people are let in.

Voilà has no public view of its pool: this module reads ``_pools`` and wraps ``_initialize``.
pyproject.toml therefore pins ``voila<0.6``, and ``tests/dashboard/test_contracts.py`` fails
loudly when a release moves either name.
"""

from __future__ import annotations

from functools import partial

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Integer

__all__ = ["READY_MESSAGE", "PoolAwareKernelManager"]

# logged (info) each time a preheated page has finished running: "<ready> of <size> … <notebook>"
READY_MESSAGE = "coopwork: %d of %d preheated pages ready for %s"


class PoolAwareKernelManager(AsyncMappingKernelManager):
    """``AsyncMappingKernelManager`` with a kernel budget for Voilà's pool and a pool-sparing culler."""

    max_kernels = Integer(0, config=True, help="Most kernels (in use + preheated) at any time; 0: no limit.")

    def __init__(self, **kwargs) -> None:
        fill = getattr(type(self), "fill_if_needed", None)  # defined by Voilà's preheating subclass
        if fill is not None:
            self.fill_if_needed = partial(self._fill_within_budget, fill)
        initialize = getattr(type(self), "_initialize", None)  # idem: starts a kernel and its run
        if initialize is not None:
            self._initialize = partial(self._initialize_and_watch, initialize)
        super().__init__(**kwargs)

    def ready_count(self, notebook_name: str) -> int:
        """Pages of ``notebook_name`` waiting in the pool whose preheated run is over."""
        ready = 0
        for task in getattr(self, "_pools", {}).get(notebook_name, []):
            if task.done() and not task.cancelled() and task.exception() is None:
                content = task.result()
                render = content.get("task")
                ready += bool(render is not None and render.done()
                              and not getattr(content.get("renderer"), "stop_generator", False))
        return ready

    async def _initialize_and_watch(self, initialize, notebook_path: str, kernel_id: str | None = None,
                                    **kwargs) -> dict:
        """Voilà's ``_initialize``, then log when the preheated run of the notebook is over."""
        content = await initialize(self, notebook_path, kernel_id, **kwargs)
        render = content.get("task")
        if render is not None:
            render.add_done_callback(lambda _task: self._report_ready(notebook_path))
        return content

    def _report_ready(self, notebook_name: str) -> None:
        size = self.kernel_pools_config.get(notebook_name, {}).get("pool_size", 0)
        self.log.info(READY_MESSAGE, self.ready_count(notebook_name), size, notebook_name)

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
