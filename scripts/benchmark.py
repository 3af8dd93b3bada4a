"""The performance budgets of COURSE_DESIGN.md, measured on this machine, as a table.

Usage: python scripts/benchmark.py        (what `make benchmark` runs)
- each chapter notebook executed in a fresh kernel (budget 20 s);
- the book build with notebooks not re-executed (budget 60 s), from a fresh clone and again
  with nothing changed;
- autograding the solved exercise notebook with nbgrader vs executing it alone (budget 1.5x);
- the weight of each chapter and exercise page of the book as a browser loads it: HTML,
  scripts, styles and fonts, uncompressed (budget 1 MB; needs Chromium), and apart from it
  the chapter's own pictures (plots and diagrams).
A report, not a test: numbers vary with the machine and its load. Progress goes to stderr,
the table to stdout. Known harmless warnings are filtered where they arise (KNOWN_HARMLESS).
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_BUDGET = 20.0
BOOK_BUDGET = 60.0
AUTOGRADE_RATIO_BUDGET = 1.5
# Each kernel logs "Kernel is running over TCP without encryption" at start: its ports are on
# loopback, where nothing else listens in. Only the kernel's errors are worth showing here.
QUIET_KERNEL = ["--IPKernelApp.log_level=ERROR"]
# Warnings known to be harmless, each with its reason:
KNOWN_HARMLESS = [
    # nbgrader's gradebook adds a submission through a relationship during autoflush;
    # SQLAlchemy warns, the scores are right (TOOLCHAIN_NOTES.md).
    ("ignore", r"Object of type <Submitted", "sqlalchemy.exc.SAWarning"),
    # jupyter_client on every kernel start; not ours to fix.
    ("ignore", r"Jupyter is migrating its paths", "DeprecationWarning"),
]


def quiet_known_warnings() -> None:
    for action, message, category in KNOWN_HARMLESS:
        module, _, name = category.rpartition(".")
        kind = getattr(importlib.import_module(module or "builtins"), name)
        warnings.filterwarnings(action, message=message, category=kind)


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def execute_seconds(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        extra_arguments=QUIET_KERNEL,
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
        config = nbgrader_config(course)
        config.Execute.extra_arguments = QUIET_KERNEL
        api = NbGraderAPI(config=config)
        started = time.perf_counter()
        result = api.autograde(assignment, "benchmark", force=True, create=True)
        seconds = time.perf_counter() - started
        if not result["success"]:
            raise RuntimeError(result["log"])
    return seconds


def page_weight_rows() -> list[tuple[str, str, str, str]]:
    """Each chapter and exercise page's weight in a browser, or why it was not measured."""
    from backend_roadmap_tools.book import PAGE_BUDGET, chapter_pages, chromium, page_weights

    if chromium() is None:
        return [("page weights", "not measured: Chromium is not installed", "1 MB", "")]
    progress("weighing the book's pages in Chromium ...")
    rows = []
    for page, (weight, images) in page_weights(chapter_pages()).items():
        rows.append(
            (
                f"page weight {page}",
                f"{weight / 1e6:.2f} MB + {images / 1e6:.2f} MB pictures",
                f"{PAGE_BUDGET / 1e6:.0f} MB",
                verdict(weight < PAGE_BUDGET),
            )
        )
    return rows


def book_seconds() -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "backend_roadmap_tools.book"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def book_build_rows() -> list[tuple[str, str, str, str]]:
    """The book built as from a fresh clone (no _build/, no student copies, no staged
    MathJax), then again with nothing changed."""
    from backend_roadmap_tools.book import BOOK_EXERCISES, MATHJAX

    for generated in (ROOT / "_build", BOOK_EXERCISES, MATHJAX):
        shutil.rmtree(generated, ignore_errors=True)
    rows = []
    for what in ("book build, fresh clone (no execution)", "book build, again unchanged"):
        progress(f"{what} ...")
        seconds = book_seconds()
        rows.append(
            (what, f"{seconds:.1f} s", f"{BOOK_BUDGET:.0f} s", verdict(seconds <= BOOK_BUDGET))
        )
    return rows


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER"


def main() -> int:
    from backend_roadmap_tools.release import put_environment_on_path

    put_environment_on_path()
    quiet_known_warnings()
    rows = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        progress(f"executing {path.name} ...")
        seconds = execute_seconds(path)
        rows.append(
            (
                f"execute {path.name}",
                f"{seconds:.1f} s",
                f"{CHAPTER_BUDGET:.0f} s",
                verdict(seconds <= CHAPTER_BUDGET),
            )
        )
    rows += book_build_rows()
    for source in sorted((ROOT / "exercises" / "source").iterdir()):
        notebook = next(source.glob("*.ipynb"))
        progress(f"autograding {source.name} ...")
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
    rows += page_weight_rows()
    width = max(len(r[0]) for r in rows)
    print(f"| {'what':<{width}} | measured | budget | |")
    print(f"|{'-' * (width + 2)}|---|---|---|")
    for what, measured, budget, ok in rows:
        print(f"| {what:<{width}} | {measured} | {budget} | {ok} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
