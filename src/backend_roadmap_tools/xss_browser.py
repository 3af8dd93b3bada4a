"""Chapter 10's XSS blog in headless Chromium: which injected scripts really ran.

The browser test (tests/tools/test_xss_browser.py) and the chapter's screenshots both use
``visit``, so the pictures in the book come from the code CI checks. A payload that runs
appends ``[XSS ran: <shape>]`` to the page's title; ``visit`` reports those, and every
``securitypolicyviolation`` event and console message the page raised.

Usage: python -m backend_roadmap_tools.xss_browser   (`make xss-screenshots`: writes the
chapter's two screenshots to book/images/)
"""

from __future__ import annotations

import contextlib
import re
import sys
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from backend_roadmap_tools import REPO_ROOT

IMAGES = REPO_ROOT / "book" / "images"
VIEWPORT = {"width": 720, "height": 330}
#: Installed before the page's own scripts: every CSP violation is noted on ``window``.
LISTEN_FOR_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.effectiveDirective));
"""


@dataclass
class Visit:
    """What a page did in the browser."""

    title: str
    ran: set[str]  # the shapes whose payload ran (their marks on the title)
    violations: list[str]  # the directive of each securitypolicyviolation event
    console: list[str] = field(default_factory=list)
    injected_markup: int = 0  # img/script elements and on* attributes the page's DOM holds


ACTIVE_MARKUP = """
[...document.querySelectorAll('body *')].filter(e => e.tagName === 'SCRIPT'
  || [...e.attributes].some(a => a.name.startsWith('on'))).length
"""


def visit(browser, url: str, screenshot: Path | None = None) -> Visit:
    """Load ``url`` in a fresh context, let its scripts run, and report what ran."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.add_init_script(LISTEN_FOR_VIOLATIONS)
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.goto(url, wait_until="load")
        page.wait_for_timeout(150)  # focus events and late handlers
        if screenshot is not None:
            page.screenshot(path=str(screenshot))
        title = page.title()
        return Visit(
            title=title,
            ran=set(re.findall(r"\[XSS ran: ([^\]]+)\]", title)),
            violations=page.evaluate("window.__violations"),
            console=console,
            injected_markup=page.evaluate(ACTIVE_MARKUP),
        )
    finally:
        context.close()


@contextlib.contextmanager
def served_blog(*, escaping: bool, csp: str | None, stored: tuple[str, ...] = ()) -> Iterator:
    """An ``XSSBlog`` on loopback with these comments stored; yields (blog, its URL)."""
    import httpx

    from backend_roadmap import XSSBlog, serve_app

    blog = XSSBlog(escaping=escaping, csp=csp)
    with serve_app(blog.app) as address:
        for text in stored:
            httpx.post(f"{address.url}/comments", data={"text": text}).raise_for_status()
        yield blog, address.url


def page_url(base: str, path: str, **query: str) -> str:
    return f"{base}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")


def shrink(path: Path, colours: int = 32) -> None:
    """A screenshot with few colours: text and flat boxes stay sharp at a fraction of the size."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colours)
    small.save(path, optimize=True)


def screenshots(images: Path = IMAGES) -> list[Path]:
    """The stored-XSS comment page before and after the fix, as the chapter shows them."""
    from playwright.sync_api import sync_playwright

    from backend_roadmap import XSSBlog
    from backend_roadmap_tools.book import launch_browser

    stored = ("Great lamp!", XSSBlog.PAYLOADS["script element"], XSSBlog.PAYLOADS["img onerror"])
    shots = [
        (images / "xss-vulnerable.png", False, None),
        (images / "xss-fixed.png", True, XSSBlog.STRICT_CSP),
    ]
    images.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        try:
            for path, escaping, csp in shots:
                with served_blog(escaping=escaping, csp=csp, stored=stored) as (_, url):
                    visit(browser, page_url(url, "/comments"), screenshot=path)
                shrink(path)
        finally:
            browser.close()
    return [path for path, _, _ in shots]


if __name__ == "__main__":
    for written in screenshots():
        print(f"{written.relative_to(REPO_ROOT)}: {written.stat().st_size // 1024} KB")
    sys.exit(0)
