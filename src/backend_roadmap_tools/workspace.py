"""Give a learner the student copy of every exercise set in workspace/, never overwriting work.

Usage: python -m backend_roadmap_tools.workspace   (run by `make lab`)
A set already in workspace/ is left as it is, so answers are never lost; delete its folder
to get a fresh copy.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from backend_roadmap_tools import REPO_ROOT

ROOT = REPO_ROOT
WORKSPACE = ROOT / "workspace"


def main() -> int:
    from backend_roadmap_tools.release import student_copies

    for source in sorted((ROOT / "exercises" / "source").iterdir()):
        target = WORKSPACE / source.name
        if not source.is_dir():
            continue
        if target.exists():
            print(f"kept      workspace/{source.name}/ (your work; delete it for a fresh copy)")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            copies = student_copies(source.name, Path(tmp) / source.name)
            target.mkdir(parents=True)
            for copy in copies:
                (target / copy.name).write_bytes(copy.read_bytes())
        print(f"created   workspace/{source.name}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
