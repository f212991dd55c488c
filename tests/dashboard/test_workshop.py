"""The workshop as it really happens, shortened: real Voilà, real Chromium, short timeouts.

The server starts before anyone comes; a participant arrives during the warm-up; the room then waits
longer than the cull timeout before the others come; a kernel goes while its page is open (a phone that
slept too long); the server restarts in the middle; notes are typed while the kernel is gone. No timing
is asserted (``benchmarks/dashboard_field.py`` measures). Screenshots go to ``test-output/screenshots/``.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
from pathlib import Path

import pytest

from coopwork.journal import Journal

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
TIMEOUT = 240_000  # ms: the machine may be shared
CULL_IDLE, CULL_INTERVAL = 4, 1
PATIENCE = 20  # seconds a received page may take to show its dashboard before it reloads itself
DRAWN = ".cw-plot.cw-drawn .main-svg"
# a first cell that holds the preheated runs while the file "hold" is next to the notebook: the tests see
# the room while it warms up, as long as they need
HOLD = "import os, time\nwhile os.path.exists('hold'):\n    time.sleep(0.2)"


class Room:
    """The workshop server of these tests: started, stopped, restarted on the same port and token."""

    def __init__(self, plan, log: Path) -> None:
        self.plan, self.log, self.process = plan, log, None

    @property
    def url(self) -> str:
        return self.plan.urls["t01"]

    def start(self) -> None:
        from coopwork.dashboard.serve import start, wait_until_listening

        self.process = start(self.plan, log=self.log)
        wait_until_listening(self.plan.host, self.plan.port, process=self.process)

    def stop(self) -> None:
        from coopwork.dashboard.serve import stop

        if self.process is not None:
            stop(self.process)

    def release(self) -> None:
        """Let the preheated runs finish (see :data:`HOLD`)."""
        (self.plan.folder / "hold").unlink(missing_ok=True)

    def wait_warm(self) -> None:
        from coopwork.dashboard.serve import wait_until_ready

        self.release()
        wait_until_ready(self.plan, self.log, process=self.process, timeout=600)

    def end_kernel(self, kernel_id: str) -> None:
        """What the culler does to a page's kernel after a phone slept too long."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.plan.port}/api/kernels/{kernel_id}", method="DELETE",
            headers={"Authorization": f"token {self.plan.token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 204

    def notes(self, text: str) -> list[dict]:
        notes = Journal(workspace=self.plan.workspace).records(territory="t01")
        return [note for note in notes if note["text"] == text]


@pytest.fixture(scope="module")
def room(precomputed_workspace, tmp_path_factory):
    from coopwork.dashboard.serve import free_port, prepare, voila_config, write_config

    folder = tmp_path_factory.mktemp("workshop")
    workspace = folder / "workspace"
    shutil.copytree(precomputed_workspace, workspace, ignore=shutil.ignore_patterns("dashboards"))
    port = free_port() or pytest.skip("no free port in 18800-18899")
    plan = prepare(workspace, port=port, token="room-token-23", territory="t01", expect=2)
    config = voila_config(plan, pool={"t01": 4}, max_kernels=10, cull_idle_seconds=CULL_IDLE,
                          cull_interval_seconds=CULL_INTERVAL)
    config["VoilaKernelManager"]["fill_delay"] = 1
    config["WorkshopVoila"]["patience"] = PATIENCE
    write_config(plan, config)
    notebook = plan.folder / "t01.ipynb"
    content = json.loads(notebook.read_text())
    content["cells"].insert(0, {"cell_type": "code", "execution_count": None, "id": "hold", "metadata": {},
                                "outputs": [], "source": HOLD})
    notebook.write_text(json.dumps(content))
    (plan.folder / "hold").touch()
    room = Room(plan, folder / "voila.log")
    room.start()
    try:
        yield room
    finally:
        room.stop()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _page(browser, *, locale: str = "fr-FR", width: int = 390, height: int = 844):
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    return page


KERNEL = "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
STATE = "JSON.parse(document.querySelector('.cw-page-state script').textContent)"
KEPT = "localStorage.getItem('coopwork-notes:' + location.pathname)"  # the notes the page keeps


def _kernel(page) -> str:
    return page.evaluate(f"() => {KERNEL}")


def _state(page) -> dict:
    return page.evaluate(f"() => {STATE}.state")


def test_a_participant_during_the_warm_up_gets_a_page_that_waits_then_draws_by_itself(browser, room):
    page = _page(browser, locale="de-DE")
    page.goto(room.url, timeout=TIMEOUT)
    page.wait_for_selector("body.cw-waiting")
    assert "Diese Seite wird vorbereitet" in page.inner_text("body")  # the browser's language
    _shot(page, "workshop_warming_up_de")
    room.release()
    page.wait_for_selector(DRAWN, state="attached")  # no click, no reload by hand
    assert page.locator(".cw-dashboard").count() == 1
    _shot(page, "workshop_warmed_up")
    page.context.close()


def test_after_an_idle_period_longer_than_the_cull_timeout_every_page_draws(browser, room):
    room.wait_warm()
    time.sleep(CULL_IDLE + 3 * CULL_INTERVAL)  # nobody connected: the pool is older than the cull timeout
    pages = [_page(browser) for _ in range(3)]
    for page in pages:  # three participants at once
        page.goto(room.url, wait_until="commit", timeout=TIMEOUT)
    for page in pages:
        page.wait_for_selector(DRAWN, state="attached")
    time.sleep(CULL_IDLE + 3 * CULL_INTERVAL)  # and they read it, idle, longer than the cull timeout
    for page in pages:
        assert page.locator("#cw-banner >> visible=true").count() == 0
    _shot(pages[0], "workshop_after_idle_room")
    log = room.log.read_text()
    for page in pages:
        assert f"Culling 'idle' kernel 'python3' ({_kernel(page)})" not in log
        page.context.close()


def test_a_page_whose_kernel_went_comes_back_to_its_place_and_keeps_the_note_typed_meanwhile(browser, room):
    room.wait_warm()
    page = _page(browser, width=1280, height=900)
    page.goto(room.url, timeout=TIMEOUT)
    page.wait_for_selector(DRAWN, state="attached")
    page.locator(".cw-pick-lang button", has_text="EN").click()
    page.wait_for_function("() => document.querySelector('.cw-tabs').innerText.includes('Write a note')")
    page.locator(".cw-tabs .lm-TabBar-tab").nth(1).click()
    page.wait_for_function(f"() => {STATE}.state.tab === 1")
    block = page.locator(".cw-tabs .cw-chart >> visible=true").first
    block.locator("button.cw-write-note").click()
    block.locator(".cw-text-input textarea").fill("Written while the kernel was gone")
    before = _kernel(page)
    place = _state(page)
    room.end_kernel(before)  # the phone slept longer than the cull timeout
    block.locator("button.cw-add-note").click()
    # the page finds its kernel gone and reloads itself, into the same language, tab and note form
    page.wait_for_function(f"() => {KERNEL} !== '{before}'")
    page.wait_for_selector(DRAWN, state="attached")
    page.wait_for_function(f"place => {{ const s = {STATE}; return s.state.lang === place.lang"
                           " && s.state.tab === place.tab && Object.values(s.acks).includes('stored'); }",
                           arg=place)
    assert "Write a note" in page.inner_text(".cw-tabs")
    assert _state(page)["form"]["chart"] == place["form"]["chart"]
    assert len(room.notes("Written while the kernel was gone")) == 1
    page.wait_for_function(f"() => {KEPT} === null")  # the page heard it: nothing kept any more
    page.locator(".cw-form-box").first.scroll_into_view_if_needed()
    _shot(page, "workshop_kernel_gone_page_back")
    page.context.close()


def test_a_note_whose_add_was_pressed_as_the_page_reloaded_is_stored_after_the_reload(browser, room):
    """"Add" pressed in the moment the page reloads (its kernel gone while the phone slept: the field
    benchmark lost such a note): the page remembers the press with the note being typed, gives the
    note back to its form after the reload and presses "Add" again; the note is stored once."""
    room.wait_warm()
    page = _page(browser)
    page.goto(room.url, timeout=TIMEOUT)
    page.wait_for_selector(DRAWN, state="attached")
    block = page.locator(".cw-tabs .cw-chart.cw-has-figure >> visible=true").first
    block.locator("button.cw-write-note").click()
    page.wait_for_function(f"() => {STATE}.state.form")
    block.locator(".cw-text-input textarea").fill("Ajoutée pendant que la page se rechargeait")
    key = "'coopwork-draft:' + location.pathname"
    # what the page keeps when "Add" is pressed, caught before the note reached its outbox
    page.evaluate(f"() => {{ const d = JSON.parse(localStorage.getItem({key})); d.add = true;"
                  f" localStorage.setItem({key}, JSON.stringify(d)); }}")
    page.reload(timeout=TIMEOUT)
    page.wait_for_selector(DRAWN, state="attached")
    page.wait_for_function(f"() => Object.values({STATE}.acks).includes('stored')")
    assert len(room.notes("Ajoutée pendant que la page se rechargeait")) == 1
    page.wait_for_function(f"() => {KEPT} === null && localStorage.getItem({key}) === null")
    page.context.close()


def test_a_note_pressed_before_the_kernel_heard_of_its_form_is_stored_after_the_reload(browser, room):
    """The server went down between opening the note form and "Add" (the field benchmark lost such a note):
    the kernel never heard of the form, so the page kept the note being typed and the press only; after the
    reload it opens the form again, gives the note back and presses "Add"; the note is stored once."""
    room.wait_warm()
    page = _page(browser)
    page.goto(room.url, timeout=TIMEOUT)
    page.wait_for_selector(DRAWN, state="attached")
    block = page.locator(".cw-tabs .cw-chart.cw-has-figure >> visible=true").first
    css = next(name[len("cw-chart-"):] for name in block.get_attribute("class").split()
               if name.startswith("cw-chart-"))
    key = "'coopwork-draft:' + location.pathname"
    text = "Notée avant que le noyau ne sache le formulaire ouvert"
    pressed = {"css": css, "text": text, "add": True}  # what the page kept of the note and of the press
    page.evaluate(f"d => localStorage.setItem({key}, JSON.stringify(d))", pressed)
    page.reload(timeout=TIMEOUT)
    page.wait_for_selector(DRAWN, state="attached")
    page.wait_for_function(f"() => Object.values({STATE}.acks).includes('stored')")
    assert len(room.notes(text)) == 1
    page.wait_for_function(f"() => {KEPT} === null && localStorage.getItem({key}) === null")
    page.context.close()


def test_a_server_restart_mid_page_recovers_by_itself_and_stores_the_note_sent_while_down(browser, room):
    room.wait_warm()
    page = _page(browser)
    page.goto(room.url, timeout=TIMEOUT)
    page.wait_for_selector(DRAWN, state="attached")
    page.locator(".cw-pick-lang button", has_text="IT").click()
    page.wait_for_function(f"() => {STATE}.state.lang === 'it'")
    block = page.locator(".cw-tabs .cw-chart.cw-has-figure >> visible=true").first
    block.locator("button.cw-write-note").click()
    block.locator(".cw-text-input textarea").fill("Scritta mentre il server ripartiva")
    before = _kernel(page)
    room.stop()
    block.locator("button.cw-add-note").click()  # the server is down: the note stays in the browser
    page.wait_for_selector("#cw-banner", state="visible")
    assert page.evaluate(f"() => {KEPT}")
    _shot(page, "workshop_server_down")
    room.start()  # the same port and token: the page comes back by itself
    page.wait_for_function(f"() => {{ const c = document.getElementById('jupyter-config-data');"
                           f" return c && JSON.parse(c.textContent).kernelId !== '{before}'; }}")
    room.release()
    page.wait_for_selector(DRAWN, state="attached")
    page.wait_for_function(f"() => {{ const s = {STATE};"
                           " return s.state.lang === 'it' && Object.values(s.acks).includes('stored'); }")
    assert len(room.notes("Scritta mentre il server ripartiva")) == 1
    page.wait_for_function(f"() => {KEPT} === null")  # the page heard it: nothing kept any more
    _shot(page, "workshop_after_restart_it")
    page.context.close()


def test_a_page_whose_dashboard_never_shows_reloads_itself(browser, room):
    """The kernel's answers to the page's first questions never come (a crowded server, a lost frame): the
    page shows nothing; after its patience it reloads, and the dashboard comes."""
    room.wait_warm()
    page = _page(browser)
    connections = []

    def route(socket) -> None:
        server = socket.connect_to_server()
        connections.append(socket)
        if len(connections) == 1:  # the first page view: the widgets' messages from the kernel are lost
            server.on_message(lambda message: None if "comm_" in (message if isinstance(message, str)
                                                                   else message.decode("latin-1"))
                              else socket.send(message))

    page.route_web_socket("**/api/kernels/**", route)
    page.goto(room.url, timeout=TIMEOUT)
    page.wait_for_timeout(PATIENCE * 1000 / 2)
    assert page.locator(".cw-dashboard").count() == 0  # nothing shows
    page.wait_for_selector(DRAWN, state="attached")  # until the page reloaded itself
    assert len(connections) >= 2
    _shot(page, "workshop_page_that_never_showed_reloaded")
    page.context.close()
