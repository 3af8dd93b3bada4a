"""Build the book: student copies of the exercises, offline MathJax, then Jupyter Book with -W.

Usage: python -m backend_roadmap_tools.book          (what `make book` runs)
       python -m backend_roadmap_tools.book serve    (`make serve`: the built book on loopback)
Prints where to open the result. Exits non-zero on any Sphinx warning.

Also measures what a reader's browser downloads for a page (`page_weights`): the HTML and
every script, style sheet, font and image it loads, uncompressed. `make benchmark` reports it
and the browser tests hold each chapter page under PAGE_BUDGET.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from pathlib import Path

from backend_roadmap_tools import REPO_ROOT

ROOT = REPO_ROOT
BOOK_EXERCISES = ROOT / "book" / "exercises"
MATHJAX = ROOT / "book" / "_assets" / "mathjax"
HTML = ROOT / "_build" / "html"
#: What a chapter page may weigh, uncompressed: its HTML, scripts, styles and fonts. The
#: chapter's own pictures (plots and diagrams in _images/) are content, counted apart.
PAGE_BUDGET = 1_000_000
CONTENT_IMAGES = "_images/"
SERVE_PORT = 8000


def stage_student_copies() -> None:
    from backend_roadmap_tools.release import student_copies

    for source in sorted((ROOT / "exercises" / "source").iterdir()):
        if source.is_dir():
            student_copies(source.name, BOOK_EXERCISES / source.name)


def stage_mathjax() -> None:
    import jupyter_server_mathjax

    static = Path(jupyter_server_mathjax.__file__).parent / "static"
    if not (MATHJAX / "MathJax.js").exists():
        shutil.copytree(static, MATHJAX, dirs_exist_ok=True)


def build() -> int:
    # Pages written by an earlier build stay in _build/html even when their source is gone or
    # now excluded (Sphinx never deletes them): start the HTML afresh. The parsed documents in
    # _build/.doctrees are kept, so unchanged pages are not read again.
    shutil.rmtree(HTML, ignore_errors=True)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(ROOT), "--builder", "html", "-W", "--keep-going"]
    return subprocess.call(command, cwd=ROOT)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@contextlib.contextmanager
def serve_book(html: Path = HTML, port: int = 0) -> Iterator[str]:
    """The built book served on 127.0.0.1 (a free port unless one is given); yields its URL."""
    handler = functools.partial(_QuietHandler, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def chapter_pages(html: Path = HTML) -> list[str]:
    """Every chapter page and exercise page of the built book, relative to its root."""
    pages = [*html.glob("notebooks/*.html"), *html.glob("book/exercises/*/*.html")]
    return sorted(page.relative_to(html).as_posix() for page in pages)


def chromium() -> str | None:
    """Debian's Chromium (the browser tests and the page weights use it), if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch_browser(playwright):
    """Headless Chromium from the system: Playwright cannot download its own here."""
    return playwright.chromium.launch(
        executable_path=chromium(),
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )


def requested_files(browser, url: str, viewport: dict[str, int] | None = None) -> set[str]:
    """The URLs (without query) a page requests until its network is idle."""
    context = browser.new_context(viewport=viewport or {"width": 1366, "height": 900})
    try:
        page = context.new_page()
        urls: set[str] = set()
        page.on("request", lambda request: urls.add(request.url.split("?")[0].split("#")[0]))
        page.goto(url, wait_until="networkidle")
        page.wait_for_timeout(500)  # fonts and math are requested late
        return urls
    finally:
        context.close()


def weight_of(urls: Iterable[str], base: str, html: Path = HTML) -> tuple[int, int]:
    """Bytes of the served files behind these URLs, as (page, content images): what the
    browser downloaded, uncompressed (the book is static files, so a file's size is its
    response's size). Pictures in _images/ are the chapter's plots and diagrams."""
    page = images = 0
    for url in urls:
        if not url.startswith(base):
            continue  # another host (data: URLs, none from the network: a test checks)
        name = urllib.parse.unquote(url[len(base) :])
        path = html / name
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            continue
        if name.startswith(CONTENT_IMAGES):
            images += path.stat().st_size
        else:
            page += path.stat().st_size
    return page, images


def page_weights(pages: Iterable[str], html: Path = HTML) -> dict[str, tuple[int, int]]:
    """The weight of each page of the built book, loaded over loopback in Chromium, as
    (page with its scripts, styles and fonts, the chapter's pictures)."""
    from playwright.sync_api import sync_playwright

    with serve_book(html) as url, sync_playwright() as playwright:
        browser = launch_browser(playwright)
        try:
            return {
                page: weight_of(requested_files(browser, url + page), url, html) for page in pages
            }
        finally:
            browser.close()


def serve(port: int = SERVE_PORT) -> int:
    """Serve the built book until Ctrl-C: search shows excerpts only over HTTP, not file://."""
    if not (HTML / "index.html").exists():
        print("No book yet: run `make book` first.", file=sys.stderr)
        return 1
    with serve_book(HTML, port) as url:
        print(f"The book is at {url} (Ctrl-C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


def main() -> int:
    if sys.argv[1:2] == ["serve"]:
        return serve(int(os.environ.get("PORT", SERVE_PORT)))
    started = time.perf_counter()
    stage_student_copies()
    stage_mathjax()
    code = build()
    if code:
        print(f"The book build failed (exit {code}); see the warnings above.", file=sys.stderr)
        return code
    print(f"Built in {time.perf_counter() - started:.0f} s. Open {(HTML / 'index.html').as_uri()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
