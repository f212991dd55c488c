"""The same per-territory fan-out on an existing ``dask.distributed`` cluster.

``coopwork run --scheduler tcp://host:port`` submits one task per territory to the cluster.
Each worker process keeps one warm :class:`~coopwork.batch.warm.ForkServer` (started by its
first task, reused by the next ones: :func:`~coopwork.batch.warm.warm_server`) and each of its
threads one kernel forked from it (:class:`~coopwork.batch.engine.KernelSlot`), kept clean
between territories, so a worker pays
the imports and the kernel start once. The workers read the workspace and write the reports themselves:
the workspace must be on a path that every worker sees (NFS, CephFS, a Lustre scratch…) under
the same name. The client side keeps the run state and writes the index page.

dask is optional: ``pip install "coopwork[dask]"``.

Examples
--------
>>> outcome = failure_outcome(_example_task(), RuntimeError("worker lost"))
>>> outcome["ok"], outcome["error"]["ename"]
(False, 'RuntimeError')
"""

from __future__ import annotations

import atexit
import threading
import uuid
from collections.abc import Iterator
from typing import Any

from ..errors import RunError
from ..paths import name_for
from .plan import Task
from .warm import warm_server

__all__ = ["failure_outcome", "run_on_cluster", "run_remote"]

_server_lock = threading.Lock()
_local = threading.local()  # each worker thread keeps its own warm kernel
_slots: list[Any] = []


def _close_slots() -> None:
    """Stop the kernels the worker's threads kept (at exit, before the fork server stops)."""
    while _slots:
        _slots.pop().close()


def run_remote(task: Task) -> dict[str, Any]:
    """Run one task on a Dask worker (the function submitted to the cluster)."""
    from .engine import KernelSlot  # lazy: papermill (~2.5 s); the runner imports this module for every run
    from .task import run_task  # lazy: the engine, hence papermill

    with _server_lock:  # one warm fork server per worker process, started by its first task
        server = warm_server()
        if server is not None:  # survey and tables loaded once per worker (kept while unchanged)
            server.call_inline("coopwork.batch.notebook:preload", task.cwd)
    slot = getattr(_local, "slot", None)
    if server is not None and (slot is None or slot.server is not server):
        slot = _local.slot = KernelSlot(server)
        with _server_lock:
            if not _slots:
                atexit.register(_close_slots)
            _slots.append(slot)
    return run_task(task, slot=slot)


def failure_outcome(task: Task, err: BaseException) -> dict[str, Any]:
    """The outcome of a task whose worker failed (lost worker, cancelled future…)."""
    return {"territory": task.territory, "ok": False, "seconds": 0.0, "output": task.output,
            "finished_at": None, "failed_notebook": None,
            "error": {"cell": None, "source": "", "ename": type(err).__name__, "evalue": str(err)[:500]}}


def _example_task() -> Task:
    return Task(territory="t1", notebook="nb.ipynb", parameters={}, inputs={}, key="k", output="t1/nb.ipynb",
                failed_dir="_failed/t1", cwd=".")


def run_on_cluster(tasks: list[Task], address: str, *, connect_timeout: float = 15,
                   lang: str = "fr") -> Iterator[dict[str, Any]]:
    """Submit ``tasks`` to the Dask scheduler at ``address``; yield outcomes as they finish.

    Raises
    ------
    RunError
        When dask.distributed is not installed or the scheduler cannot be reached.
    """
    try:
        from distributed import Client, as_completed  # lazy: optional (coopwork[dask]), ~1 s
    except ImportError as err:
        raise RunError("batch.no_dask", hint="batch.no_dask_hint", lang=lang) from err
    try:
        client = Client(address, timeout=connect_timeout, set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise RunError("batch.no_scheduler", value=address,
                       hint="batch.no_scheduler_hint", lang=lang) from err
    with client:
        futures = {}
        for task in tasks:
            key = f"coopwork-{task.stem}-{name_for(task.territory)}-{uuid.uuid4().hex[:12]}"
            futures[client.submit(run_remote, task, pure=False, retries=0, key=key)] = task
        for future in as_completed(futures, loop=client.loop):
            task = futures[future]
            try:
                yield future.result()
            except Exception as err:
                yield failure_outcome(task, err)
