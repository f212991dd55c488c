"""Contracts with Voilà and jupyter_server: the names ``coopwork.dashboard.kernels`` relies on.

Voilà has no public way to see its preheated pool, so ``PoolAwareKernelManager`` reads the pool
(``_pools``: notebook → list of tasks whose result holds ``kernel_id``, ``task``, ``renderer``)
and wraps ``_initialize``. pyproject.toml pins ``voila<0.6`` for that reason; these tests fail
loudly when a release moves one of those names. The behaviour is tested end to end by the
workshop test of test_serve.py (a real preheated pool).
"""

from __future__ import annotations

import inspect

from coopwork.dashboard.kernels import PoolAwareKernelManager


def _voila_class():
    from voila.voila_kernel_manager import voila_kernel_manager_factory

    return voila_kernel_manager_factory(PoolAwareKernelManager, preheat_kernel=True, default_pool_size=0)


def test_voilas_pool_names():
    cls = _voila_class()
    assert "self._pools" in inspect.getsource(cls.__init__), "Voilà's pool is no longer `_pools`"
    assert inspect.iscoroutinefunction(cls._initialize), "Voilà's `_initialize` moved"
    assert list(inspect.signature(cls._initialize).parameters)[:3] == ["self", "notebook_path", "kernel_id"]
    source = inspect.getsource(cls._initialize)
    for key in ('"task"', '"renderer"', '"kernel_id"'):
        assert key in source, f"Voilà's pool entries no longer hold {key}"
    from voila.notebook_renderer import NotebookRenderer

    assert "self.stop_generator" in inspect.getsource(NotebookRenderer), "NotebookRenderer.stop_generator"


def test_voilas_public_pool_methods():
    cls = _voila_class()
    parameters = inspect.signature(cls.fill_if_needed).parameters
    assert "delay" in parameters and "notebook_name" in parameters
    assert "kernel_pools_config" in cls.class_traits()
    assert "fill_delay" in cls.class_traits()


def test_jupyter_servers_culler():
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

    assert inspect.iscoroutinefunction(AsyncMappingKernelManager.cull_kernel_if_idle)
    for trait in ("cull_idle_timeout", "cull_interval", "cull_connected", "cull_busy"):
        assert trait in AsyncMappingKernelManager.class_traits(), trait


def test_jupyter_servers_host_check_settings():
    """``allow_remote_access`` and ``local_hostnames`` (set by serve.voila_config) are still read."""
    from jupyter_server.base.handlers import JupyterHandler

    source = inspect.getsource(JupyterHandler.check_host)
    assert '"allow_remote_access"' in source and '"local_hostnames"' in source
    assert "check_host()" in inspect.getsource(JupyterHandler.prepare)
