"""Workshop load on the dashboards: 30 participants open the page at once, then all reload.

Bounded and loopback only. It starts ``coopwork serve`` in workshop mode (``--territory T
--expect N``) on 127.0.0.1 (a free port in 18800–18899), waits until the preheated pool is
ready, then fires two waves of N simultaneous page views and prints p50/p95 and the memory of
the server and its kernels.

What "rendered" means here. With Voilà 0.5 a plain GET of the page is not the page a person
sees: the HTML holds widget *references*; the browser then opens the kernel's websocket and
asks the kernel for the state of every widget (``jupyter.widget.control`` →
``request_states``), which holds the figures. Each simulated participant therefore does what
the page's JavaScript does against the server — GET the page (and, in the first wave, the
page's static files: browsers cache them for the reload), open the kernel channel, request the
widget states, and stop the clock when the states arrive **and contain the figures** of the
first tab (the charts' JSON that the page's script draws). What is left after that is drawing
in the participant's own browser, on the participant's own device. To check that this is what
people see, one real headless Chromium page (``/usr/bin/chromium``) is loaded *during* each
wave, as one of the N visitors (N - 1 protocol clients + 1 browser), and its time from request
to first drawn plotly chart is printed too (``--no-browser`` to skip it: then N protocol
clients).

The second wave does what a reload does: the old page's ``beforeunload`` shuts its kernel
down (``POST /voila/api/shutdown/<kernel>``), then the page is requested again.

Baseline measured in the same run (``--baseline N``, default 10, 0 to skip): plain Voilà (no
preheated pool) serving the same dashboard to N simultaneous participants; the ratio of p95s
is printed.

Usage::

    python benchmarks/dashboard_load.py [--workspace DIR] [--participants 30] [--baseline 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTLE = 3  # seconds between "every preheated page is ready" and the first wave
PATIENCE = 180  # seconds a participant waits before giving up (counted as failed)
TARGETS = {"wave1_p95": 5.0, "wave2_p95": 10.0, "memory_gb": 6.0}


def _port() -> int:
    from coopwork.dashboard.serve import free_port

    port = free_port()
    if port is None:
        raise SystemExit("no free port in 18800-18899")
    return port


def demo_workspace(folder: Path) -> Path:
    """The demo workspace (``coopwork demo --no-run``), else the synthetic one of the dashboard tests."""
    command = [sys.executable, "-m", "coopwork.cli", "demo", "--workspace", str(folder), "--no-run"]
    done = subprocess.run(command,
                          capture_output=True, text=True)
    if done.returncode == 0 and (folder / "data" / "processed").is_dir():
        return folder
    sys.path.insert(0, str(ROOT / "tests" / "dashboard"))
    from conftest import write_processed_workspace  # the tests' generic synthetic workspace

    from coopwork.demo import sample_survey_path

    print("(coopwork demo unavailable: using the synthetic workspace of tests/dashboard)", file=sys.stderr)
    return write_processed_workspace(folder, sample_survey_path())


# -- memory ------------------------------------------------------------------------------------
def tree_memory(pid: int) -> tuple[float, float, int]:
    """(RSS GB, PSS GB, number of kernels) of a process and all its children."""
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0, 0.0, 0
    rss = pss = 0
    kernels = 0
    for process in processes:
        try:
            info = process.memory_full_info()
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
            kernels += "ipykernel" in " ".join(process.cmdline())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return rss / 1e9, pss / 1e9, kernels


class MemoryWatch:
    """Sample the server's memory every half second; keep the peak."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.peak_pss, self.peak_kernels = pid, 0.0, 0.0, 0
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        while True:
            rss, pss, kernels = await asyncio.to_thread(tree_memory, self.pid)
            self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)
            self.peak_kernels = max(self.peak_kernels, kernels)
            await asyncio.sleep(0.5)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()


# -- one participant ---------------------------------------------------------------------------
class Participant:
    """Does against the server what one browser tab of the dashboard does."""

    def __init__(self, base: str, notebook: str, token: str) -> None:
        self.base, self.notebook, self.token = base, notebook, token
        self.kernel_id: str | None = None
        self.cookies: dict[str, str] = {}

    def _headers(self) -> dict:
        headers = {"Authorization": f"token {self.token}"} if self.token else {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if "_xsrf" in self.cookies:
                headers["X-XSRFToken"] = self.cookies["_xsrf"]
        return headers

    def _keep_cookies(self, response) -> None:
        for header in response.headers.get_list("Set-Cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    async def open(self, *, static: bool) -> float:
        from tornado.httpclient import AsyncHTTPClient, HTTPRequest
        from tornado.websocket import websocket_connect

        client = AsyncHTTPClient(max_clients=64)
        start = time.perf_counter()
        query = f"?token={self.token}" if self.token else ""
        page = await client.fetch(f"{self.base}/voila/render/{self.notebook}{query}", request_timeout=600,
                                  headers=self._headers())
        self._keep_cookies(page)
        html = page.body.decode()
        self.kernel_id = re.search(r'"kernelId":\s*"([0-9a-f-]+)"', html).group(1)
        # the page must hold the dashboard's widget view, or the browser would show nothing at all
        if "application/vnd.jupyter.widget-view+json" not in html:
            raise RuntimeError("the page holds no widget view (its preheated run was cut short)")
        if static:  # first visit: the page's own scripts and styles (the browser caches them)
            urls = set(re.findall(r'(?:src|href)="(/voila/[^"]+)"', html))
            await asyncio.gather(*(client.fetch(self.base + u.replace("&amp;", "&"), raise_error=False,
                                                request_timeout=600, headers=self._headers(),
                                                follow_redirects=False) for u in urls))
        session = uuid.uuid4().hex
        ws_url = (self.base.replace("http", "ws", 1) + f"/api/kernels/{self.kernel_id}/channels"
                  f"?session_id={session}" + (f"&token={self.token}" if self.token else ""))
        socket_ = await websocket_connect(HTTPRequest(ws_url, headers=self._headers(), request_timeout=600))
        comm_id = uuid.uuid4().hex

        def shell(msg_type: str, content: dict, metadata: dict | None = None) -> str:
            header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session,
                      "username": "participant", "version": "5.3", "date": ""}
            return json.dumps({"header": header, "parent_header": {}, "metadata": metadata or {},
                               "channel": "shell", "buffers": [], "content": content})

        # the widget manager's handshake: open the control comm (protocol 1.x), ask for every state
        opening = {"comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}}
        await socket_.write_message(shell("comm_open", opening, {"version": "1.0.0"}))
        await socket_.write_message(shell("comm_msg", {"comm_id": comm_id,
                                                       "data": {"method": "request_states"}}))
        while True:
            raw = await asyncio.wait_for(socket_.read_message(), timeout=600)
            if raw is None:
                raise RuntimeError("the kernel channel closed")
            if isinstance(raw, bytes):
                continue
            reply = json.loads(raw)
            data = reply.get("content", {}).get("data", {})
            if reply.get("msg_type") == "comm_msg" and data.get("method") == "update_states":
                states = json.dumps(data.get("states", {}))
                if "cw-figure" not in states:  # a chart's JSON (coopwork.dashboard.charts.chart_html)
                    raise RuntimeError("the widget states hold no figure")
                break
        elapsed = time.perf_counter() - start
        socket_.close()
        return elapsed

    async def leave(self) -> None:
        """What the page's ``beforeunload`` does: shut the kernel down."""
        from tornado.httpclient import AsyncHTTPClient

        if self.kernel_id:
            await AsyncHTTPClient().fetch(f"{self.base}/voila/api/shutdown/{self.kernel_id}", method="POST",
                                          body=b"", headers=self._headers(), raise_error=False,
                                          request_timeout=120)


def chromium_render(url: str) -> float:
    """Seconds from request to the first drawn plotly chart in a real headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        start = time.perf_counter()
        page.goto(url, timeout=PATIENCE * 1000)
        page.wait_for_selector(".js-plotly-plot .main-svg", state="attached", timeout=PATIENCE * 1000)
        elapsed = time.perf_counter() - start
        browser.close()
    return elapsed


def quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return statistics.median(ordered), p95


async def wave(participants: list[Participant], *, static: bool, reload: bool, browser_url: str | None):
    if reload:
        await asyncio.gather(*(p.leave() for p in participants))
    browser = asyncio.ensure_future(asyncio.to_thread(chromium_render, browser_url)) if browser_url else None
    results = await asyncio.gather(*(asyncio.wait_for(p.open(static=static), PATIENCE) for p in participants),
                                   return_exceptions=True)
    times = [r for r in results if isinstance(r, float)]
    errors = [r for r in results if not isinstance(r, float)]
    print(f"  … {len(times)} participants served, {len(errors)} failed", file=sys.stderr, flush=True)
    browser_time = None
    if browser is not None:
        try:
            browser_time = await browser
        except Exception as err:  # reported, not fatal: the protocol figures stand on their own
            browser_time = err
    return times, errors, browser_time


def wait_for_pool(log: Path, size: int, timeout: float) -> tuple[float, float]:
    """Wait until every page of the preheated pool has finished its run; return (started, ready) seconds.

    Voilà's "pool is filled" only means that the kernels are *started*; a page handed out before its
    run is over makes its participant wait for the rest of that run (the kernel manager logs each
    finished run, see ``coopwork.dashboard.kernels.READY_MESSAGE``).
    """
    start = time.monotonic()
    started = None
    pattern = re.compile(r"coopwork: (\d+) of (\d+) preheated pages ready")
    while time.monotonic() - start < timeout:
        text = log.read_text(errors="replace") if log.is_file() else ""
        if started is None and "is filled with" in text:
            started = time.monotonic() - start
        if any(int(ready) >= size for ready, _ in pattern.findall(text)):
            return started or 0.0, time.monotonic() - start
        time.sleep(0.5)
    raise SystemExit(f"the pool of {size} preheated pages was not ready after {timeout:.0f} s")


async def run_scenario(plan, process, *, n: int, territory: str, browser: bool, preheated: bool) -> dict:
    base = f"http://127.0.0.1:{plan.port}"
    notebook = f"{territory}.ipynb"
    url = f"{base}/voila/render/{notebook}?token={plan.token}"
    watch = MemoryWatch(process.pid)
    watch.start()
    # the real Chromium page is one of the n visitors (a pool of 2 n serves exactly two waves of n)
    people = [Participant(base, notebook, plan.token) for _ in range(n - 1 if browser else n)]
    t1, e1, b1 = await wave(people, static=True, reload=False, browser_url=url if browser else None)
    t2, e2, b2 = await wave(people, static=False, reload=True, browser_url=url if browser else None)
    await asyncio.sleep(20 if preheated else 2)  # the pool refills after the waves: count that memory too
    await watch.stop()
    await asyncio.gather(*(p.leave() for p in people))
    return {"wave1": t1, "wave1_errors": e1, "wave1_browser": b1, "wave2": t2, "wave2_errors": e2,
            "wave2_browser": b2, "peak_rss_gb": watch.peak, "peak_pss_gb": watch.peak_pss,
            "peak_kernels": watch.peak_kernels}


def serve(workspace: Path, *, territory: str, expect: int, log: Path):
    from coopwork.dashboard.serve import prepare, start, wait_until_listening

    plan = prepare(workspace, host="127.0.0.1", port=_port(), token="bench-" + uuid.uuid4().hex[:12],
                   territory=territory, expect=expect)
    process = start(plan, log=log)
    wait_until_listening(plan.host, plan.port, process=process, timeout=300)
    return plan, process


def stop(process) -> None:
    """Stop the server and every kernel it started."""
    import psutil

    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()


def report(name: str, result: dict) -> None:
    for label in ("wave1", "wave2"):
        times, errors = result[label], result[f"{label}_errors"]
        if times:
            p50, p95 = quantiles(times)
            print(f"{name} {label}: {len(times)} rendered, {len(errors)} failed; "
                  f"p50 {p50:.2f} s, p95 {p95:.2f} s, "
                  f"max {max(times):.2f} s")
        else:
            print(f"{name} {label}: all {len(errors)} failed: {errors[:1]}")
        browser = result[f"{label}_browser"]
        if browser is not None:
            shown = f"{browser:.2f} s" if isinstance(browser, float) else f"failed ({browser!r:.120})"
            print(f"{name} {label}: one real Chromium page during the wave: first chart drawn after {shown}")
    print(f"{name} memory: peak RSS {result['peak_rss_gb']:.2f} GB, PSS {result['peak_pss_gb']:.2f} GB, "
          f"{result['peak_kernels']} kernels at most")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspace", type=Path,
                        help="a workspace with processed data (default: a fresh demo)")
    parser.add_argument("--territory", help="workshop territory (default: the first)")
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--baseline", type=int, default=10, metavar="N",
                        help="participants for the plain-Voilà baseline (0: skip)")
    parser.add_argument("--no-browser", action="store_true", help="skip the real Chromium page")
    args = parser.parse_args()

    import psutil

    from coopwork.workspace import open_workspace

    temp = Path(tempfile.mkdtemp(prefix="coopwork-dashbench-"))
    try:
        workspace = args.workspace or demo_workspace(temp / "ws")
        territory = args.territory or open_workspace(workspace).territories[0]
        n = args.participants
        print(f"machine: {psutil.cpu_count()} cores, {psutil.virtual_memory().total / 1e9:.1f} GB; "
              f"load average before: {', '.join(f'{x:.1f}' for x in psutil.getloadavg())}")

        log = temp / "voila-workshop.log"
        plan, process = serve(workspace, territory=territory, expect=n, log=log)
        try:
            started, ready = wait_for_pool(log, 2 * n, timeout=900)
            print(f"workshop mode: territory {territory}, {2 * n} kernels started in {started:.1f} s, "
                  f"their pages ready in {ready:.1f} s")
            time.sleep(SETTLE)  # the facilitator gives the link once the server says it is ready
            result = asyncio.run(run_scenario(plan, process, n=n, territory=territory,
                                              browser=not args.no_browser, preheated=True))
        finally:
            stop(process)
        report("workshop", result)

        ratio = ""
        if args.baseline:
            from coopwork.dashboard.serve import prepare, start, wait_until_listening

            plan = prepare(workspace, host="127.0.0.1", port=_port(), token="bench-base",
                           territory=None, expect=0)
            process = start(plan, log=temp / "voila-plain.log")
            try:
                wait_until_listening(plan.host, plan.port, process=process, timeout=300)
                base = asyncio.run(run_scenario(plan, process, n=args.baseline, territory=territory,
                                                browser=False, preheated=False))
            finally:
                stop(process)
            report(f"plain Voilà ({args.baseline} participants)", base)
            if base["wave1"] and result["wave1"]:
                ratio = f"{quantiles(base['wave1'])[1] / quantiles(result['wave1'])[1]:.1f}"
                print(f"ratio plain/workshop, wave-1 p95 (plain with {args.baseline}, workshop with {n}): "
                      f"{ratio}x")

        served = n - (0 if args.no_browser else 1)
        ok = (len(result["wave1"]) == served and len(result["wave2"]) == served
              and quantiles(result["wave1"])[1] <= TARGETS["wave1_p95"]
              and quantiles(result["wave2"])[1] <= TARGETS["wave2_p95"]
              and result["peak_rss_gb"] <= TARGETS["memory_gb"])
        print(f"targets: wave 1 p95 <= {TARGETS['wave1_p95']} s, wave 2 p95 <= {TARGETS['wave2_p95']} s, "
              f"memory <= {TARGETS['memory_gb']} GB: {'MET' if ok else 'NOT MET'}")
        print(f"load average after: {', '.join(f'{x:.1f}' for x in psutil.getloadavg())}")
        return 0 if ok else 1
    finally:
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
