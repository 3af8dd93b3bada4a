"""Chapter 07's API documentation pages (Swagger UI, ReDoc) in a real browser, offline.

Usage: python -m backend_roadmap_tools.docs_screenshots      (`make docs-screenshots`)

Serves the chapter's own version 1 books API (its cells, run here) with `offline_docs` on
127.0.0.1, loads /docs and /redoc in Debian's headless Chromium, and writes the screenshots
the chapter shows to book/images/. `tests/tools/test_browser_docs.py` loads the same pages
with the same code and checks that every request stayed on loopback.
"""

from __future__ import annotations

import io
import json
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from backend_roadmap_tools import REPO_ROOT

CHAPTER = REPO_ROOT / "notebooks" / "07_rest_api_design.ipynb"
IMAGES = REPO_ROOT / "book" / "images"
#: Each page and the picture of it the chapter shows.
SCREENSHOTS = {"/docs": "07_swagger_ui.png", "/redoc": "07_redoc.png"}
VIEWPORT = {"width": 900, "height": 560}
#: The operations of the chapter's books API, as both pages title them.
OPERATIONS = ("Read Book", "Create Book", "Delete Book")


def chapter_books_app():
    """The chapter's version 1 books API, built by its own cells, with `offline_docs`."""
    from backend_roadmap import offline_docs

    cells = json.loads(CHAPTER.read_text(encoding="utf-8"))["cells"]
    code = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    (definition,) = [source for source in code if "def books_app(" in source]
    namespace: dict = {}
    for source in (code[0], definition):  # the imports, then the models and the app
        # dont_inherit: this module's `from __future__ import annotations` must not apply.
        exec(compile(source, str(CHAPTER), "exec", dont_inherit=True), namespace)
    books_app = namespace["books_app"]
    return offline_docs(books_app("1.0.0", namespace["Book"], namespace["NewBook"]))


@dataclass
class DocsPage:
    """What a documentation page did in the browser."""

    requests: list[str] = field(default_factory=list)  # every URL it fetched
    blocked: list[str] = field(default_factory=list)  # refused by its Content-Security-Policy
    problems: list[str] = field(default_factory=list)  # script errors, other failed requests
    text: str = ""  # the rendered page's visible text


def host_of(url: str) -> str | None:
    """The host a request went to; blob: and data: URLs never leave the page."""
    if url.startswith("data:"):
        return None
    return urllib.parse.urlsplit(url.removeprefix("blob:")).hostname


def sent_requests(seen: DocsPage) -> list[str]:
    """The requests that left the browser: Chromium announces a request before its
    Content-Security-Policy refuses it, so the refused ones are taken out."""
    return [url for url in seen.requests if host_of(url) and url not in seen.blocked]


def load_docs_page(browser, url: str, screenshot: Path | None = None) -> DocsPage:
    """Load one docs page until its operations show (Swagger UI: the first one opened)."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        seen = DocsPage()
        page.on("request", lambda request: seen.requests.append(request.url))
        page.on(
            "requestfailed",
            lambda r: (seen.blocked if r.failure == "csp" else seen.problems).append(r.url),
        )
        page.on("pageerror", lambda error: seen.problems.append(f"script: {error}"))
        page.goto(url, wait_until="networkidle")
        page.get_by_text(OPERATIONS[0]).first.wait_for(timeout=20_000)
        if url.endswith("/docs"):
            page.locator(".opblock-get .opblock-summary").first.click()
            page.locator(".opblock-body").first.wait_for(timeout=10_000)
        page.wait_for_timeout(300)  # late requests: icons, ReDoc's logo
        seen.text = page.inner_text("body")
        if screenshot is not None:
            write_small_png(page.screenshot(), screenshot)
        return seen
    finally:
        context.close()


def write_small_png(png: bytes, path: Path) -> None:
    """The screenshot with at most 64 colours: these pages are flat, it looks the same."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def main() -> int:
    from playwright.sync_api import sync_playwright

    from backend_roadmap import serve_app
    from backend_roadmap_tools.book import chromium, launch_browser

    if chromium() is None:
        print("Chromium is not installed (apt-get install chromium)")
        return 1
    with serve_app(chapter_books_app()) as server, sync_playwright() as playwright:
        browser = launch_browser(playwright)
        try:
            for path, name in SCREENSHOTS.items():
                seen = load_docs_page(browser, server.url + path, IMAGES / name)
                sent = sorted({str(host_of(u)) for u in sent_requests(seen)})
                size = (IMAGES / name).stat().st_size
                print(f"{path}: requests sent to {sent}; refused by its policy: {seen.blocked}")
                print(f"  wrote {IMAGES.name}/{name} ({size:,} bytes)")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
