"""The dashboard in a real headless Chromium: charts, filters, the journal, and escaping.

Screenshots go to ``test-output/screenshots/`` for a reviewer to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coopwork.dashboard.journal import Journal

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
TIMEOUT = 180_000  # ms: the machine may be shared




@pytest.fixture(scope="module")
def server(precomputed_workspace, tmp_path_factory):
    from coopwork.dashboard.serve import free_port, prepare, start, stop, wait_until_listening

    port = free_port() or pytest.skip("no free port in 18800-18899")
    plan = prepare(precomputed_workspace, port=port, token="browser-token")
    process = start(plan, log=tmp_path_factory.mktemp("browser") / "voila.log")
    try:
        wait_until_listening(plan.host, plan.port, process=process, timeout=120)
        yield plan
    finally:
        stop(process)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make browser)")
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


def _open(browser, server, name: str, *, width: int = 1280, height: int = 900):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(TIMEOUT)
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(server.urls[name], timeout=TIMEOUT)
    page.wait_for_selector(".js-plotly-plot .main-svg", state="attached")
    return page


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_dashboard_renders_plotly_charts(browser, server):
    page = _open(browser, server, "t01")
    assert page.locator(".js-plotly-plot").count() >= 3
    assert page.locator(".js-plotly-plot .main-svg rect.bg, .js-plotly-plot .main-svg .bars path").count() > 0
    assert "12" in page.inner_text(".cw-summary")  # 12 responding organisations in t01, wave 2025
    assert "Traceback" not in page.content()
    _shot(page, "t01_profile")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.wait_for_timeout(500)
    _shot(page, "t01_phone")
    page.close()


def test_a_filter_changes_the_charts_and_small_groups_show_lt3(browser, server):
    page = _open(browser, server, "t01")
    first = page.locator(".cw-chart-org_type .js-plotly-plot").first
    before = first.inner_text() if first.count() else page.locator(".js-plotly-plot").first.inner_html()
    summary = page.inner_text(".cw-summary")
    options = [o.replace("\xa0", " ") for o in page.locator(".cw-pick-org select option").all_inner_texts()]
    assert options[0] in ("Tous les types", "All types") and len(options) > 2
    page.select_option(".cw-pick-org select", index=1)
    page.wait_for_function("s => document.querySelector('.cw-summary').innerText !== s", arg=summary)
    after_summary = page.inner_text(".cw-summary")
    if "< 3" in after_summary:  # the first type is a small group: no number at all
        assert not any(ch.isdigit() for ch in after_summary.replace("< 3", "").replace("3", ""))
    else:
        page.wait_for_selector(".js-plotly-plot .main-svg", state="attached")
        after = page.locator(".js-plotly-plot").first.inner_html()
        assert after != before
    _shot(page, "t01_filtered")
    # a type with fewer than 3 organisations: "< 3" and no chart
    for index in range(2, len(options)):
        page.select_option(".cw-pick-org select", index=index)
        page.wait_for_timeout(300)
        page.wait_for_function("() => !document.querySelector('.cw-summary').innerText.includes('…')")
        text = page.inner_text(".cw-summary")
        if "< 3" in text:
            assert page.locator(".cw-tabs .js-plotly-plot").count() == 0
            _shot(page, "t01_small_group")
            break
    page.close()


def test_a_note_typed_in_the_page_is_stored_and_shown(browser, server, precomputed_workspace):
    page = _open(browser, server, "t02")
    block = page.locator(".cw-chart").first
    block.locator(".cw-text-input textarea").fill("Beaucoup de coopérations avec la mairie")
    block.locator(".cw-name-input input").fill("Camille")
    block.locator("button.cw-add-note").click()
    page.wait_for_function("() => document.querySelector('.cw-notes-box').innerText.includes('mairie')")
    assert "Camille" in block.locator(".cw-notes-box").inner_text()
    notes = Journal(workspace=precomputed_workspace).notes(territory="t02")
    assert "Beaucoup de coopérations avec la mairie" in notes["text"].tolist()
    assert notes.iloc[-1]["display_name"] == "Camille" and notes.iloc[-1]["wave"] == "2025"
    _shot(page, "t02_note")
    page.close()
    # another participant opening the page later sees it
    other = _open(browser, server, "t02")
    other.wait_for_function("() => document.querySelector('.cw-notes-box').innerText.includes('mairie')")
    other.close()


def test_a_script_note_stays_inert(browser, server, precomputed_workspace):
    page = _open(browser, server, "t01")
    attack = "<script>alert('xss')</script><img src=x onerror=\"alert('img')\"><b id=injected>bold</b>"
    block = page.locator(".cw-chart").first
    block.locator(".cw-text-input textarea").fill(attack)
    block.locator("button.cw-add-note").click()
    page.wait_for_function("() => document.querySelector('.cw-notes-box').innerText.includes('<script>')")
    page.wait_for_timeout(1000)
    assert page.dialogs == []
    assert page.locator("#injected").count() == 0
    assert page.locator(".cw-notes-box script, .cw-notes-box img").count() == 0
    assert attack in block.locator(".cw-notes-box").inner_text()
    _shot(page, "t01_script_note")
    page.close()
    assert attack in Journal(workspace=precomputed_workspace).notes(territory="t01")["text"].tolist()
