"""The built book in a real browser: headless Chromium renders pages, outputs, math and search.

The book is served over loopback, as a reader's web host would serve it. Chromium comes from
Debian's package; `.ci/run` installs it. Elsewhere these tests are skipped when it is missing,
except under CI, where a missing browser fails.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import tempfile
import threading
import urllib.parse
from pathlib import Path

import pytest
import yaml

from backend_roadmap_tools.book import PAGE_BUDGET, launch_browser, requested_files, weight_of
from support import REPO

pytestmark = [pytest.mark.slow, pytest.mark.browser]
SHOTS = Path(REPO) / "_build" / "screenshots"

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As measured on these machines: without the background-networking flags Chromium keeps
# trying to reach the internet, which is closed here.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=8000",
]


@pytest.fixture(scope="module")
def site(book):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run should have installed it")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(book.html))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def render(url: str, screenshot: str | None = None) -> str:
    """The page's DOM after its scripts ran (and, optionally, a PNG of it under _build/)."""
    with tempfile.TemporaryDirectory() as profile:
        command = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}"]
        if screenshot:
            shots = os.path.join("_build", "screenshots")
            os.makedirs(shots, exist_ok=True)
            subprocess.run(
                [*command, "--window-size=1280,1000", f"--screenshot={shots}/{screenshot}", url],
                capture_output=True,
                timeout=120,
                check=True,
            )
        done = subprocess.run(
            [*command, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
        )
    return done.stdout


def test_introduction_renders_with_navigation(site):
    dom = render(site + "book/introduction.html", "introduction.png")
    assert "Backend Roadmap: the executable course" in dom
    assert "01 · Internet and networking" in dom  # the sidebar lists the chapter


def test_chapter_shows_its_executed_outputs(site):
    dom = render(site + "notebooks/01_internet_and_networking.html", "chapter01.png")
    assert dom.count('class="cell_output') >= 5
    assert "HTTP/1.1 200 OK" in dom


def test_exercise_page_is_the_student_form(site):
    page = "book/exercises/01_internet_and_networking/01_internet_and_networking_exercises.html"
    dom = render(site + page, "exercises01.png")
    assert "YOUR CODE HERE" in dom
    assert "BEGIN SOLUTION" not in dom and "BEGIN HIDDEN TESTS" not in dom


def test_math_is_typeset_offline(site):
    dom = render(site + "book/principles.html", "principles.png")
    assert 'class="MathJax_Display"' in dom or "MathJax_CHTML" in dom, "math was not typeset"


def test_search_finds_a_term_from_chapter_01(site):
    query = urllib.parse.urlencode({"q": "keep-alive"})
    dom = render(site + f"search.html?{query}", "search.png")
    results = dom.split('class="search"', 1)
    assert len(results) == 2, "no search results list"
    assert "notebooks/01_internet_and_networking.html" in results[1]


# --- A reader's browser, driven by Playwright (Debian's Chromium, never a download) ---------

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def browser(site):
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = launch_browser(playwright)
        yield chromium
        chromium.close()


def book_pages():
    """Every page the toc makes, and the search page: later chapters are covered too."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        for chapter in part["chapters"]:
            files.append(chapter["file"])
            files += [section["file"] for section in chapter.get("sections", [])]
    return [f"{name}.html" for name in files] + ["search.html"]


def chapter_and_exercise_pages():
    return [p for p in book_pages() if p.startswith(("notebooks/", "book/exercises/"))]


@contextlib.contextmanager
def opened(browser, url, viewport=LAPTOP):
    """A page loaded in a fresh context, with every console error and failed request noted."""
    context = browser.new_context(viewport=viewport, has_touch=viewport is PHONE)
    page = context.new_page()
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"script: {error}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on(
        "response",
        lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"),
    )
    try:
        page.goto(url, wait_until="networkidle")
        yield page, problems
    finally:
        context.close()


@pytest.mark.parametrize("path", book_pages())
def test_no_console_error_nor_failed_request(browser, site, path):
    with opened(browser, site + path) as (page, problems):
        page.wait_for_timeout(300)
        assert not problems, problems


@pytest.mark.parametrize("path", chapter_and_exercise_pages())
def test_page_weight_within_budget(browser, site, path):
    # HTML, scripts, styles and fonts; the chapter's own plots and diagrams are counted apart.
    weight, _pictures = weight_of(requested_files(browser, site + path), site)
    assert weight < PAGE_BUDGET, f"{path} weighs {weight / 1e6:.2f} MB (budget 1 MB)"


def test_phone_menu_opens_the_navigation(browser, site):
    url = site + "notebooks/01_internet_and_networking.html"
    with opened(browser, url, PHONE) as (page, problems):
        page.locator(".primary-toggle:visible").first.tap()
        dialog = page.locator("#pst-primary-sidebar-modal")
        dialog.wait_for(state="visible", timeout=5000)
        assert dialog.evaluate("d => d.open")
        assert dialog.get_by_role("link", name="02 · Operating systems").first.is_visible()
        page.screenshot(path=str(SHOTS / "phone-navigation.png"))
        assert not problems, problems


def test_phone_contents_button_opens_the_page_contents(browser, site):
    url = site + "notebooks/01_internet_and_networking.html"
    with opened(browser, url, PHONE) as (page, problems):
        page.locator(".secondary-toggle:visible").first.tap()
        dialog = page.locator("#pst-secondary-sidebar-modal")
        dialog.wait_for(state="visible", timeout=5000)
        assert dialog.get_by_role("link", name="Resources").first.is_visible()
        page.screenshot(path=str(SHOTS / "phone-contents.png"))
        assert not problems, problems


def test_desktop_sidebar_button_hides_and_shows_the_navigation(browser, site):
    url = site + "notebooks/01_internet_and_networking.html"
    with opened(browser, url, LAPTOP) as (page, problems):
        sidebar = page.locator("#pst-primary-sidebar")
        assert sidebar.is_visible()
        page.locator(".primary-toggle:visible").first.click()
        page.wait_for_function(
            "document.querySelector('#pst-primary-sidebar')"
            ".classList.contains('pst-sidebar-hidden')"
        )
        page.locator(".primary-toggle:visible").first.click()
        page.wait_for_function(
            "!document.querySelector('#pst-primary-sidebar')"
            ".classList.contains('pst-sidebar-hidden')"
        )
        assert not problems, problems


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
@pytest.mark.parametrize("path", chapter_and_exercise_pages())
def test_nothing_runs_off_the_page(browser, site, path, viewport):
    with opened(browser, site + path, viewport) as (page, _):
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the page scrolls sideways by {overflow}px"
        # Outputs wrap: none needs a horizontal scroll bar of its own.
        cut = page.evaluate(
            """[...document.querySelectorAll('div.cell_output pre')]
                .filter(p => p.scrollWidth > p.clientWidth + 1).length"""
        )
        assert cut == 0, f"{cut} outputs are wider than their box"


def test_one_search_box_on_desktop(browser, site):
    with opened(browser, site + "book/introduction.html", LAPTOP) as (page, _):
        boxes = page.locator(".search-button-field:visible, .search-button:visible").count()
        assert boxes == 1, f"{boxes} search boxes"


def test_chapter_page_loads_no_math_engine(browser, site):
    files = requested_files(browser, site + "notebooks/01_internet_and_networking.html")
    assert not [f for f in files if "mathjax" in f.lower()]
    assert not [f for f in files if f.endswith("fontawesome.js")]
