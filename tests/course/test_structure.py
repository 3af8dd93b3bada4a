"""The table of contents, the chapter notebooks and the exercise sets agree, and chapters keep
the fixed shape of CONTRIBUTING.md."""

from __future__ import annotations

import ast
import re

import nbformat
import pytest
import yaml

from support import REPO

ROOT = REPO
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
EXERCISE_SETS = sorted(p.name for p in (ROOT / "exercises" / "source").iterdir() if p.is_dir())
SECTIONS_IN_ORDER = ["Overview", "Prerequisites", "Summary", "Resources", "Exercises"]


def toc_entries() -> list[tuple[str, list[str]]]:
    """(chapter file, [section files]) for every chapter of every part."""
    return [
        (chapter["file"], [section["file"] for section in chapter.get("sections", [])])
        for part in TOC["parts"]
        for chapter in part["chapters"]
    ]


def exercise_page(stem: str) -> str:
    return f"book/exercises/{stem}/{stem}_exercises"


def test_there_are_chapters():
    assert CHAPTERS


def test_every_toc_file_exists_or_is_generated_from_an_exercise_source():
    files = [TOC["root"]] + [f for chapter, sections in toc_entries() for f in [chapter, *sections]]
    for file in files:
        match = re.fullmatch(r"book/exercises/([^/]+)/([^/]+)", file)
        if match:
            source = ROOT / "exercises" / "source" / match[1] / f"{match[2]}.ipynb"
            assert source.exists(), f"_toc.yml lists {file}, generated from missing {source}"
        else:
            assert any((ROOT / f"{file}{ext}").exists() for ext in (".md", ".ipynb")), file


@pytest.mark.parametrize("stem", CHAPTERS)
def test_every_chapter_is_in_the_toc_with_its_exercises(stem):
    entries = dict(toc_entries())
    assert f"notebooks/{stem}" in entries, f"notebooks/{stem}.ipynb is not in _toc.yml"
    if stem in EXERCISE_SETS:
        assert entries[f"notebooks/{stem}"] == [exercise_page(stem)]


@pytest.mark.parametrize("stem", EXERCISE_SETS)
def test_every_exercise_set_has_its_chapter_and_one_notebook_named_after_it(stem):
    assert stem in CHAPTERS, f"exercises/source/{stem} has no notebooks/{stem}.ipynb"
    notebooks = [p.name for p in (ROOT / "exercises" / "source" / stem).glob("*.ipynb")]
    assert notebooks == [f"{stem}_exercises.ipynb"]


def test_chapters_are_numbered_in_toc_order():
    listed = [chapter.removeprefix("notebooks/") for chapter, _ in toc_entries()]
    listed = [name for name in listed if name in CHAPTERS]
    assert listed == sorted(listed) == CHAPTERS


@pytest.mark.parametrize("stem", CHAPTERS)
def test_chapter_has_the_fixed_shape(stem):
    notebook = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    first = notebook.cells[0]
    number = stem.split("_")[0]
    assert first.cell_type == "markdown" and first.source.startswith(f"# {number} · ")
    headings = [
        line.removeprefix("## ").strip()
        for cell in notebook.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("## ")
    ]
    positions = [headings.index(h) for h in SECTIONS_IN_ORDER if h in headings]
    assert [h for h in SECTIONS_IN_ORDER if h in headings] == SECTIONS_IN_ORDER, headings
    assert positions == sorted(positions), f"sections out of order: {headings}"
    assert headings.index("Prerequisites") < len(headings) - 3, "no teaching sections"


@pytest.mark.parametrize("stem", CHAPTERS)
def test_chapter_imports_up_front_and_is_executed(stem):
    notebook = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    first = ast.parse(code[0].source)
    assert all(isinstance(node, (ast.Import, ast.ImportFrom)) for node in first.body), (
        "the first code cell holds the imports and nothing else"
    )
    unexecuted = [i for i, c in enumerate(code) if c.source.strip() and c.execution_count is None]
    assert not unexecuted, f"code cells never executed (run `make execute`): {unexecuted}"
    counts = [c.execution_count for c in code if c.source.strip()]
    assert counts == list(range(1, len(counts) + 1)), "not executed top to bottom in one kernel"
    assert notebook.metadata.kernelspec.name == "python3"


STUDENT_DATA = [
    "exercises/gradebook.db",
    "exercises/submitted/alice/01_x/01_x_exercises.ipynb",
    "exercises/autograded/alice/01_x/01_x_exercises.ipynb",
    "exercises/feedback/alice/01_x/01_x_exercises.html",
    "exercises/release/01_x/01_x_exercises.ipynb",
    "exercises/grading_reports/01_x.json",
    "grades.csv",
    "workspace/01_x/01_x_exercises.ipynb",
]


@pytest.mark.parametrize("path", STUDENT_DATA)
def test_student_data_can_never_be_committed(path):
    import subprocess

    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "--quiet", path], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0, f"{path} is not ignored by .gitignore"


def test_exercise_sources_are_committed_not_ignored():
    import subprocess

    path = "exercises/source/01_x/01_x_exercises.ipynb"
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "--quiet", path], cwd=ROOT, check=False
    )
    assert ignored.returncode == 1
