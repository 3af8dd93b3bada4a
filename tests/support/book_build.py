"""Build the book once per test session, exactly as `make book` does, and remember the result."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from support import REPO

ROOT = REPO
HTML = ROOT / "_build" / "html"


@dataclass(frozen=True)
class BookBuild:
    returncode: int
    output: str
    seconds: float
    html: Path = HTML


def build_book() -> BookBuild:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_book.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return BookBuild(done.returncode, done.stdout + done.stderr, time.perf_counter() - started)
