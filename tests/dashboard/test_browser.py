"""The dashboard in a real headless Chromium: charts, filters, the journal, and escaping.

Screenshots go to ``test-output/screenshots/`` for a reviewer to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coopwork.journal import Journal

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
TIMEOUT = 180_000  # ms: the machine may be shared




@pytest.fixture(scope="module")
def server(precomputed_workspace, tmp_path_factory, serving):
    from coopwork.dashboard.serve import free_port, prepare

    port = free_port() or pytest.skip("no free port in 18800-18899")
    plan = prepare(precomputed_workspace, port=port, token="browser-token")
    with serving(plan, tmp_path_factory.mktemp("browser") / "voila.log"):
        yield plan


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
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(server.urls["t01"], timeout=TIMEOUT)
    # every chart of the open tab is drawn, those on the screen first (static/page.js)
    page.wait_for_function("""() => {
      const plots = [...document.querySelectorAll('.cw-plot')].filter(e => e.offsetParent !== null);
      return plots.length >= 3 && plots.every(e => e.querySelector('.main-svg'));
    }""")
    # one plotly.js, the light one when make could fetch it; not jupyterlab-plotly's whole plotly.js
    plotly = [url for url in asked if "plotly" in url]
    assert len(plotly) == 1 and "/coopwork/static/plotly.js?v=" in plotly[0], plotly
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
    block.locator("button.cw-write-note").click()
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
    block.locator("button.cw-write-note").click()
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


# -- the workshop room: phones, the QR code page, notes everyone sees --------------------------------------
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


def _open_tab(page, title_part: str) -> None:
    """Click the tab whose title contains ``title_part`` and wait for its charts to be drawn."""
    page.locator(".cw-tabs .lm-TabBar-tab", has_text=title_part).first.click()
    page.wait_for_function("""() => {
      const shown = [...document.querySelectorAll('.cw-tabs .cw-chart')].filter(e => e.offsetParent !== null);
      return shown.length > 0 && shown.every(e => !e.classList.contains('cw-has-figure')
                                              || e.querySelector('.js-plotly-plot .main-svg'));
    }""")
    page.wait_for_timeout(500)


SCROLLER = "() => Math.max(...[...document.querySelectorAll('.lm-BoxPanel-child')].map(e => e.scrollHeight))"


def _shot_whole(page, name: str, width: int, height: int) -> None:
    """A screenshot of the whole open tab: the window made as tall as the page (it scrolls inside)."""
    tall = max(height, min(page.evaluate(SCROLLER), 16000))
    page.set_viewport_size({"width": width, "height": tall})
    page.wait_for_timeout(800)  # the charts that came on the screen are drawn
    _shot(page, name)
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(300)


@pytest.mark.parametrize("size", list(SIZES))
def test_every_tab_reads_well_at_desktop_and_phone_size(browser, server, size, layout_problems):
    """Every tab, as a participant sees it on a laptop and on a phone: no text cut by a chart's edge,
    no texts over one another, no whisker across a text, nothing too small to read, no sideways
    scrolling (tests/layout_check.js); a screenshot of each tab for a person to look at."""
    width, height = SIZES[size]
    page = _open(browser, server, "t01", width=width, height=height)
    titles = page.locator(".cw-tabs .lm-TabBar-tab").all_inner_texts()
    assert len(titles) >= 8
    found = {}
    for index, title in enumerate(titles):
        page.locator(".cw-tabs .lm-TabBar-tab").nth(index).click()
        page.wait_for_function("""() => {
          const shown = [...document.querySelectorAll('.cw-tabs .cw-chart')]
            .filter(e => e.offsetParent !== null);
          return shown.length > 0 && shown.every(e => !e.classList.contains('cw-has-figure')
                                                  || e.querySelector('.cw-plot.cw-drawn .main-svg'));
        }""")
        page.wait_for_timeout(300)
        problems = layout_problems(page)
        if problems:
            found[title] = problems[:6]
        _shot_whole(page, f"t01_tab{index:02d}_{size}", width, height)
    if size == "phone":  # one column, controls big enough for a finger, tabs in a tidy grid
        pickers = (".cw-pick-wave", ".cw-pick-org", ".cw-pick-section")
        rows = [page.locator(sel).first.bounding_box() for sel in pickers]
        selects = [page.locator(f"{sel} select").first.bounding_box() for sel in pickers]
        assert all(box["height"] >= 40 and box["width"] >= 150 for box in selects)
        assert all(box["width"] >= width - 60 for box in rows)  # full width, one under the other
        assert rows[0]["y"] < rows[1]["y"] < rows[2]["y"]
        assert page.locator(".cw-write-note >> visible=true").first.bounding_box()["height"] >= 40
        tabs = [b for b in (tab.bounding_box() for tab in page.locator(".cw-tabs .lm-TabBar-tab").all()) if b]
        assert all(b["height"] >= 40 and b["x"] >= 0 and b["x"] + b["width"] <= width for b in tabs), tabs
        assert len({round(b["width"]) for b in tabs}) <= 2  # two columns of equal tabs, not a ragged line
        assert page.locator(".modebar-container >> visible=true").count() == 0  # no toolbar on a phone
    assert page.evaluate("() => document.documentElement.lang") == "fr"
    page.close()
    assert found == {}, f"at {size}: " + "; ".join(f"{tab}: {p}" for tab, p in found.items())


def test_the_network_filter_shows_one_kind_of_tie(browser, server):
    page = _open(browser, server, "t01")
    _open_tab(page, "Réseau")
    chart = page.locator(".cw-chart-network .js-plotly-plot").first
    chart.locator(".updatemenu-header-group").click()
    buttons = chart.locator(".updatemenu-dropdown-button")
    assert buttons.count() > 2
    header = chart.locator(".updatemenu-header-group")
    before = " ".join(header.text_content().split())
    buttons.nth(1).click()
    page.wait_for_function("([selector, before]) => document.querySelector(selector).textContent"
                           ".replace(/\\s+/g, ' ').trim() !== before",
                           arg=[".cw-chart-network .js-plotly-plot .updatemenu-header-group", before])
    assert before.startswith("Tous les liens")  # then the menu's arrow
    assert chart.locator(".scatterlayer .trace").count() >= 2  # the chosen ties and the organisations
    _shot(page, "t01_network_filtered")
    page.close()


def test_a_note_appears_on_every_open_page_without_a_click_and_hiding_removes_it(
        browser, server, precomputed_workspace):
    pages = [_open(browser, server, "t02") for _ in range(3)]
    writer = pages[0]
    block = writer.locator(".cw-chart").first
    block.locator("button.cw-write-note").click()
    block.locator(".cw-text-input textarea").fill("Une note que toute la salle voit")
    block.locator("button.cw-add-note").click()
    for page in pages[1:]:  # nobody clicks anything on these pages
        page.wait_for_function("() => document.querySelector('.cw-notes-box').innerText"
                               ".includes('toute la salle')", timeout=30_000)
    _shot(pages[1], "t02_live_note_other_page")
    journal = Journal(workspace=precomputed_workspace)
    notes = journal.notes(territory="t02")
    note = int(notes.loc[notes["text"] == "Une note que toute la salle voit", "id"].iloc[0])
    journal.hide(note)  # what `coopwork journal hide` does
    for page in pages:
        page.wait_for_function("() => !document.querySelector('.cw-notes-box').innerText"
                               ".includes('toute la salle')", timeout=30_000)
    for page in pages:
        page.close()


def _wait_marked(page, label: str) -> list[str]:
    """The bars marked ✎ once ``label`` is among them (the chart is redrawn after its notes)."""
    page.wait_for_function("""label => [...document.querySelectorAll('.js-plotly-plot')].some(plot =>
      ((plot._fullLayout || {}).annotations || []).some(a => a.name === 'cw-note-mark'
        && String(a.y).split('<br>').join(' ') === label))""", arg=label, timeout=30_000)
    return _marked_bars(page)


def _marked_bars(page) -> list[str]:
    """The bars marked ✎ on a page: the category label on the same row as each mark."""
    return page.evaluate("""() => {
      const out = [];
      for (const plot of document.querySelectorAll('.js-plotly-plot')) {
        const layout = plot._fullLayout;
        if (!layout || !layout.annotations) continue;
        for (const a of layout.annotations) {
          if (a.name === 'cw-note-mark') out.push(String(a.y).split('<br>').join(' '));
        }
      }
      return out;
    }""")


def test_a_note_attached_to_a_bar_marks_the_bar_on_every_page_and_language(
        browser, server, precomputed_workspace):
    pages = [_open(browser, server, "t01") for _ in range(3)]
    writer, english = pages[0], pages[2]
    english.locator(".cw-pick-lang button", has_text="EN").click()  # a reader of another language
    english.wait_for_function("() => document.querySelector('.cw-tabs').innerText.includes('Write a note')")
    block = writer.locator(".cw-chart.cw-has-figure").filter(has=writer.locator(".bars")).first
    block.locator("button.cw-write-note").click()
    about = block.locator(".cw-about-input select")
    about.locator("option").nth(2).wait_for(state="attached")
    options = about.locator("option").all_inner_texts()
    assert len(options) > 2
    about.select_option(index=2)
    block.locator(".cw-text-input textarea").fill("Cette barre nous étonne")
    block.locator("button.cw-add-note").click()
    for page in pages:  # other tests of the session may have left notes on this territory: wait for ours
        page.wait_for_function("() => [...document.querySelectorAll('.cw-notes-box')]"
                               ".some(box => box.innerText.includes('Cette barre nous étonne'))",
                               timeout=30_000)
    french = options[2].replace("\xa0", " ")
    assert french in block.locator(".cw-notes-box").inner_text().replace("\xa0", " ")
    stored = Journal(workspace=precomputed_workspace).notes(territory="t01")
    key = stored.iloc[-1]["chart"].split("#", 1)[1]
    assert key != french  # stored by the bar's code, not by its French label
    assert french in _wait_marked(pages[1], french)
    # the English page marks the same bar (the one of that code), under its English label
    # the English page draws the marked chart again (its marks changed): wait for it, then read its label
    english_label = english.wait_for_function("""key => {
      for (const plot of document.querySelectorAll('.js-plotly-plot')) {
        for (const trace of plot.data || []) {
          const at = (trace.ids || []).indexOf(key);
          if (trace.type === 'bar' && at >= 0) return String(trace.y[at]).split('<br>').join(' ');
        }
      }
      return null;
    }""", arg=key, timeout=30_000).json_value()
    assert english_label and english_label != french
    assert english_label in _wait_marked(english, english_label)
    english_notes = " ".join(english.locator(".cw-notes-box").all_inner_texts()).replace("\xa0", " ")
    assert f"✎ {english_label}" in english_notes and "Cette barre nous étonne" in english_notes
    block.scroll_into_view_if_needed()
    _shot(writer, "t01_note_on_a_bar")
    _shot(english, "t01_note_on_a_bar_en")
    for page in pages:
        page.close()


def test_a_click_on_a_bar_opens_the_note_form_about_that_bar(browser, server, precomputed_workspace):
    page = _open(browser, server, "t01")
    page.wait_for_function("() => window.coopworkPage === true")  # the page's front-end handler runs
    first = page.locator(".cw-chart.cw-has-figure").filter(has=page.locator(".bars")).first
    # the same chart all along (the first with bars may change while charts are redrawn): its own class
    mine = next(c for c in first.get_attribute("class").split() if c.startswith("cw-chart-"))
    block = page.locator(f".cw-chart.{mine}")
    block.scroll_into_view_if_needed()
    # page.js listens for clicks on a chart once it has drawn it (again when it is redrawn, e.g. with
    # the marks of notes), and marks it drawn then
    block.locator(".cw-plot.cw-drawn").wait_for()
    page.wait_for_timeout(500)
    bars = [b for b in (bar.bounding_box() for bar in block.locator(".bars path").all())
            if b and b["width"] > 8 and b["height"] > 8]
    assert bars, "no drawn bar to click"
    bar = bars[0]
    clicked = page.evaluate("""([x, y]) => {
      for (const plot of document.querySelectorAll('.js-plotly-plot')) {
        const r = plot.getBoundingClientRect();
        if (x < r.left || x > r.right || y < r.top || y > r.bottom) continue;
        const axis = plot._fullLayout.yaxis;  // the category under the pointer
        const category = axis._categories[Math.round(axis.p2c(y - r.top - axis._offset))];
        return String(category).split('<br>').join(' ');
      }
      return null;
    }""", [bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2])
    # plotly listens on the plot's drag layer: a real mouse click at the bar's centre, like a finger
    page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    block.locator(".cw-form-box textarea").wait_for(timeout=30_000)
    about = block.locator(".cw-about-input select")
    chosen = about.evaluate("s => s.options[s.selectedIndex].text").replace("\xa0", " ")
    assert chosen == clicked and chosen != about.evaluate("s => s.options[0].text")
    block.locator(".cw-text-input textarea").fill("Écrite en cliquant sur la barre")
    block.locator("button.cw-add-note").click()
    block.locator(".cw-notes-box", has_text="Écrite en cliquant").wait_for(timeout=30_000)
    assert f"✎ {chosen}" in block.locator(".cw-notes-box").inner_text().replace("\xa0", " ")
    stored = Journal(workspace=precomputed_workspace).notes(territory="t01")
    assert "#" in stored.iloc[-1]["chart"] and stored.iloc[-1]["text"] == "Écrite en cliquant sur la barre"
    _shot(page, "t01_note_by_clicking_a_bar")
    page.close()


def test_the_qr_page_shows_the_participants_link(browser, server):
    from coopwork.dashboard.join import join_plan, qr_matrix, qr_svg

    url, page_url = join_plan(server)
    assert url == server.urls["synthese"] and "token=browser-token" in page_url
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(page_url.replace(server.public_host, "127.0.0.1"))
    box = page.locator(".cw-qr-box")
    assert box.get_attribute("data-url") == url
    assert url in page.inner_text(".cw-link")
    svg = box.locator("svg")
    assert svg.bounding_box()["width"] >= 500  # large enough to scan from the back of the room
    # the drawn modules are those of the link's QR code (read back from the SVG path of the page)
    assert "<path" in qr_svg(url)
    drawn = _modules(svg.locator("path[stroke]").get_attribute("d"), border=2)
    wanted = {(x, y) for y, row in enumerate(qr_matrix(url)) for x, dark in enumerate(row) if dark}
    assert drawn == wanted
    _shot(page, "join_qr_page")
    page.close()


def _modules(path: str, *, border: int) -> set[tuple[int, int]]:
    """The dark modules (column, row) of a QR code drawn as an SVG path of horizontal lines."""
    import re

    x = y = 0.0
    dark = set()
    for command, args in re.findall(r"([MmHhVv])([^MmHhVv]*)", path):
        numbers = [float(v) for v in re.findall(r"-?\d*\.?\d+", args)]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        elif command == "h":
            dark |= {(int(x) + i - border, int(y) - border) for i in range(int(numbers[0]))}
            x += numbers[0]
        elif command == "H":
            dark |= {(int(x) + i - border, int(y) - border) for i in range(int(numbers[0] - x))}
            x = numbers[0]
    return dark


def test_plotly_that_does_not_load_is_asked_for_again_and_a_chart_that_fails_says_what_to_do(browser, server):
    # a phone on the room's Wi-Fi: plotly.js does not arrive the first time, the charts come all the same
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(TIMEOUT)
    refused: list[str] = []

    def flaky(route):
        if not refused:
            refused.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/coopwork/static/plotly.js*", flaky)
    page.goto(server.urls["t01"], timeout=TIMEOUT)
    page.wait_for_selector(".cw-plot.cw-drawn .main-svg", state="attached")
    assert len(refused) == 1 and page.locator(".cw-plot.cw-failed").count() == 0
    page.close()
    # a plotly.js that cannot draw: each chart keeps its title and says what to do, in the page's language
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT)
    page.route("**/coopwork/static/plotly.js*", lambda route: route.fulfill(
        content_type="application/javascript",
        body="window.Plotly = {react: function () { return Promise.reject(new Error('broken')); }};"))
    page.goto(server.urls["t01"], timeout=TIMEOUT)
    failed = page.locator(".cw-plot.cw-failed >> visible=true").first
    failed.wait_for()
    assert "Type d'organisation" in failed.inner_text() and "Rechargez la page" in failed.inner_text()
    _shot(page, "t01_chart_not_drawn")
    page.close()


def test_a_reloaded_page_shuts_its_old_kernel_down_at_once(browser, server):
    # Voilà's page sends a beacon to voila/api/shutdown when it goes; without the "_xsrf" cookie the
    # server refused it and each reload left a kernel running until culled (90 s later)
    import urllib.error
    import urllib.request

    page = _open(browser, server, "t02")
    config = "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    old = page.evaluate(f"() => {config}")
    assert any(c["name"] == "_xsrf" for c in page.context.cookies())
    page.reload()
    page.wait_for_selector(".cw-dashboard")
    assert page.evaluate(f"() => {config}") != old
    url = f"http://127.0.0.1:{server.port}/api/kernels/{old}?token={server.token}"
    status = 200
    for _ in range(40):
        try:
            urllib.request.urlopen(url, timeout=30).close()
        except urllib.error.HTTPError as err:
            status = err.code
            break
        page.wait_for_timeout(500)
    assert status == 404, "the reloaded page's old kernel still runs"
    page.close()
