"""Headless Chromium for the browser tests: Debian's build, driven by Playwright.

Outside CI a missing Chromium skips the test; in CI it fails, because `.ci/run` installs it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from backend_roadmap_tools.book import chromium, launch_browser


def headless_chromium() -> Iterator:
    """Yield a launched browser (for a module-scoped fixture), closed afterwards."""
    if chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run should have installed it")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = launch_browser(playwright)
        yield browser
        browser.close()
