"""Parameterised notebooks × territories → executed reports (``coopwork run``).

:func:`run_batch` executes the report notebooks once per territory with papermill: in
parallel, incrementally (content hashes decide what changed), isolated (one fresh kernel
per territory, forked from a warm process), and optionally on a Dask cluster. See
the README (*Reports for every territory*) for the user's side and the modules for each step:

``runner``      :func:`run_batch`: plan, fan out, publish, summarise
``plan``        content hashes and skip decisions, run state in ``.coopwork/runs/``
``engine``      papermill engine over kernels forked from a warm process
``forkserver``  the warm process (imports and shared inputs loaded once)
``warm``        its client, and the one warm process a run (or a Dask worker) keeps
``task``        one execution: publish atomically or keep the failure apart
``notebook``    the sections the report notebooks call (thin notebooks)
``provenance``  version, hashes, parameters and time in the metadata and a footer
``html``        HTML rendering without code, offline plotly
``index``       the index page of the reports folder
``dask``        the same fan-out on a dask.distributed cluster
``cli``         ``coopwork run``

Examples
--------
>>> RunResult(executed=["t1"], reports_dir="data/reports/s").to_dict()["executed"]
['t1']
"""

from __future__ import annotations

from .runner import RunResult, run_batch

__all__ = ["RunResult", "run_batch"]
