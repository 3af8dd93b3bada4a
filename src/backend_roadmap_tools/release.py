"""Generate an assignment's student copy with nbgrader, away from the instructor's course tree.

The book shows exercises in exactly the form a learner receives, so it is made by nbgrader's
own ``generate_assignment`` in a throw-away course directory: the instructor's ``release/``
folder and gradebook are never touched by a book build.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from backend_roadmap_tools import REPO_ROOT

COURSE_ROOT = REPO_ROOT / "exercises"


def nbgrader_config(course_root: Path) -> Config:
    """The course's nbgrader settings (nbgrader_config.py) with another course directory."""
    loader = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE_ROOT.parent))
    config = loader.load_config()
    config.CourseDirectory.root = str(course_root)
    return config


def put_environment_on_path() -> None:
    """nbgrader runs tools of its environment (``alembic``) by name: make sure they are found."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def generate_assignment(course_root: Path, assignment: str, *, database: bool = True) -> Path:
    """Run nbgrader's generate_assignment in ``course_root``; return the release folder.

    ``database=False`` is nbgrader's own ``--no-db``: the same release, without recording the
    assignment in a gradebook. Creating a gradebook costs about 4 s (nbgrader asks the
    ``alembic`` command for its schema version in a subprocess) and is only worth it where
    something is graded later in that course directory.
    """
    from nbgrader.apps import NbGraderAPI

    put_environment_on_path()
    config = nbgrader_config(course_root)
    if not database:
        config.SaveCells.enabled = False
        config.GenerateAssignment.no_database = True
    api = NbGraderAPI(config=config)
    api.log.setLevel("ERROR")
    result = api.generate_assignment(assignment, force=True)
    if not result["success"]:
        raise RuntimeError(f"nbgrader generate_assignment {assignment} failed:\n{result['log']}")
    return course_root / "release" / assignment


def student_copies(
    assignment: str, destination: Path, source_root: Path | None = None
) -> list[Path]:
    """Write the student (release) notebooks of ``assignment`` into ``destination``.

    The throw-away course directory is never graded, so no gradebook is made."""
    source = (source_root or COURSE_ROOT / "source") / assignment
    if not source.is_dir():
        raise FileNotFoundError(f"no exercise source folder {source}")
    with tempfile.TemporaryDirectory(prefix="release-") as tmp:
        course = Path(tmp)
        shutil.copytree(source, course / "source" / assignment)
        release = generate_assignment(course, assignment, database=False)
        if destination.exists():
            shutil.rmtree(destination)
        shutil.copytree(release, destination)
    return sorted(destination.glob("*.ipynb"))
