"""What a participant's browser pays for the dashboard: real headless Chromium against ``coopwork serve``.

Bounded and loopback only. It prepares the demo workspace (``coopwork demo --no-run``), starts
``coopwork serve`` in workshop mode (``--territory T --expect N``) on 127.0.0.1, waits until the
preheated pool is ready, then drives Debian Chromium (``/usr/bin/chromium``) with playwright:

1. **one participant** (a fresh browser profile): seconds from request to the first drawn plotly
   chart, and to every chart of the open tab; bytes transferred (HTTP bodies as sent on the
   wire, compressed or not, plus the websocket frames that carry the widgets) on a first visit,
   then on a reload (the browser's cache kept, as on a phone);
   Websocket frames are counted as Chromium hands them to the page, i.e. *after* per-message
   deflate: an upper bound of what went over the air.
2. **P pages at once** (``--pages``, default 10; each in its own browser profile, all in one
   Chromium): every chart of the open tab drawn; p50/p95 seconds. This counts the browsers'
   own CPU on the same cores as the server, so it is pessimistic for a room of phones.

Baseline measured in the same run (``--no-baseline`` to skip): plain Voilà serving the same
dashboard (every installed front-end extension, no compression, no cache headers), with only the
route of the page's script and plotly.js added so that its charts can be drawn: the same
participant's figures, and the ratios. The machine's cores and load (``os.getloadavg``) are
printed with the numbers: the figures of a shared machine are only comparable with its load.

Usage::

    python benchmarks/dashboard_browser.py [--workspace DIR] [--territory matera] [--pages 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from dashboard_load import _port, demo_workspace, stop, wait_for_pool  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PATIENCE = 240  # seconds a page may take before it counts as failed
TARGETS = {"first_chart_s": 3.0, "first_visit_mb": 4.0, "reload_mb": 0.5, "pages_p95_s": 20.0}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# plain Voilà with only the route of the dashboard's script and plotly.js added (the baseline)
PLAIN_VOILA = """import sys
from voila.app import Voila
from coopwork.dashboard.assets import asset_handler

class PlainVoila(Voila):
    def init_handlers(self):
        return [*super().init_handlers(), asset_handler(self.server_url)]

sys.exit(PlainVoila.launch_instance())
"""
# every chart of the open tab drawn (the tab holds as many plotly outputs as charts with a figure)
ALL_DRAWN = """() => {
  const shown = [...document.querySelectorAll('.cw-tabs .cw-has-figure')]
    .filter(e => e.offsetParent !== null);
  return shown.length > 0 && shown.every(e => e.querySelector('.js-plotly-plot .main-svg'));
}"""


class Meter:
    """Bytes a page received: HTTP responses (encoded, as on the wire) and websocket frames."""

    def __init__(self) -> None:
        self.http = 0
        self.websocket = 0
        self.requests = 0

    async def attach(self, page) -> None:
        session = await page.context.new_cdp_session(page)
        await session.send("Network.enable")

        def finished(event) -> None:
            self.http += int(event.get("encodedDataLength", 0))
            self.requests += 1

        def frame(event) -> None:
            self.websocket += len(event.get("response", {}).get("payloadData", "").encode())

        session.on("Network.loadingFinished", finished)
        session.on("Network.webSocketFrameReceived", frame)

    @property
    def megabytes(self) -> float:
        return (self.http + self.websocket) / 1e6


async def visit(page, url: str) -> tuple[float, float]:
    """Open ``url``; seconds to the first drawn chart and to every chart of the open tab."""
    start = time.perf_counter()
    await page.goto(url, timeout=PATIENCE * 1000)
    await page.wait_for_selector(".js-plotly-plot .main-svg", state="attached", timeout=PATIENCE * 1000)
    first = time.perf_counter() - start
    await page.wait_for_function(ALL_DRAWN, timeout=PATIENCE * 1000)
    return first, time.perf_counter() - start


async def one_participant(browser, url: str) -> dict:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    meter = Meter()
    await meter.attach(page)
    first, drawn = await visit(page, url)
    await page.wait_for_timeout(1500)  # late requests (fonts, icons) count too
    first_visit = (meter.megabytes, meter.requests)
    meter.http = meter.websocket = meter.requests = 0
    start = time.perf_counter()
    await page.reload(timeout=PATIENCE * 1000)
    await page.wait_for_selector(".js-plotly-plot .main-svg", state="attached", timeout=PATIENCE * 1000)
    reload_first = time.perf_counter() - start
    await page.wait_for_timeout(1500)
    result = {"first_chart_s": first, "tab_drawn_s": drawn, "first_visit_mb": first_visit[0],
              "first_visit_requests": first_visit[1], "reload_mb": meter.megabytes,
              "reload_requests": meter.requests, "reload_first_chart_s": reload_first}
    await context.close()
    return result


async def many_pages(browser, url: str, count: int) -> tuple[list[float], list]:
    contexts = [await browser.new_context(viewport={"width": 390, "height": 844}) for _ in range(count)]
    pages = [await c.new_page() for c in contexts]
    results = await asyncio.gather(*(visit(p, url) for p in pages), return_exceptions=True)
    for context in contexts:
        await context.close()
    times = [r[1] for r in results if isinstance(r, tuple)]
    return times, [r for r in results if not isinstance(r, tuple)]


def quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


async def measure(url: str, pages: int) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            single = await one_participant(browser, url)
            single["pages"] = await many_pages(browser, url, pages) if pages else ([], [])
        finally:
            await browser.close()
    return single


def serve(workspace: Path, *, territory: str, expect: int, log: Path, light: bool):
    from coopwork.dashboard.serve import prepare, start, wait_until_listening

    plan = prepare(workspace, host="127.0.0.1", port=_port(), token="bench-" + uuid.uuid4().hex[:12],
                   territory=territory, expect=expect)
    if light:
        process = start(plan, log=log)
    else:  # plain Voilà: every extension, no compression, no cache headers
        config_file = plan.folder / "voila.json"
        config = json.loads(config_file.read_text())
        config["VoilaConfiguration"].pop("extension_allowlist", None)
        config_file.write_text(json.dumps(config))
        env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1", "COOPWORK_DASHBOARD": "1"}
        with open(log, "ab") as output:
            process = subprocess.Popen([sys.executable, "-c", PLAIN_VOILA, str(plan.folder), "--no-browser"],
                                       cwd=plan.folder, env=env, stdout=output, stderr=subprocess.STDOUT)
    wait_until_listening(plan.host, plan.port, process=process, timeout=300)
    return plan, process


def run(workspace: Path, *, territory: str, pages: int, light: bool, temp: Path) -> dict:
    log = temp / f"voila-{'light' if light else 'default'}.log"
    plan, process = serve(workspace, territory=territory, expect=pages + 2, log=log, light=light)
    try:
        wait_for_pool(log, 2 * (pages + 2), timeout=900)
        time.sleep(3)
        url = plan.urls[territory].replace(plan.public_host, "127.0.0.1")
        return asyncio.run(measure(url, pages))
    finally:
        stop(process)


def report(name: str, result: dict) -> None:
    print(f"{name}: first chart {result['first_chart_s']:.2f} s, "
          f"whole first tab {result['tab_drawn_s']:.2f} s; "
          f"first visit {result['first_visit_mb']:.2f} MB in {result['first_visit_requests']} requests; "
          f"reload {result['reload_mb']:.2f} MB in {result['reload_requests']} requests "
          f"(first chart {result['reload_first_chart_s']:.2f} s)")
    times, errors = result["pages"]
    if times:
        p50, p95 = quantiles(times)
        print(f"{name}: {len(times)} pages at once drawn, {len(errors)} failed; "
              f"p50 {p50:.2f} s, p95 {p95:.2f} s")
    elif errors:
        print(f"{name}: all {len(errors)} pages failed: {errors[0]!r:.200}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, help="a workspace (default: a fresh demo workspace)")
    parser.add_argument("--territory", default="matera")
    parser.add_argument("--pages", type=int, default=10, help="pages opened at once (0: skip)")
    parser.add_argument("--no-baseline", action="store_true", help="skip Voilà's default page")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing (apt install chromium)")
    print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="cw-browser-") as folder:
        temp = Path(folder)
        workspace = args.workspace or demo_workspace(temp / "ws")
        light = run(workspace, territory=args.territory, pages=args.pages, light=True, temp=temp)
        report("coopwork", light)
        print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        if not args.no_baseline:
            default = run(workspace, territory=args.territory, pages=0, light=False, temp=temp)
            report("plain voila", default)
            for key in ("first_chart_s", "first_visit_mb", "reload_mb"):
                print(f"ratio {key}: {light[key] / max(default[key], 1e-9):.2f} (coopwork / plain voila)")
    p95 = quantiles(light["pages"][0])[1] if light["pages"][0] else float("inf")
    met = {"first_chart_s": light["first_chart_s"], "first_visit_mb": light["first_visit_mb"],
           "reload_mb": light["reload_mb"], "pages_p95_s": p95 if args.pages else 0.0}
    for key, target in TARGETS.items():
        print(f"target {key}: {met[key]:.2f} ≤ {target} {'ok' if met[key] <= target else 'MISSED'}")
    return 0 if all(met[k] <= v for k, v in TARGETS.items()) and not light["pages"][1] else 1


if __name__ == "__main__":
    sys.exit(main())
