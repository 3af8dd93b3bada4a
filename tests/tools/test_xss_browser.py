"""Chapter 10's XSS, in a real browser: the payloads run, then escaping and the CSP stop them.

The chapter's blog (``backend_roadmap.XSSBlog``) is served on loopback and its pages are
loaded in headless Chromium (Debian's, driven by Playwright). Each payload, when it runs,
appends ``[XSS ran: <shape>]`` to the page's title, so the test reads what ran from the page:
- with escaping off and no policy, the reflected and the stored payloads run;
- with escaping on, none runs and the payload shows as text;
- with escaping still off but the CSP on, the markup is injected yet nothing runs, and the
  browser raises a ``securitypolicyviolation`` (and a console message) for each attempt.
The chapter's screenshots come from the same ``visit`` (``make xss-screenshots``).
"""

from __future__ import annotations

import pytest

from backend_roadmap import XSSBlog
from backend_roadmap_tools.xss_browser import page_url, served_blog, visit
from support.browser import headless_chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PAYLOADS = XSSBlog.PAYLOADS
#: (page, query parameter, payload shape): each reflected attack, in the context it breaks.
REFLECTED = [
    ("/hello", "name", "script element"),
    ("/hello", "name", "img onerror"),
    ("/search", "q", "attribute break-out"),
]
#: Stored as comments, the payloads that can run in a comment's context (text in a <li>).
STORED = ("script element", "img onerror")
CONFIGURATIONS = {
    "vulnerable": {"escaping": False, "csp": None},
    "escaped": {"escaping": True, "csp": None},
    "csp only": {"escaping": False, "csp": XSSBlog.STRICT_CSP},
}


@pytest.fixture(scope="module")
def browser():
    yield from headless_chromium()


@pytest.fixture(scope="module")
def visits(browser):
    """Every attack under every configuration, loaded once: {(configuration, page): Visit}."""
    seen = {}
    stored = tuple(PAYLOADS[shape] for shape in STORED)
    for name, settings in CONFIGURATIONS.items():
        with served_blog(**settings, stored=stored) as (_, url):
            for path, parameter, shape in REFLECTED:
                address = page_url(url, path, **{parameter: PAYLOADS[shape]})
                seen[name, f"reflected {shape}"] = visit(browser, address)
            seen[name, "stored"] = visit(browser, page_url(url, "/comments"))
    return seen


@pytest.mark.parametrize(("path", "parameter", "shape"), REFLECTED)
def test_reflected_payload_runs_on_the_vulnerable_blog(visits, path, parameter, shape):
    page = visits["vulnerable", f"reflected {shape}"]
    assert page.ran == {shape}, f"{path}?{parameter}=<{shape}> ran {page.ran}"
    assert page.title.endswith(f" [XSS ran: {shape}]")


def test_stored_payloads_run_for_every_visitor_of_the_vulnerable_blog(visits):
    page = visits["vulnerable", "stored"]
    assert page.ran == set(STORED)


@pytest.mark.parametrize("attack", [f"reflected {s}" for _, _, s in REFLECTED] + ["stored"])
def test_nothing_runs_after_escaping(visits, attack):
    page = visits["escaped", attack]
    assert page.ran == set(), f"{attack} still ran {page.ran} with escaping on"
    assert page.injected_markup == 0, "escaped input still became elements or handlers"
    assert not page.violations


@pytest.mark.parametrize("attack", [f"reflected {s}" for _, _, s in REFLECTED] + ["stored"])
def test_the_csp_alone_blocks_the_injected_script(visits, attack):
    page = visits["csp only", attack]
    assert page.injected_markup > 0, "the markup was not injected, so the CSP was not tested"
    assert page.ran == set(), f"{attack} ran {page.ran} despite the CSP"
    assert page.violations, "the browser reported no CSP violation"
    assert all(v.startswith("script-src") for v in page.violations), page.violations
    reported = [m for m in page.console if "Content Security Policy" in m]
    assert reported, f"no CSP message in the console: {page.console}"
