"""The built book: every page there, outputs shown, exercises only in student form, offline."""

from __future__ import annotations

import re

import nbformat
import pytest
import yaml

from support import REPO
from support.exercise_pipeline import (
    assignments,
    leaked,
    secret_lines,
    source_notebook,
    text_of_html,
    visible_lines,
)

pytestmark = pytest.mark.slow

ROOT = REPO
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())


def toc_files():
    yield TOC["root"]
    for part in TOC["parts"]:
        for chapter in part["chapters"]:
            yield chapter["file"]
            for section in chapter.get("sections", []):
                yield section["file"]


def test_every_toc_entry_becomes_a_page(book):
    missing = [f for f in toc_files() if not (book.html / f"{f}.html").exists()]
    assert not missing


def test_only_toc_pages_are_built(book):
    pages = {
        p.relative_to(book.html).with_suffix("").as_posix()
        for p in book.html.rglob("*.html")
        if "_static" not in p.parts  # the theme's own HTML macros
    }
    sphinx_pages = {"genindex", "search", "index"}
    assert pages - sphinx_pages == set(toc_files())


def test_chapters_show_their_committed_outputs(book):
    for page in book.html.glob("notebooks/*.html"):
        html = page.read_text()
        assert html.count('class="cell_output') >= 5, f"{page.name} shows too few outputs"


@pytest.mark.parametrize("assignment", assignments())
def test_exercise_page_is_the_student_copy(book, assignment):
    page = book.html / "book" / "exercises" / assignment / f"{assignment}_exercises.html"
    assert "YOUR CODE HERE" in text_of_html(page.read_text())
    download = (
        book.html / "_sources" / "book" / "exercises" / assignment / page.with_suffix(".ipynb").name
    )
    assert download.exists(), "the page offers no notebook download"
    assert "NotImplementedError" in download.read_text()


def test_no_solution_or_hidden_test_anywhere_in_the_book(book):
    secrets, shown = set(), set()
    for assignment in assignments():
        notebook = nbformat.read(source_notebook(assignment), as_version=4)
        secrets |= secret_lines(notebook)
        shown |= visible_lines(notebook)
    chapters = []
    for chapter in (ROOT / "notebooks").glob("*.ipynb"):
        notebook = nbformat.read(chapter, as_version=4)
        chapters += [cell.source for cell in notebook.cells]
        chapters += [
            output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
        ]
    # A line one set hides may be one another set or a chapter shows (`except ValueError:`,
    # or `FROM customers c` ending a chapter's own query): what a chapter teaches is public.
    secrets -= shown
    secrets -= set(leaked(secrets, "\n".join(chapters)))
    assert secrets
    for path in book.html.rglob("*"):
        if path.suffix in {".html", ".ipynb", ".txt", ".md", ".js"} and "mathjax" not in path.parts:
            text = path.read_text(errors="replace")
            text = text_of_html(text) if path.suffix == ".html" else text
            assert not leaked(secrets, text), f"{path.relative_to(book.html)} leaks"
            assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, path


def test_pages_load_nothing_from_the_network(book):
    remote = re.compile(r"""<(?:script|link|img)[^>]+(?:src|href)=["'](?:https?:)?//""")
    for page in book.html.rglob("*.html"):
        found = remote.findall(page.read_text())
        assert not found, f"{page.relative_to(book.html)} loads {found}"


def test_math_is_served_from_the_book(book):
    assert (book.html / "_static" / "mathjax" / "MathJax.js").exists()
    page = (book.html / "book" / "principles.html").read_text()
    assert 'src="../_static/mathjax/MathJax.js?config=' in page
    assert r"\frac{M}{M + R}" in page


def test_build_is_warning_free_and_says_where_to_open_it(book):
    assert "WARNING" not in book.output
    assert "Open file://" in book.output


def test_files_other_commands_leave_never_become_pages(book):
    # The build ran with pytest's cache, a workspace, grading output and the like present
    # (support/book_build.py): it stayed warning-free and built none of them.
    assert ".pytest_cache/README.md" in book.leftovers
    built = {p.relative_to(book.html).as_posix() for p in book.html.rglob("*.html")}
    stray = [p for p in built if p.split("/")[0] in {"workspace", "exchange", "build", "exercises"}]
    assert not stray
    assert "isn't included in any toctree" not in book.output


def test_test_markers_never_show(book):
    for page in book.html.glob("notebooks/*.html"):
        assert "NBVAL_" not in text_of_html(page.read_text()), page.name


def test_resource_links_are_links(book):
    for page in book.html.glob("notebooks/*.html"):
        html = page.read_text()
        resources = html.split('id="resources"', 1)
        assert len(resources) == 2, f"{page.name} has no Resources section"
        section = resources[1].split("<section", 1)[0]
        assert re.search(r'<a class="reference external" href="https?://', section), page.name
        plain = re.findall(r"<td>\s*<p>\s*https?://", section)
        assert not plain, f"{page.name} shows URLs as plain text"


def test_math_loads_only_on_pages_with_math(book):
    assert "mathjax/MathJax.js" in (book.html / "book" / "principles.html").read_text()
    assert "mathjax/MathJax.js" not in (book.html / "book" / "introduction.html").read_text()


def test_no_thebe_and_no_second_copy_of_its_config(book):
    for page in book.html.rglob("*.html"):
        if "_static" not in page.parts:
            assert "THEBE_JS_URL" not in page.read_text(), page.relative_to(book.html)
