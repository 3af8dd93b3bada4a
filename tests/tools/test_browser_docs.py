"""Chapter 07's Swagger UI and ReDoc load offline: headless Chromium renders both pages of the
chapter's books API served on loopback, and not one request leaves 127.0.0.1.

The same code takes the screenshots the chapter shows (`make docs-screenshots`).
"""

from __future__ import annotations

import pytest

from backend_roadmap import serve_app
from backend_roadmap_tools.docs_screenshots import (
    IMAGES,
    OPERATIONS,
    SCREENSHOTS,
    chapter_books_app,
    host_of,
    load_docs_page,
    sent_requests,
)
from support.browser import headless_chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def browser():
    yield from headless_chromium()


@pytest.fixture(scope="module")
def api():
    with serve_app(chapter_books_app()) as server:
        yield server.url


@pytest.mark.parametrize("path", sorted(SCREENSHOTS))
def test_docs_page_renders_the_chapter_api_and_stays_on_loopback(browser, api, path):
    seen = load_docs_page(browser, api + path)
    for operation in OPERATIONS:
        assert operation in seen.text, f"{path} does not show {operation!r}"
    assert api + "/openapi.json" in seen.requests, "the page did not read the document"
    assert api + "/docs-assets/" in " ".join(seen.requests), "no asset came from the app"
    elsewhere = [url for url in sent_requests(seen) if host_of(url) != "127.0.0.1"]
    assert not elsewhere, f"{path} sent requests to another host: {elsewhere}"
    # What the page tried and its policy refused never left the browser (ReDoc's logo).
    assert all(host_of(url) != "127.0.0.1" for url in seen.blocked), seen.blocked
    assert not seen.problems, seen.problems


def test_screenshots_in_the_book_are_small_pngs():
    for name in SCREENSHOTS.values():
        data = (IMAGES / name).read_bytes()
        assert data.startswith(b"\x89PNG"), name
        assert len(data) < 60_000, f"{name} weighs {len(data):,} bytes"
