"""Contracts with Voilà and jupyter_server: the names ``coopwork.dashboard.kernels`` relies on.

``PoolAwareKernelManager`` follows Voilà's pool through public doors (the ``VOILA_PREHEAT`` environment
of the kernels it starts, ``get_rendered_notebook``, ``get_pool_size``, ``fill_if_needed``) and
jupyter_server's connection counts; it wraps one private name, ``_initialize`` (whose result holds
``kernel_id`` and the run's ``task``), to learn when a preheated run is over. pyproject.toml pins
``voila<0.6`` for that reason; these tests fail loudly when a release moves one of those names. The
behaviour is tested end to end against a real Voilà (test_kernels.py, test_serve.py, test_workshop.py).
"""

from __future__ import annotations

import inspect

from coopwork.dashboard.kernels import PoolAwareKernelManager


def _voila_class():
    from voila.voila_kernel_manager import voila_kernel_manager_factory

    return voila_kernel_manager_factory(PoolAwareKernelManager, preheat_kernel=True, default_pool_size=0)


def test_voilas_private_initialize():
    cls = _voila_class()
    assert inspect.iscoroutinefunction(cls._initialize), "Voilà's `_initialize` moved"
    assert list(inspect.signature(cls._initialize).parameters)[:3] == ["self", "notebook_path", "kernel_id"]
    source = inspect.getsource(cls._initialize)
    for key in ('"task"', '"kernel_id"'):
        assert key in source, f"Voilà's pool entries no longer hold {key}"


def test_voila_marks_the_kernels_of_its_pool_and_hands_them_out():
    from voila.utils import ENV_VARIABLE

    cls = _voila_class()
    assert ENV_VARIABLE.VOILA_PREHEAT == "VOILA_PREHEAT"
    assert 'kernel_env[ENV_VARIABLE.VOILA_PREHEAT] = "True"' in inspect.getsource(cls.fill_if_needed)
    assert inspect.iscoroutinefunction(cls.get_rendered_notebook)
    handing_out = inspect.getsource(cls.get_rendered_notebook)
    assert "return render_task, renderer.rendered_cache, kernel_id" in handing_out
    assert list(inspect.signature(cls.get_pool_size).parameters) == ["self", "notebook_name"]


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
    # the websocket of a page tells the manager when it opens and closes
    from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

    source = inspect.getsource(ZMQChannelsWebsocketConnection)
    assert "notify_connect(self.kernel_id)" in source and "notify_disconnect(self.kernel_id)" in source
    assert "connections" in inspect.getsource(AsyncMappingKernelManager.kernel_model)


def test_jupyter_servers_host_check_settings():
    """``allow_remote_access`` and ``local_hostnames`` (set by serve.voila_config) are still read."""
    from jupyter_server.base.handlers import JupyterHandler

    source = inspect.getsource(JupyterHandler.check_host)
    assert '"allow_remote_access"' in source and '"local_hostnames"' in source
    assert "check_host()" in inspect.getsource(JupyterHandler.prepare)
