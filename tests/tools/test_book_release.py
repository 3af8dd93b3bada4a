"""The book's student copies are released again exactly when something they come from changed.

nbgrader itself is replaced by a spy here (tests/tools/test_book.py checks the real pages):
what is tested is when `make book` releases a set, not how.
"""

from __future__ import annotations

import json
import shutil

import pytest

from backend_roadmap_tools import book, release

SET = "01_internet_and_networking"


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A source folder with one set, where its copies go, and the sets released so far."""
    sources = tmp_path / "source"
    shutil.copytree(book.SOURCES / SET, sources / SET)
    calls: list[str] = []

    def student_copies(assignment, destination, source_root=None):
        calls.append(assignment)
        if destination.exists():
            shutil.rmtree(destination)
        destination.mkdir(parents=True)
        notebook = next((source_root / assignment).glob("*.ipynb"))
        (destination / notebook.name).write_bytes(notebook.read_bytes())
        return sorted(destination.glob("*.ipynb"))

    monkeypatch.setattr(release, "student_copies", student_copies)
    return sources, tmp_path / "staged", calls


def stage(course) -> list[str]:
    sources, staged, _ = course
    return book.stage_student_copies(sources, staged)


def test_a_set_is_released_once_then_reused(course):
    _, staged, calls = course
    assert stage(course) == [SET]
    assert stage(course) == []
    assert calls == [SET]
    stamp = json.loads((staged / SET / book.RELEASE_STAMP).read_text())
    assert set(stamp) == {"source", "release"}


def test_a_changed_source_is_released_again(course):
    sources, _, calls = course
    stage(course)
    notebook = next((sources / SET).glob("*.ipynb"))
    notebook.write_bytes(notebook.read_bytes().replace(b"points", b"Points", 1))
    assert stage(course) == [SET]
    assert calls == [SET, SET]


def test_a_new_file_in_the_source_is_released_again(course):
    sources, _, _ = course
    stage(course)
    (sources / SET / "data.csv").write_text("a,b\n")
    assert stage(course) == [SET]


def test_an_edited_or_missing_copy_is_released_again(course):
    _, staged, _ = course
    stage(course)
    copy = next((staged / SET).glob("*.ipynb"))
    copy.write_text("{}")
    assert stage(course) == [SET]
    copy.unlink()
    assert stage(course) == [SET]
    (staged / SET / book.RELEASE_STAMP).write_text("not json")
    assert stage(course) == [SET]


def test_new_release_settings_release_every_set_again(course, monkeypatch, tmp_path):
    stage(course)
    config = tmp_path / "nbgrader_config.py"
    config.write_text((book.ROOT / "nbgrader_config.py").read_text() + "\n# changed\n")
    monkeypatch.setattr(book, "ROOT", tmp_path)
    assert stage(course) == [SET]


def test_the_copy_of_a_removed_set_goes(course):
    sources, staged, _ = course
    stage(course)
    shutil.rmtree(sources / SET)
    assert stage(course) == []
    assert not (staged / SET).exists()


def test_the_stamp_never_becomes_a_page():
    # Sphinx skips hidden files: _config.yml excludes "**/.*".
    assert book.RELEASE_STAMP.startswith(".")
    assert '"**/.*"' in (book.ROOT / "_config.yml").read_text()


def test_jobs_default_to_one_per_core(monkeypatch):
    monkeypatch.delenv("BOOK_JOBS", raising=False)
    monkeypatch.setattr(book.os, "cpu_count", lambda: 2)
    assert book.jobs() == 2
    monkeypatch.setenv("BOOK_JOBS", "1")
    assert book.jobs() == 1
    monkeypatch.setenv("BOOK_JOBS", "auto")
    assert book.jobs() == 2


def test_release_key_does_not_depend_on_where_the_course_is(tmp_path):
    first, second = tmp_path / "a" / SET, tmp_path / "b" / SET
    for place in (first, second):
        shutil.copytree(book.SOURCES / SET, place)
    assert book.release_key(first) == book.release_key(second)
