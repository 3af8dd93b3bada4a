"""The built book in a real browser: headless Chromium renders pages, outputs, math and search.

The book is served over loopback, as a reader's web host would serve it. Chromium comes from
Debian's package; `.ci/run` installs it. Elsewhere these tests are skipped when it is missing,
except under CI, where a missing browser fails.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import tempfile
import threading
import urllib.parse

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

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
