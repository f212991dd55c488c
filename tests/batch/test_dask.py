"""The Dask path: the same fan-out on a dask.distributed cluster (a LocalCluster here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from batch_helpers import SURVEY_ID, result_of

from coopwork.batch import run_batch
from coopwork.errors import RunError

distributed = pytest.importorskip("distributed", reason='dask is optional: pip install "coopwork[dask]"')


def test_run_on_a_local_dask_cluster_matches_the_local_run(workspace: Path) -> None:
    notebook = workspace / "notebooks" / "probe.ipynb"
    reports = workspace / "data" / "reports" / SURVEY_ID
    local = run_batch(workspace, notebook=notebook, territories=["alpha"], jobs=1, show_progress=False)
    assert local.executed == ["alpha"]
    expected = result_of(reports / "alpha" / "probe.ipynb")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                                  dashboard_address=None) as cluster:
        result = run_batch(workspace, notebook=notebook, scheduler=cluster.scheduler_address, force=True,
                           show_progress=False)
    assert result.executed == ["alpha", "beta", "gamma"] and result.failed == []
    assert result_of(reports / "alpha" / "probe.ipynb") == expected
    assert result_of(reports / "gamma" / "probe.ipynb")["territory"] == "gamma"
    assert (reports / "gamma" / "probe.html").is_file()
    # the run state is kept by the client: a second run skips everything without the cluster
    assert run_batch(workspace, notebook=notebook, show_progress=False).skipped == ["alpha", "beta", "gamma"]


def test_unreachable_scheduler_is_a_clear_error(workspace: Path) -> None:
    with pytest.raises(RunError, match="Dask") as err:
        run_batch(workspace, notebook=workspace / "notebooks" / "probe.ipynb", scheduler="tcp://127.0.0.1:9",
                  force=True, show_progress=False)
    assert "tcp://127.0.0.1:9" in str(err.value)
