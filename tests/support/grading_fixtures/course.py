"""Build a throw-away nbgrader course from a real exercise notebook and submit variants of it.

``make_course(tmp)`` copies chapter 01's exercise source (or, if it is missing, the small
notebook beside this file) into ``tmp/exercises/source/<assignment>/``, writes an
``nbgrader_config.py`` that points there and runs ``generate_assignment`` through nbgrader's
Python API. ``submit`` writes a notebook (a dict) as one student's submission.
"""

from __future__ import annotations

import copy
import json
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

from support import NBGRADER_CONFIG, REPO  # noqa: E402

REAL = REPO / "exercises" / "source" / "01_internet_and_networking"
FALLBACK = Path(__file__).resolve().parent / "ps_fixture"


@dataclass
class Course:
    root: Path  # the folder with nbgrader_config.py
    assignment: str
    notebook: str  # notebook name without .ipynb
    source: dict  # the source notebook (solutions and hidden tests), as JSON

    @property
    def exercises(self) -> Path:
        return self.root / "exercises"

    def solved(self) -> dict:
        return copy.deepcopy(self.source)

    def submit(self, student: str, notebook: dict | bytes | None, name: str | None = None) -> Path:
        folder = self.exercises / "submitted" / student / self.assignment
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "timestamp.txt").write_text("2026-01-01 12:00:00.000000 UTC")
        path = folder / f"{name or self.notebook}.ipynb"
        if notebook is None:
            return folder
        if isinstance(notebook, bytes):
            path.write_bytes(notebook)
        else:
            path.write_text(json.dumps(notebook, indent=1))
        return path


def config_text(extra: str = "") -> str:
    """The course's own nbgrader_config.py (its root follows the file), plus test settings."""
    real = NBGRADER_CONFIG
    return real.read_text() + "\n" + textwrap.dedent(extra)


def make_course(
    tmp: Path, extra_config: str = "", prefer_real: bool = True, origin: Path | None = None
) -> Course:
    """A course built from ``origin`` (an exercise source folder; chapter 01's by default)."""
    if origin is None:
        origin = REAL if prefer_real and any(REAL.glob("*.ipynb")) else FALLBACK
    assignment = origin.name
    notebook_path = sorted(origin.glob("*.ipynb"))[0]
    root = tmp / "course"
    source = root / "exercises" / "source" / assignment
    shutil.copytree(origin, source)
    (root / "nbgrader_config.py").write_text(config_text(extra_config))
    generate(root, assignment)
    return Course(
        root=root,
        assignment=assignment,
        notebook=notebook_path.stem,
        source=json.loads(notebook_path.read_text()),
    )


def generate(root: Path, assignment: str) -> None:
    import os
    import sys

    # nbgrader runs the `alembic` script when it creates a gradebook: it must be on PATH.
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    result = api.generate_assignment(assignment)
    assert result["success"], result["log"] + result.get("error", "")


def cell(nb: dict, grade_id: str) -> dict:
    for c in nb["cells"]:
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return c
    raise KeyError(grade_id)


def set_source(nb: dict, grade_id: str, source: str) -> dict:
    cell(nb, grade_id)["source"] = source
    return nb
