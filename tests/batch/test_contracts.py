"""Contracts with jupyter_client, nbclient and papermill: the names ``coopwork.batch.engine`` relies on.

The engine uses public hooks only (see its docstring). These tests fail loudly, naming the
library, when an installed release renames or moves one of them — before a batch run fails
in an obscure way. The behaviour behind them is tested with real kernels in test_engine.py.
"""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_jupyter_client_provisioner_and_client_hooks():
    from jupyter_client import protocol_version_info
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner
    from jupyter_client.session import Session

    for name in ("launch_kernel", "wait", "poll", "pre_launch", "kill", "send_signal", "cleanup"):
        assert inspect.iscoroutinefunction(getattr(LocalProvisioner, name)), f"LocalProvisioner.{name}"
    assert list(inspect.signature(LocalProvisioner.launch_kernel).parameters)[:2] == ["self", "cmd"]
    for attribute in ("process", "pid", "pgid", "connection_info"):
        assert hasattr(LocalProvisioner, attribute), f"LocalProvisioner.{attribute}"
    # the kernel manager uses a provisioner set beforehand instead of creating one
    assert "provisioner" in vars(AsyncKernelManager) or hasattr(AsyncKernelManager, "provisioner")
    assert "if self.provisioner is None" in inspect.getsource(AsyncKernelManager._async_pre_start_kernel), \
        "jupyter_client no longer keeps a provisioner set on the kernel manager"
    for name in ("wait_for_ready", "is_alive", "execute_interactive"):
        assert inspect.iscoroutinefunction(getattr(AsyncKernelClient, name)), f"AsyncKernelClient.{name}"
    for name in ("timeout", "silent", "store_history", "user_expressions", "allow_stdin", "output_hook"):
        assert name in inspect.signature(AsyncKernelClient.execute_interactive).parameters, name
    assert isinstance(inspect.getattr_static(AsyncKernelClient, "channels_running"), property)
    assert inspect.iscoroutinefunction(AsyncKernelManager.shutdown_kernel) or \
        "now" in inspect.signature(AsyncKernelManager.shutdown_kernel).parameters
    assert "adapt_version" in Session.class_traits() or hasattr(Session(), "adapt_version")
    assert protocol_version_info[0] >= 5


def test_nbclient_hooks():
    from nbclient import NotebookClient

    traits = NotebookClient.class_traits()
    for name in ("on_cell_start", "kernel_manager_class", "resources", "shutdown_kernel"):
        assert name in traits, f"nbclient.NotebookClient.{name}"
    source = inspect.getsource(NotebookClient.async_start_new_kernel)
    assert 'get("path")' in source and '"cwd"' in source, \
        "nbclient no longer starts the kernel in the resources' path"
    setup = inspect.getsource(NotebookClient.setup_kernel)
    assert "self.owns_km" in setup, "nbclient no longer shuts down the kernels of the managers it creates"
    # a manager given to nbclient with a running kernel: used as is, never started nor stopped
    assert "if not self.km.has_kernel" in setup and "self.km.client()" in inspect.getsource(
        NotebookClient.async_start_new_kernel_client), "nbclient no longer uses a kernel it is given"
    assert "km" in inspect.signature(NotebookClient.__init__).parameters


def test_papermill_engine_api():
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    from coopwork.batch.engine import ENGINE_NAME, CoopworkEngine, register_engine

    parameters = list(inspect.signature(NBClientEngine.execute_managed_notebook).parameters)
    assert parameters[:2] == ["nb_man", "kernel_name"]
    assert "km" in inspect.signature(PapermillNotebookClient.__init__).parameters, \
        "papermill's client no longer takes a kernel manager (km)"
    register_engine()
    assert papermill_engines.get_engine(ENGINE_NAME) is CoopworkEngine


def test_engine_is_declared_through_papermills_entry_point():
    """The declared object runs notebooks with the real engine (papermill calls ``execute_notebook``)."""
    declared = _project()["entry-points"]["papermill.engine"]
    module, _, name = declared["coopwork"].partition(":")
    from importlib import import_module

    from papermill.engines import Engine

    entry = getattr(import_module(module), name)
    assert "execute_notebook" in vars(entry) and "execute_notebook" in vars(Engine)


@pytest.mark.parametrize("first", ["papermill.engines", "coopwork.batch.engine",
                                   "coopwork.batch.papermill_entry"])
def test_no_circular_import_with_the_entry_point_installed(first, tmp_path):
    """papermill loads entry points while it is imported: any import order works.

    It failed on a fresh install, whose entry point named the engine module itself.

    The entry point is installed here the way pip installs it (a dist-info on the path), so the
    test does not depend on how this checkout was installed.
    """
    import subprocess
    import sys

    declared = _project()["entry-points"]["papermill.engine"]["coopwork"]
    info = tmp_path / "coopwork_entry-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: coopwork-entry\nVersion: 0\n")
    (info / "entry_points.txt").write_text(f"[papermill.engine]\ncoopwork = {declared}\n")
    code = (f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import {first}; "
            "from papermill.engines import papermill_engines; "
            "from coopwork.batch.engine import CoopworkEngine, register_engine; "
            "assert papermill_engines.get_engine('coopwork') is not None; "
            "register_engine(); assert papermill_engines.get_engine('coopwork') is CoopworkEngine")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(("package", "bound"), [("jupyter_client", "<9"), ("voila", "<0.6")])
def test_upper_bounds_where_a_library_may_move_what_we_use(package, bound):
    """jupyter_client: provisioner attributes; Voilà: the pool's private names (dashboard/kernels.py)."""
    requirement = next(r for r in _project()["dependencies"] if r.lower().startswith(package))
    assert bound in requirement, requirement


def test_installed_releases_are_within_the_declared_bounds():
    from importlib.metadata import version

    from packaging.requirements import Requirement

    for requirement in map(Requirement, _project()["dependencies"]):
        if requirement.name in ("jupyter_client", "jupyter_server", "voila", "nbclient", "papermill"):
            installed = version(requirement.name)
            assert requirement.specifier.contains(installed, prereleases=True), (requirement, installed)
