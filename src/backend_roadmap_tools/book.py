"""Build the book: student copies of the exercises, offline MathJax, then Jupyter Book with -W.

Usage: python -m backend_roadmap_tools.book          (what `make book` runs)
       python -m backend_roadmap_tools.book serve    (`make serve`: the built book on loopback)
Prints where to open the result. Exits non-zero on any Sphinx warning.

Kept fast as chapters are added: a set's student copy is released again only when its source
changed (a stamp beside the copy), nbgrader makes it without a gradebook, and Sphinx runs in
this process with a parallel read and write, one process per core (BOOK_JOBS=1 for serial).

Also measures what a reader's browser downloads for a page (`page_weights`): the HTML and
every script, style sheet, font and image it loads, uncompressed. `make benchmark` reports it
and the browser tests hold each chapter page under PAGE_BUDGET.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import json
import os
import shutil
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from pathlib import Path

from backend_roadmap_tools import REPO_ROOT

ROOT = REPO_ROOT
BOOK_EXERCISES = ROOT / "book" / "exercises"
SOURCES = ROOT / "exercises" / "source"
MATHJAX = ROOT / "book" / "_assets" / "mathjax"
HTML = ROOT / "_build" / "html"
DOCTREES = ROOT / "_build" / ".doctrees"
#: Beside each staged student copy: what it was released from (see stage_student_copies).
RELEASE_STAMP = ".release.json"
#: What a chapter page may weigh, uncompressed: its HTML, scripts, styles and fonts. The
#: chapter's own pictures (plots and diagrams in _images/) are content, counted apart.
PAGE_BUDGET = 1_000_000
CONTENT_IMAGES = "_images/"
SERVE_PORT = 8000


def release_key(source: Path) -> str:
    """What a set's student copy is made from: every file of its source folder, the course's
    nbgrader settings, the release code and nbgrader's version. Same key, same release."""
    from importlib.metadata import version

    from backend_roadmap_tools import release

    digest = hashlib.sha256()
    digest.update(f"nbgrader {version('nbgrader')}\n".encode())
    for path in (ROOT / "nbgrader_config.py", Path(release.__file__)):
        digest.update(path.read_bytes())
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(source).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def release_digest(folder: Path) -> str:
    """The files of a staged student copy (its stamp aside), so an edited copy is redone."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != RELEASE_STAMP):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(folder).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def release_is_current(destination: Path, key: str) -> bool:
    stamp = destination / RELEASE_STAMP
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(recorded, dict)
        and recorded.get("source") == key
        and recorded.get("release") == release_digest(destination)
    )


def stage_student_copies(source_root: Path = SOURCES, staged: Path = BOOK_EXERCISES) -> list[str]:
    """Put each set's student copy in book/exercises/; return the sets released this time.

    A set is released again only when its source (or how it is released) changed since the
    copy there was made, or the copy was edited: a stamp beside the copy records both.
    Copies of sets that no longer exist are removed."""
    sources = sorted(p for p in source_root.iterdir() if p.is_dir())
    if staged.is_dir():
        for stale in staged.iterdir():
            if stale.is_dir() and stale.name not in {source.name for source in sources}:
                shutil.rmtree(stale)
    released = []
    for source in sources:
        destination = staged / source.name
        key = release_key(source)
        if release_is_current(destination, key):
            continue
        from backend_roadmap_tools import release

        release.student_copies(source.name, destination, source_root)
        stamp = {"source": key, "release": release_digest(destination)}
        (destination / RELEASE_STAMP).write_text(json.dumps(stamp, indent=1), encoding="utf-8")
        released.append(source.name)
    return released


def stage_mathjax() -> None:
    import jupyter_server_mathjax

    static = Path(jupyter_server_mathjax.__file__).parent / "static"
    if not (MATHJAX / "MathJax.js").exists():
        shutil.copytree(static, MATHJAX, dirs_exist_ok=True)


def jobs() -> int:
    """Processes Sphinx reads and writes pages with: BOOK_JOBS, or one per core ("auto")."""
    value = os.environ.get("BOOK_JOBS", "auto").strip().lower()
    return max(1, os.cpu_count() or 1) if value in {"", "auto"} else max(1, int(value))


def build(processes: int | None = None) -> int:
    """Jupyter Book's own build (what `jupyter-book build . -W --keep-going` runs), here in
    this process and with Sphinx's parallel read and write (-j)."""
    # Pages written by an earlier build stay in _build/html even when their source is gone or
    # now excluded (Sphinx never deletes them): start the HTML afresh. The parsed documents in
    # _build/.doctrees are kept, so unchanged pages are not read again.
    shutil.rmtree(HTML, ignore_errors=True)
    from jupyter_book.sphinx import build_sphinx

    result = build_sphinx(
        ROOT,
        HTML,
        noconfig=True,
        path_config=str(ROOT / "_config.yml"),
        confoverrides={
            "external_toc_path": (ROOT / "_toc.yml").as_posix(),
            "latex_individualpages": False,
        },
        builder="html",
        warningiserror=True,
        keep_going=True,
        jobs=processes or jobs(),
    )
    code = 1 if isinstance(result, BaseException) else int(result or 0)
    if code:
        # The parsed pages are kept even when they warned: without this, a second build
        # would not read them again, so it would not warn, and would pass.
        shutil.rmtree(DOCTREES, ignore_errors=True)
    return code


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
    released = stage_student_copies()
    print(f"Exercise sets released: {', '.join(released) or 'none changed'}", flush=True)
    stage_mathjax()
    code = build()
    if code:
        print(f"The book build failed (exit {code}); see the warnings above.", file=sys.stderr)
        return code
    print(f"Built in {time.perf_counter() - started:.0f} s. Open {(HTML / 'index.html').as_uri()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
