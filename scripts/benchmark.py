"""The performance budgets of COURSE_DESIGN.md, measured on this machine, as a table.

Usage: python scripts/benchmark.py        (what `make benchmark` runs)
- each chapter notebook executed in a fresh kernel (budget 20 s);
- the book build with notebooks not re-executed (budget 60 s);
- autograding the solved exercise notebook with nbgrader vs executing it alone (budget 1.5x).
A report, not a test: numbers vary with the machine and its load.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_BUDGET = 20.0
BOOK_BUDGET = 60.0
AUTOGRADE_RATIO_BUDGET = 1.5


def execute_seconds(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    return time.perf_counter() - started


def autograde_seconds(assignment: str) -> float:
    from nbgrader.apps import NbGraderAPI

    from backend_roadmap_tools.release import generate_assignment, nbgrader_config

    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        source = ROOT / "exercises" / "source" / assignment
        shutil.copytree(source, course / "source" / assignment)
        generate_assignment(course, assignment)
        submitted = course / "submitted" / "benchmark" / assignment
        shutil.copytree(source, submitted)
        api = NbGraderAPI(config=nbgrader_config(course))
        started = time.perf_counter()
        result = api.autograde(assignment, "benchmark", force=True, create=True)
        seconds = time.perf_counter() - started
        if not result["success"]:
            raise RuntimeError(result["log"])
    return seconds


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER"


def main() -> int:
    from backend_roadmap_tools.release import put_environment_on_path

    put_environment_on_path()
    rows = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        seconds = execute_seconds(path)
        rows.append(
            (
                f"execute {path.name}",
                f"{seconds:.1f} s",
                f"{CHAPTER_BUDGET:.0f} s",
                verdict(seconds <= CHAPTER_BUDGET),
            )
        )
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_book.py")],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    rows.append(
        (
            "book build (no execution)",
            f"{seconds:.1f} s",
            f"{BOOK_BUDGET:.0f} s",
            verdict(seconds <= BOOK_BUDGET),
        )
    )
    for source in sorted((ROOT / "exercises" / "source").iterdir()):
        notebook = next(source.glob("*.ipynb"))
        alone = execute_seconds(notebook)
        graded = autograde_seconds(source.name)
        ratio = graded / alone
        rows.append(
            (
                f"autograde {source.name} (vs {alone:.1f} s alone)",
                f"{graded:.1f} s = {ratio:.2f}x",
                f"{AUTOGRADE_RATIO_BUDGET}x",
                verdict(ratio <= AUTOGRADE_RATIO_BUDGET),
            )
        )
    width = max(len(r[0]) for r in rows)
    print(f"| {'what':<{width}} | measured | budget | |")
    print(f"|{'-' * (width + 2)}|---|---|---|")
    for what, measured, budget, ok in rows:
        print(f"| {what:<{width}} | {measured} | {budget} | {ok} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
