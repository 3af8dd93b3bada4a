"""Build the book: student copies of the exercises, offline MathJax, then Jupyter Book with -W.

Usage: python -m backend_roadmap_tools.book   (what `make book` runs)
Prints where to open the result. Exits non-zero on any Sphinx warning.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from backend_roadmap_tools import REPO_ROOT

ROOT = REPO_ROOT
BOOK_EXERCISES = ROOT / "book" / "exercises"
MATHJAX = ROOT / "book" / "_assets" / "mathjax"
HTML = ROOT / "_build" / "html"


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
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(ROOT), "--builder", "html", "-W", "--keep-going"]
    return subprocess.call(command, cwd=ROOT)


def main() -> int:
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
