"""The dashboard server's kernel manager: no page loses its kernel to the culler, a memory budget, readiness.

Voilà starts one kernel per page view; in workshop mode it keeps a *pool* of kernels that
already ran the dashboard, so that a participant's page is ready at once. This manager adds:

- **a page keeps its kernel until it has connected and then left**. The culler shuts down a
  kernel idle for ``MappingKernelManager.cull_idle_timeout`` with no page connected (see
  :mod:`coopwork.dashboard.serve`). A kernel waiting in the pool is idle by design; a kernel
  just handed to a page has been idle since it was preheated — minutes when the room waited
  for its participants — and has no connection yet: its page is still loading. So a kernel is
  only culled once its page has connected and then been gone for the whole timeout. A page
  that never connects (closed while loading) frees its kernel after :attr:`connect_timeout`.
- **memory budget** (``max_kernels``): Voilà refills the pool as soon as a kernel is taken,
  whatever the number of kernels already running. With a pool of 2 × 30 that would reach 90
  kernels (≈ 6.5 GB) while 30 people use theirs. Here the pool is only refilled up to
  ``max_kernels`` kernels in total; the kernels of participants who reload or leave are shut
  down by their page, which frees room for the refill.
- **a pool that warms page by page**: Voilà starts every kernel of its pool at once; 60 kernels
  starting and running the dashboard together on 2 cores make the first page ready only when
  nearly all are (minutes). Here at most :attr:`~PoolAwareKernelManager.preheat_at_once` pages are
  prepared at the same time (the machine's cores), so the first pages are ready within seconds and
  the others follow — the room opens at once, and a restarted server is back at once.
- **readiness**: Voilà says "Kernel pool … is filled" once the pool's kernels are *started*,
  but each one then still has to *run* the dashboard. Every finished preheated run is logged
  (:data:`READY_MESSAGE`, with the number of pages ready), which ``coopwork serve`` shows as
  the warm-up's progress; :meth:`PoolAwareKernelManager.warming` tells the page handler that
  no page of a notebook has been ready yet (its visitors get a page that waits for one).

Which kernels are in the pool is known from public doors only: Voilà starts pool kernels with
``VOILA_PREHEAT=True`` in their environment (``start_kernel``) and hands one out through
``get_rendered_notebook``; jupyter_server reports connections (``notify_connect``,
``notify_disconnect``). One private name is left: Voilà's ``_initialize``, wrapped to learn
when a preheated run is over (Voilà has no public signal for it). pyproject.toml therefore pins
``voila<0.6``, and ``tests/dashboard/test_contracts.py`` fails loudly when a release moves it.

Examples
--------
>>> READY_MESSAGE % (3, 20, "t01.ipynb")
'coopwork: 3 of 20 preheated pages ready for t01.ipynb'
"""

from __future__ import annotations

import asyncio
import os
import time
from functools import partial

from jupyter_core.utils import ensure_async
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado.web import HTTPError
from traitlets import Integer

__all__ = ["READY_MESSAGE", "PoolAwareKernelManager"]

# logged (info) each time a preheated page has finished running: "<ready> of <size> … <notebook>"
READY_MESSAGE = "coopwork: %d of %d preheated pages ready for %s"
# what Voilà puts in the environment of the kernels it starts for its pool
_PREHEAT = "VOILA_PREHEAT"


class PoolAwareKernelManager(AsyncMappingKernelManager):
    """``AsyncMappingKernelManager`` that never culls a page's kernel before the page has come and gone."""

    max_kernels = Integer(0, config=True, help="Most kernels (in use + preheated) at any time; 0: no limit.")
    preheat_at_once = Integer(0, config=True, help="Pool pages prepared together; 0: the machine's cores.")
    connect_timeout = Integer(900, config=True, help=(
        "Seconds a page may take to connect to the kernel it was given (a phone on a busy network "
        "loads slowly); a kernel whose page never connected is culled after that."))

    def __init__(self, **kwargs) -> None:
        self._pooled: set[str] = set()             # started for a pool, not handed out
        self._warm: dict[str, set[str]] = {}       # notebook → pooled kernels whose run is over
        self._ever_warm: set[str] = set()          # notebooks that had a page ready since the start
        self._waiting: dict[str, float] = {}       # kernel → when its page got it (not connected yet)
        self._left: dict[str, float] = {}          # kernel → when its last page connection closed
        self._handing_out = 0                      # pages given a pool item whose kernel is still starting
        self._closing = False                      # the server stops: no new kernel (a late pool refill)
        self._slots: asyncio.Semaphore | None = None  # pool pages being prepared (preheat_at_once)
        # Voilà's preheating subclass defines these after this class in the MRO: wrap them here
        cls = type(self)
        for name, wrapper in (("fill_if_needed", self._fill_within_budget),
                              ("get_rendered_notebook", self._hand_out),
                              ("_initialize", self._initialize_and_watch)):
            method = getattr(cls, name, None)
            if method is not None:
                setattr(self, name, partial(wrapper, method))
        super().__init__(**kwargs)

    # -- which kernels wait for what ---------------------------------------------------------------
    async def start_kernel(self, *, kernel_id: str | None = None, path: str | None = None, **kwargs) -> str:
        """Start a kernel; remember whether it is for the pool or for a page that is loading."""
        if self._closing:
            raise RuntimeError("the server is stopping: no new kernel")
        kernel_id = await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)
        if (kwargs.get("env") or {}).get(_PREHEAT) == "True":
            self._pooled.add(kernel_id)
        else:  # Voilà's own path (no pool): the page that asked for it connects once it has loaded
            self._waiting[kernel_id] = time.monotonic()
        return kernel_id

    async def _hand_out(self, get_rendered_notebook, notebook_name: str, *args, **kwargs):
        """Voilà's ``get_rendered_notebook``: a pooled kernel goes to a page, which has yet to connect.

        Voilà takes the pool item at once and waits for its kernel to start (the pool starts a few at a
        time) before refilling: until then the page counts in the budget as :attr:`_handing_out`.
        """
        self._handing_out += 1
        try:
            render_task, rendered_cache, kernel_id = await get_rendered_notebook(self, notebook_name, *args,
                                                                                  **kwargs)
        finally:
            self._handing_out -= 1
        self._pooled.discard(kernel_id)
        self._warm.get(notebook_name, set()).discard(kernel_id)
        self._waiting[kernel_id] = time.monotonic()
        return render_task, rendered_cache, kernel_id

    def notify_connect(self, kernel_id: str) -> None:
        """A page connected: its kernel is now culled only once the page is gone."""
        super().notify_connect(kernel_id)
        self._waiting.pop(kernel_id, None)
        self._left.pop(kernel_id, None)

    def notify_disconnect(self, kernel_id: str) -> None:
        """A page connection closed: with none left, the kernel's idle time starts now."""
        super().notify_disconnect(kernel_id)
        try:
            connections = self.kernel_model(kernel_id).get("connections", 0)
        except (HTTPError, KeyError):  # shut down meanwhile
            return
        if not connections:
            self._left[kernel_id] = time.monotonic()

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs) -> None:
        """Shut a kernel down and forget it."""
        self._forget(kernel_id)
        await ensure_async(super().shutdown_kernel(kernel_id, *args, **kwargs))

    async def shutdown_all(self, *args, **kwargs) -> None:
        """Shut every kernel down, and start none meanwhile (the pool's refills that were waiting)."""
        self._closing = True
        await ensure_async(super().shutdown_all(*args, **kwargs))

    def _forget(self, kernel_id: str) -> None:
        self._pooled.discard(kernel_id)
        for warm in self._warm.values():
            warm.discard(kernel_id)
        self._waiting.pop(kernel_id, None)
        self._left.pop(kernel_id, None)

    def spared(self, kernel_id: str) -> bool:
        """True while the culler must leave ``kernel_id`` alone, whatever its idle time.

        In the pool; given to a page that has not connected yet (for :attr:`connect_timeout`);
        or left by its last page less than ``cull_idle_timeout`` ago (a phone that slept, a
        network that changed: the page comes back to the same kernel).
        """
        now = time.monotonic()
        if kernel_id in self._pooled:
            return True
        if kernel_id in self._waiting:
            return now - self._waiting[kernel_id] < self.connect_timeout
        left = self._left.get(kernel_id)
        return left is not None and now - left < self.cull_idle_timeout

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """Cull like Jupyter Server does, except the kernels :meth:`spared` names."""
        if self.spared(kernel_id):
            return
        await super().cull_kernel_if_idle(kernel_id)

    # -- readiness --------------------------------------------------------------------------------
    def ready_count(self, notebook_name: str) -> int:
        """Pages of ``notebook_name`` waiting in the pool whose preheated run is over."""
        return len(self._warm.get(notebook_name, ()))

    def warming(self, notebook_name: str) -> bool:
        """True when ``notebook_name`` has a preheated pool of which no page has been ready yet."""
        configs = getattr(self, "kernel_pools_config", {})
        size = configs.get(notebook_name, {}).get("pool_size", 0)
        return bool(size) and notebook_name not in self._ever_warm

    async def _initialize_and_watch(self, initialize, notebook_path: str, kernel_id: str | None = None,
                                    **kwargs) -> dict:
        """Voilà's ``_initialize`` (start a pool kernel and its run) when a slot is free, then note (and log)
        when the preheated run is over, which frees the slot."""
        if kernel_id is not None:  # a restarted kernel runs its notebook again: not a pool page
            return await initialize(self, notebook_path, kernel_id, **kwargs)
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.preheat_at_once or os.cpu_count() or 1)
        await self._slots.acquire()
        try:
            content = await initialize(self, notebook_path, kernel_id, **kwargs)
        except BaseException:
            self._slots.release()
            raise
        render = content.get("task")
        if render is None:
            self._slots.release()
        else:
            kernel = content.get("kernel_id")
            render.add_done_callback(lambda task: self._run_over(notebook_path, kernel, task))
        return content

    def _run_over(self, notebook_name: str, kernel_id: str | None, task) -> None:
        self._slots.release()
        if task.cancelled() or task.exception() is not None or kernel_id not in self._pooled:
            return  # failed, or already given to a page (it waited for the end of the run)
        self._warm.setdefault(notebook_name, set()).add(kernel_id)
        self._ever_warm.add(notebook_name)
        # of what the pool holds now: fewer than asked once the budget is reached (_fill_within_budget)
        size = max(self.get_pool_size(notebook_name), self.ready_count(notebook_name))
        self.log.info(READY_MESSAGE, self.ready_count(notebook_name), size, notebook_name)

    # -- memory budget ----------------------------------------------------------------------------
    def _fill_within_budget(self, fill, delay=None, notebook_name=None, **kwargs) -> None:
        """Voilà's ``fill_if_needed``, with the pool size lowered so the budget is kept."""
        configs = self.kernel_pools_config
        if not self.max_kernels or notebook_name not in configs:
            return fill(self, delay=delay, notebook_name=notebook_name, **kwargs)
        # the pages' kernels: started and no longer pooled, or taken from the pool and still starting (a
        # restarted server's pages come back together: most wait for theirs, see _hand_out)
        in_use = len(set(self.list_kernel_ids()) - self._pooled) + self._handing_out
        others = sum(self.get_pool_size(name) for name in configs if name not in ("default", notebook_name))
        wanted = configs[notebook_name].get("pool_size", 0)
        allowed = max(0, min(wanted, self.max_kernels - in_use - others))
        lowered = {**configs[notebook_name], "pool_size": allowed}
        self.kernel_pools_config = {**configs, notebook_name: lowered}
        try:
            return fill(self, delay=delay, notebook_name=notebook_name, **kwargs)
        finally:
            self.kernel_pools_config = configs
