"""``coopwork serve``: prepare the dashboards of a workspace and run the Voilà server.

What a facilitator gets (see the README, *Running a workshop*):

- one URL per territory dashboard plus the synthesis of all territories, printed on stdout;
- 127.0.0.1 by default; ``--host 0.0.0.0`` for a workshop room, then a token is generated (or
  ``--token``) and only people given the full link get in. Off loopback an empty (or too short)
  token is refused: the whole room's network would get in;
- on loopback, only requests addressed to this machine by name or address (``Host: 127.0.0.1``,
  ``localhost``, ``[::1]``) are served, and a websocket is accepted only from such a page: a web
  page elsewhere that re-points its own domain name to 127.0.0.1 ("DNS rebinding") gets 403
  (jupyter_server's ``allow_remote_access`` / ``local_hostnames`` check, which Voilà turns off by
  default). Off loopback the token, which that other page never has, does this job;
- a kernel is started for each page view; once its page is closed (no connection left) it is shut
  down after :data:`CULL_IDLE_SECONDS` idle (checked every :data:`CULL_INTERVAL_SECONDS`);
- ``voila.json`` (it holds the token) and the server's log are readable by their owner only;
- visitors never see code cells nor tracebacks (a friendly sentence instead) and cannot switch
  template or theme from the query string;
- workshop mode ``--territory T --expect N``: N kernels of T's dashboard are started *and
  executed* before anyone arrives (Voilà's preheated pool), plus a second pool of N refilling
  in the background, so that 30 people opening — then reloading — the page are served at once.
  Idle kernels of visitors who left are culled, the pool's kernels never.

How it works: :func:`prepare` makes sure every result is computed (:mod:`coopwork.results`) so
that a dashboard kernel only reads JSON, writes one notebook per territory (the dashboard
template with its parameters injected) into ``<workspace>/.coopwork/dashboards/notebooks/``,
creates the journal table, and writes the Voilà configuration ``voila.json`` next to them;
:func:`start` runs Voilà on it.

Examples
--------
>>> dashboard_urls("127.0.0.1", 8866, "", ["synthese", "t01"])
{'synthese': 'http://127.0.0.1:8866/voila/render/synthese.ipynb', 't01': 'http://127.0.0.1:8866/voila/render/t01.ipynb'}
>>> is_loopback("0.0.0.0"), is_loopback("localhost")
(False, True)
"""

from __future__ import annotations

import ctypes
import ipaddress
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from ..errors import DashboardError
from ..i18n import normalise_lang
from ..journal import Journal
from ..paths import name_for
from ..results.store import ensure, prepare_all
from ..threshold import DEFAULT_MIN_COUNT
from ..workspace import open_workspace

__all__ = ["CONNECT_TIMEOUT_SECONDS", "CULL_IDLE_SECONDS", "CULL_INTERVAL_SECONDS", "EXTENSIONS", "SYNTHESIS",
           "TEMPLATES", "ServerPlan", "dashboard_urls", "free_port", "is_loopback", "local_hostnames",
           "pool_ready", "prepare", "prepare_views", "private_file", "start", "start_views", "stop",
           "voila_config", "wait_until_listening", "wait_until_ready", "write_config", "write_notebook"]

SYNTHESIS = "synthese"
#: the data folder holding coopwork's Voilà page template (``voila/templates/coopwork``)
TEMPLATES = Path(__file__).resolve().parent / "jupyter"
#: kernels idle this long with no page connected are shut down; the preheated pool is never culled
CULL_IDLE_SECONDS = 90
#: how often kernels are checked for culling (a closed page's kernel goes within 2 minutes)
CULL_INTERVAL_SECONDS = 30
#: a kernel handed to a page that never connects (closed while loading) is shut down after this
CONNECT_TIMEOUT_SECONDS = 900
# the front-end extensions a dashboard page needs: ipywidgets (its manager and Voilà's widget manager
# for ipywidgets 8). Not loaded: the jupyterlab-plotly renderer (the whole of plotly.js: the page draws
# its charts itself), JupyterLab's code-highlighting theme and any other extension installed in the
# environment (jupytext, ...). Here rather than in voila_app: preparing a server imports no Voilà.
EXTENSIONS = ["@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8"]
#: shortest token accepted when the server listens beyond this machine
MIN_TOKEN = 8


@dataclass
class ServerPlan:
    """Everything needed to start the server and tell people where to go."""

    workspace: Path
    folder: Path                       # notebooks + voila.json
    host: str
    port: int
    token: str
    notebooks: dict[str, str] = field(default_factory=dict)  # dashboard name → notebook file name
    territory: str | None = None
    expect: int = 0
    lang: str = "fr"

    @property
    def urls(self) -> dict[str, str]:
        """Dashboard name → URL (with the token when there is one)."""
        stems = {name: file.removesuffix(".ipynb") for name, file in self.notebooks.items()}
        by_stem = dashboard_urls(self.public_host, self.port, self.token, list(stems.values()))
        return {name: by_stem[stem] for name, stem in stems.items()}

    @property
    def public_host(self) -> str:
        """The address participants type: the machine's LAN address when listening on all interfaces."""
        return _lan_address() if self.host in ("0.0.0.0", "::", "") else self.host


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach."""
    return host in ("localhost", "::1") or host.startswith("127.")


def local_hostnames(host: str) -> list[str]:
    """Host names (not addresses) a loopback server answers to: ``localhost`` and the one it was started on.

    Loopback addresses (127.x, ::1) are always accepted by the check; any other name in a
    request's ``Host`` header is refused (DNS rebinding).

    Examples
    --------
    >>> local_hostnames("127.0.0.1"), local_hostnames("localhost")
    (['localhost'], ['localhost'])
    """
    names = ["localhost"]
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host and host not in names:
            names.append(host)
    return names


def dashboard_urls(host: str, port: int, token: str, names: list[str]) -> dict[str, str]:
    """The URL of each dashboard notebook served by Voilà."""
    shown = f"[{host}]" if ":" in host else host
    query = f"?token={quote(token)}" if token else ""
    return {name: f"http://{shown}:{port}/voila/render/{quote(name)}.ipynb{query}" for name in names}


def _lan_address() -> str:
    """The address of this machine on the local network (no packet is sent)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))
        return probe.getsockname()[0]
    except OSError:
        return socket.gethostname()
    finally:
        probe.close()


def _template() -> dict:
    """The dashboard notebook: the source checkout's, else the built-in one (a notebook as plain JSON)."""
    for candidate in (Path(__file__).resolve().parents[2] / "notebooks" / "dashboard.ipynb",):
        if candidate.is_file():
            return json.loads(candidate.read_text(encoding="utf-8"))
    parameters = ('territory = None\nwave = None\nworkspace = "."\nlang = "fr"\n'
                  f"min_count = {DEFAULT_MIN_COUNT}")
    page = ("from coopwork.dashboard.page import dashboard\n\n"
            "dashboard(workspace, territory=territory, wave=wave, lang=lang, min_count=min_count)")
    cells = [_code_cell("parameters", parameters, tags=["parameters"]), _code_cell("dashboard", page)]
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _code_cell(cell_id: str, source: str, *, tags: list[str] | None = None) -> dict:
    """A code cell of an nbformat 4.5 notebook, without outputs."""
    return {"cell_type": "code", "execution_count": None, "id": cell_id,
            "metadata": {"tags": tags} if tags else {}, "outputs": [], "source": source}


def write_notebook(path: Path, parameters: dict, *, template: Path | None = None) -> Path:
    """Write the dashboard notebook with ``parameters`` injected after its ``parameters`` cell.

    The notebook is written as JSON (nbformat 4.5), without importing nbformat: ``coopwork serve``
    starts faster (nbformat's schema validation alone takes one to two seconds to import).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_notebook(Path(folder) / "t01.ipynb", {"territory": "t01"})
    ...     cells = json.loads(path.read_text())["cells"]
    >>> [c["metadata"].get("tags") for c in cells][:2], cells[1]["source"].splitlines()[1]
    ([['parameters'], ['injected-parameters']], "territory = 't01'")
    """
    notebook = json.loads(template.read_text(encoding="utf-8")) if template else _template()
    lines = ["# Parameters injected by coopwork serve"] + [f"{k} = {v!r}" for k, v in parameters.items()]
    injected = _code_cell("injected-parameters", "\n".join(lines), tags=["injected-parameters"])
    cells = notebook["cells"]
    position = next((i + 1 for i, c in enumerate(cells)
                     if "parameters" in c.get("metadata", {}).get("tags", [])), 0)
    cells.insert(position, injected)
    notebook["metadata"] = {**notebook.get("metadata", {}), "kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}}
    notebook["nbformat"], notebook["nbformat_minor"] = 4, max(5, int(notebook.get("nbformat_minor", 5)))
    for number, cell in enumerate(cells):
        cell.setdefault("id", f"cell-{number}")
        cell.setdefault("metadata", {})
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def voila_config(plan: ServerPlan, *, pool: dict[str, int] | None = None, max_kernels: int = 0,
                 cull_idle_seconds: int = CULL_IDLE_SECONDS,
                 cull_interval_seconds: int = CULL_INTERVAL_SECONDS,
                 connect_timeout: int = CONNECT_TIMEOUT_SECONDS) -> dict:
    """The Voilà configuration (``voila.json``) of a plan: security and workshop settings."""
    pool = {f"{name}.ipynb": size for name, size in (pool or {}).items() if size > 0}
    loopback = is_loopback(plan.host)
    config: dict = {
        "Voila": {"ip": plan.host, "port": plan.port, "open_browser": False, "token": plan.token,
                  "port_retries": 0, "root_dir": str(plan.folder),
                  # Voilà sets allow_remote_access=True; on loopback, serve only requests whose Host
                  # names this machine (DNS rebinding). Off loopback the token protects the server.
                  "tornado_settings": {"allow_remote_access": not loopback,
                                       "local_hostnames": local_hostnames(plan.host)}},
        "VoilaConfiguration": {
            "template": "coopwork",  # the lab page without its CDN style sheets (see TEMPLATES)
            "show_tracebacks": False, "strip_sources": True,
            "allow_template_override": "NO", "allow_theme_override": "NO",
            "multi_kernel_manager_class": "coopwork.dashboard.kernels.PoolAwareKernelManager",
            "preheat_kernel": bool(pool), "default_pool_size": 0,
            "file_allowlist": [r".*\.(png|jpg|gif|svg)", r"join\.html"],  # join.html: the QR code page
            # only the front-end extensions the dashboard uses (see coopwork.dashboard.voila_app)
            "extension_allowlist": list(EXTENSIONS),
        },
        # many kernels starting at once over TCP race for ports; local sockets cannot collide
        "KernelManager": {"transport": "ipc"},
        # the executor must wait for the dashboard's output even when 60 kernels preheat at once on
        # 2 cores: if it stops listening early, the page is stored without the dashboard's widget view
        # (an empty page for its visitor). The wait costs visitors nothing: links are given out once
        # every preheated page is ready (serve.wait_until_ready)
        "VoilaExecutor": {"iopub_timeout": 60, "timeout": 300},
        # a kernel whose page is gone (no connection) and idle is shut down; an open page keeps its kernel
        "MappingKernelManager": {"cull_idle_timeout": cull_idle_seconds,
                                 "cull_interval": cull_interval_seconds,
                                 "cull_connected": False, "cull_busy": False},
        # ... and a kernel handed to a page is kept until that page has connected (coopwork.dashboard.kernels)
        "PoolAwareKernelManager": {"max_kernels": max_kernels, "connect_timeout": connect_timeout},
        # the notebooks coopwork writes have no outputs: the server trusts them (WorkshopVoila signs them),
        # with its own key and signatures, not those of the user's Jupyter
        "NotebookNotary": {"data_dir": str(plan.folder.parent / "trust")},
        # the language of the page shown while the room warms up, when the browser asks for none we have
        "WorkshopVoila": {"lang": plan.lang},
    }
    if pool:
        config["VoilaKernelManager"] = {
            "kernel_pools_config": {"default": {"pool_size": 0},
                                    **{k: {"pool_size": v} for k, v in pool.items()}},
            # refill after the rush, not during it: the second half of the pool serves the reloads
            "fill_delay": 30,
        }
    return config


def prepare(workspace: str | Path, *, host: str = "127.0.0.1", port: int = 8866, token: str | None = None,
            territory: str | None = None, expect: int = 0, lang: str = "fr",
            min_count: int = DEFAULT_MIN_COUNT, database: str | None = None) -> ServerPlan:
    """Precompute the charts, write the dashboard notebooks and the Voilà configuration.

    Raises
    ------
    DashboardError
        When the workspace has no data yet, or ``territory`` is unknown.
    """
    ws = open_workspace(workspace, min_count=min_count)
    folder = ws.state_dir / "dashboards" / "notebooks"
    if not ws.waves:  # a form without a territory question has one dashboard: all respondents
        raise DashboardError("dashboard_errors.no_data", file=ws.processed_dir,
                             hint="dashboard_errors.hint_no_data")
    if territory is not None:
        ws.check(territory=territory)
    if expect < 0:
        raise DashboardError("dashboard_errors.bad_expect", value=expect)
    if token is None:
        token = "" if is_loopback(host) else (_previous_token(folder) or secrets.token_urlsafe(18))
    elif not is_loopback(host) and len(token.strip()) < MIN_TOKEN:
        raise DashboardError("dashboard.serve_empty_token", host=host, n=MIN_TOKEN, value="--token",
                             hint="dashboard.serve_empty_token_hint", lang=lang)
    langs = tuple(dict.fromkeys((normalise_lang(lang), "fr", "en")))
    prepare_all(ws, territories=[territory] if territory else None, min_count=min_count, langs=langs)
    if territory is not None:
        # the workshop page's filter answers at once: the organisation-type views of its own wave and
        # language are prepared now; those of the other waves and languages once the room is warm
        # (prepare_views, started by `coopwork serve`), or by the first page that asks for them
        ensure(ws, territories=[territory], langs=langs[:1], min_count=min_count, synthesis=False,
               by_org_type=True)
    Journal(database, workspace=ws.root).close()  # create the table before 30 kernels race to
    folder.mkdir(parents=True, exist_ok=True)
    (folder.parent / "trust").mkdir(mode=0o700, exist_ok=True)  # the server's notebook-signing key
    template = ws.root / "notebooks" / "dashboard.ipynb"
    template = template if template.is_file() else None
    names = [SYNTHESIS, *(ws.territories if territory is None else [territory])]
    notebooks = {}
    for name in names:
        parameters = {"territory": None if name == SYNTHESIS else name, "wave": None,
                      "workspace": str(ws.root), "lang": lang, "min_count": min_count}
        notebooks[name] = f"{name_for(name)}.ipynb"  # the path authority: never a path of its own
        write_notebook(folder / notebooks[name], parameters, template=template)
    for stale in folder.glob("*.ipynb"):
        if stale.name not in notebooks.values():
            stale.unlink()
    plan = ServerPlan(workspace=ws.root, folder=folder, host=host, port=port, token=token,
                      notebooks=notebooks, territory=territory, expect=expect, lang=normalise_lang(lang))
    # workshop mode: N kernels ready now, and N more ready for the moment everyone reloads; at most
    # 2.5 N kernels in all (≈ 72 MB each), the pool refilling as participants' old kernels close
    pool = {name_for(territory): 2 * expect} if territory and expect else {}
    config = voila_config(plan, pool=pool, max_kernels=(5 * expect + 1) // 2 if pool else 0)
    write_config(plan, config)
    return plan


def _previous_token(folder: Path) -> str | None:
    """The token of the last server of this workspace: a restarted server keeps its links (and QR code)
    valid, so the pages of the room come back by themselves (``--token`` chooses another one)."""
    try:
        token = json.loads((folder / "voila.json").read_text(encoding="utf-8"))["Voila"]["token"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return token if isinstance(token, str) and len(token.strip()) >= MIN_TOKEN else None


def prepare_views(workspace: str | Path, *, territory: str, lang: str = "fr",
                  min_count: int = DEFAULT_MIN_COUNT) -> None:
    """The organisation-type views of a workshop's territory in every wave and language, and of the
    synthesis: what :func:`prepare` leaves for later, so that no filter makes anyone wait."""
    prepare_all(open_workspace(workspace, min_count=min_count), territories=[territory], min_count=min_count,
                by_org_type=True, langs=tuple(dict.fromkeys((normalise_lang(lang), "fr", "en"))))


def write_config(plan: ServerPlan, config: dict) -> Path:
    """Write ``voila.json`` in the plan's folder, readable by its owner only (it holds the token)."""
    path = plan.folder / "voila.json"
    private_file(path).write_text(json.dumps(config, indent=1), encoding="utf-8")
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` (empty) if needed and make it readable and writable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)
    return path


def start(plan: ServerPlan, *, log: str | Path | None = None) -> subprocess.Popen:
    """Start Voilà on a prepared plan (a child process, so Ctrl+C stops it cleanly).

    The server's log goes to ``log`` when given (a file), else to this process's stderr. The server
    never outlives the process that started it, whatever ends that process (``kill -9`` too): on
    Linux the kernel sends it SIGTERM when its parent dies (:func:`_bound_to_parent`), and
    everywhere its own watchdog stops it once its parent is gone (:mod:`coopwork.dashboard.voila_app`);
    its kernels end with it (they watch their parent too).
    """
    env = dict(os.environ)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env["COOPWORK_DASHBOARD"] = "1"
    # the "coopwork" page template (voila_config): Voilà looks for templates on JUPYTER_PATH
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(TEMPLATES), env.get("JUPYTER_PATH")]))
    # Voilà with compressed, cacheable pages (coopwork.dashboard.voila_app)
    command = [sys.executable, "-m", "coopwork.dashboard.voila_app", str(plan.folder), "--no-browser"]
    options = {"cwd": plan.folder, "env": env, "preexec_fn": _bound_to_parent(os.getpid())}
    if log is None:
        return subprocess.Popen(command, stdout=sys.stderr, stderr=sys.stderr, **options)
    with open(private_file(Path(log)), "ab") as output:
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, **options)


def start_views(plan: ServerPlan, *, log: str | Path | None = None) -> subprocess.Popen | None:
    """Prepare the rest of the workshop territory's filter views (:func:`prepare_views`) in a child
    process of low priority, which ends with this one; None when there is no workshop territory.
    Its errors go to ``log`` (the server's log) when given."""
    if plan.territory is None:
        return None
    code = ("from coopwork.dashboard.serve import prepare_views; "
            f"prepare_views({str(plan.workspace)!r}, territory={plan.territory!r}, lang={plan.lang!r})")
    command = [sys.executable, "-c", code]
    bind = _bound_to_parent(os.getpid(), nice=10)
    if log is None:
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, preexec_fn=bind)
    with open(private_file(Path(log)), "ab") as output:
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=output, preexec_fn=bind)


def _bound_to_parent(parent: int, *, nice: int = 0):
    """What a child runs before its program (POSIX): SIGTERM when ``parent`` dies (Linux's
    ``PR_SET_PDEATHSIG``), at once when it is already gone, and a lower priority when ``nice``."""
    if os.name != "posix":
        return None

    def bind() -> None:
        if nice:
            os.nice(nice)
        if sys.platform.startswith("linux"):  # ctypes is imported above: a forked child takes no import lock
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
            if os.getppid() != parent:  # the parent died before the line above
                os.kill(os.getpid(), signal.SIGTERM)

    return bind


def stop(process: subprocess.Popen, *, timeout: float = 30) -> None:
    """Stop the server (Voilà shuts its kernels down on SIGTERM); kill it if it does not stop in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def free_port(low: int = 18800, high: int = 18899) -> int | None:
    """A port of ``low..high`` free on 127.0.0.1, or None when all are taken.

    The ports are tried from a random one on (then round), so that test runs or benchmarks started
    at the same time on one machine rarely reach for the same port.

    Examples
    --------
    >>> 18800 <= (free_port() or 18800) <= 18899
    True
    """
    first = random.randint(low, high)
    for port in [*range(first, high + 1), *range(low, first)]:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return None


def wait_until_listening(host: str, port: int, *, process: subprocess.Popen | None = None,
                         timeout: float = 120) -> None:
    """Wait until the server accepts connections.

    Raises
    ------
    DashboardError
        When the server stopped or did not answer in time.
    """
    target = "127.0.0.1" if host in ("0.0.0.0", "") else ("::1" if host == "::" else host)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise DashboardError("dashboard_errors.stopped", code=process.returncode,
                                 hint="dashboard_errors.hint_port", port=port, next_port=port + 1)
        try:
            with socket.create_connection((target, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise DashboardError("dashboard_errors.no_answer", port=port, seconds=f"{timeout:.0f}")


def pool_ready(log_text: str, notebook: str) -> tuple[int, int]:
    """(pages ready, pages in the pool) of ``notebook``'s preheated pool, by the last count the server logged.

    The pool holds fewer pages than asked when the memory budget is reached (people already hold
    theirs: a server restarted during a workshop), so "ready" is measured against what it holds.

    Examples
    --------
    >>> pool_ready("coopwork: 3 of 60 preheated pages ready for t01.ipynb\\n"
    ...            "coopwork: 4 of 60 preheated pages ready for t01.ipynb", "t01.ipynb")
    (4, 60)
    >>> pool_ready("", "t01.ipynb")
    (0, 0)
    """
    pattern = r"coopwork: (\d+) of (\d+) preheated pages ready for " + re.escape(notebook)
    counts = re.findall(pattern, log_text)
    return (int(counts[-1][0]), int(counts[-1][1])) if counts else (0, 0)


def wait_until_ready(plan: ServerPlan, log: str | Path, *, process: subprocess.Popen | None = None,
                     timeout: float = 900, on_progress=None) -> int:
    """Wait until every page of the workshop's preheated pool has finished running; return how many.

    ``on_progress(ready, size)`` is called each time the log is read (``coopwork serve`` shows it on
    one line).

    Raises
    ------
    DashboardError
        When the server stopped or the pool was not ready in time.
    """
    wanted = 2 * plan.expect if plan.territory and plan.expect else 0
    start_time = time.monotonic()
    path = Path(log)
    while True:
        text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        ready, size = pool_ready(text, plan.notebooks.get(plan.territory, "")) if wanted else (0, 0)
        if on_progress is not None:
            on_progress(ready, size or wanted)
        if not wanted or (size and ready >= size):
            return ready
        if process is not None and process.poll() is not None:
            raise DashboardError("dashboard_errors.stopped", code=process.returncode, file=path)
        if time.monotonic() - start_time > timeout:
            raise DashboardError("dashboard_errors.not_ready", size=wanted, seconds=f"{timeout:.0f}",
                                 file=path, hint="dashboard_errors.hint_not_ready")
        time.sleep(0.5)
