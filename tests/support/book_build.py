"""Build the book once per test session, exactly as `make book` does, and remember the result.

The build runs with the files other commands leave in the tree present (pytest's and ruff's
caches, the learner's workspace/, grading output, the exchange, notebook checkpoints): a
newcomer runs `make test` and `make book` in any order, more than once, and the book must
still build warning-free. Files this module puts there for the build are removed after it.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from support import REPO

ROOT = REPO
HTML = ROOT / "_build" / "html"

_NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'
#: What other commands leave behind, as a file each would write.
LEFTOVERS = {
    ".pytest_cache/README.md": "# pytest cache directory #\n",
    ".ruff_cache/README.md": "# ruff cache\n",
    "workspace/00_leftover/00_leftover_exercises.ipynb": _NOTEBOOK,
    "workspace/README.md": "# a learner's notes\n",
    "exercises/autograded/student/00_leftover/00_leftover_exercises.ipynb": _NOTEBOOK,
    "exercises/feedback/student/00_leftover/00_leftover_exercises.html": "<p>feedback</p>\n",
    "exchange/course/inbound/README.md": "# submissions\n",
    "notebooks/.ipynb_checkpoints/00_leftover-checkpoint.ipynb": _NOTEBOOK,
    "build/leftover.md": "# a build folder\n",
}


@dataclass(frozen=True)
class BookBuild:
    returncode: int
    output: str
    seconds: float
    leftovers: tuple[str, ...] = ()
    html: Path = HTML


@contextlib.contextmanager
def leftovers_in_tree() -> Iterator[tuple[str, ...]]:
    """The LEFTOVERS present in the tree; the ones this put there are removed afterwards."""
    created: list[Path] = []
    made_dirs: list[Path] = []
    for name, text in LEFTOVERS.items():
        path = ROOT / name
        if path.exists():
            continue
        for parent in reversed(path.relative_to(ROOT).parents[:-1]):
            folder = ROOT / parent
            if not folder.exists():
                folder.mkdir()
                made_dirs.append(folder)
        path.write_text(text)
        created.append(path)
    try:
        yield tuple(LEFTOVERS)
    finally:
        for path in created:
            path.unlink(missing_ok=True)
        for folder in reversed(made_dirs):
            with contextlib.suppress(OSError):
                folder.rmdir()


def build_book() -> BookBuild:
    with leftovers_in_tree() as leftovers:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "backend_roadmap_tools.book"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
    return BookBuild(done.returncode, done.stdout + done.stderr, seconds, leftovers)
