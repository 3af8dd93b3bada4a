"""Every exercise set's solution earns full marks through `make grade`'s jailed grader.

The exercise pipeline grades with plain nbgrader; this grades each set's solved notebook the
way an instructor's class is graded (`python -m backend_roadmap_tools.grading autograde`, in its
jail), so a set that needs something the jail lacks (a database server that will not start, a
package outside the environment) fails here rather than in front of a class.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from support import REPO
from support.grading_fixtures.course import make_course

SETS = sorted(p.name for p in (REPO / "exercises" / "source").iterdir() if p.is_dir())

pytestmark = pytest.mark.slow


def _auto_points(notebook: dict) -> float:
    return sum(
        cell["metadata"]["nbgrader"].get("points", 0)
        for cell in notebook["cells"]
        if cell["cell_type"] == "code" and cell["metadata"].get("nbgrader", {}).get("grade")
    )


@pytest.mark.parametrize("assignment", SETS)
def test_the_solution_earns_full_marks_in_the_jail(tmp_path, assignment):
    course = make_course(tmp_path, origin=REPO / "exercises" / "source" / assignment)
    course.submit("solver", course.solved())
    done = subprocess.run(
        [sys.executable, "-m", "backend_roadmap_tools.grading", "autograde", assignment],
        cwd=course.root,
        capture_output=True,
        text=True,
        timeout=900,
    )
    report = course.exercises / "grading_reports" / f"{assignment}.json"
    assert report.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    record = json.loads(report.read_text())["students"]["solver"]
    assert record["status"] == "ok", record
    assert record["score"] == pytest.approx(_auto_points(course.source)), record
