"""Scoring: nbgrader's own ``Autograde``, with the execution already done.

:class:`Scorer` runs in the main thread, one submission at a time, after its notebooks have
been executed in their jails. It runs nbgrader's ``Autograde`` converter unchanged (its
``init_assignment``, sanitize step, gradebook writes, ``autograded/`` folder, late penalties),
configured with one difference in ``Autograde.autograde_preprocessors``: ``Execute`` is
replaced by :class:`AlreadyExecuted`, which takes the executed notebook from
``AlreadyExecuted.directory`` after checking that its cells are the ones the sanitize step
produced (same ids, types and sources, in the same order), and ``SaveAutoGrades`` by
:class:`StrictSaveAutoGrades` (stderr in a passing test is not a failure; any error wins over
a number). Scoring is serial, so nbgrader's process-wide ``NBGRADER_EXECUTION`` and ``chdir``
are harmless; the jailed kernel got ``NBGRADER_EXECUTION`` from its own environment.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader import utils as nbg_utils
from nbgrader.api import Gradebook
from nbgrader.converters import Autograde
from nbgrader.converters.base import NbGraderException
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, SaveAutoGrades
from traitlets import Unicode
from traitlets.config import Config

from backend_roadmap_tools.grading.normalize import read_timestamp
from backend_roadmap_tools.grading.stage import Course


def determine_grade(cell: NotebookNode) -> tuple[float | None, float]:
    """nbgrader's rule, except stderr is not a failure and any error wins over a number."""
    if not nbg_utils.is_grade(cell) or nbg_utils.is_solution(cell) or cell.cell_type != "code":
        return nbg_utils.determine_grade(cell)
    max_points = float(cell.metadata["nbgrader"]["points"])
    outputs = cell.get("outputs", [])
    if any(output.output_type == "error" for output in outputs):
        return 0, max_points
    for output in outputs:
        if output.output_type == "execute_result":
            return nbg_utils.get_partial_grade(output, max_points), max_points
    return max_points, max_points


class StrictSaveAutoGrades(SaveAutoGrades):
    def _add_score(self, cell, resources):
        grade = self.gradebook.find_grade(
            cell.metadata["nbgrader"]["grade_id"],
            self.notebook_id,
            self.assignment_id,
            self.student_id,
        )
        grade.auto_score, _ = determine_grade(cell)
        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
        self.gradebook.db.commit()


def cell_keys(nb: NotebookNode) -> list[tuple]:
    return [(cell.get("id"), cell.get("cell_type"), cell.get("source")) for cell in nb.cells]


class AlreadyExecuted(NbGraderPreprocessor):
    """nbgrader's Execute step, already done elsewhere: swap in the executed notebook."""

    directory = Unicode(
        "",
        help="folder holding <student>/<notebook>.ipynb, the notebooks as executed",
    ).tag(config=True)

    def preprocess(self, nb, resources):
        student = resources["nbgrader"]["student"]
        name = resources["nbgrader"]["notebook"]
        path = Path(self.directory) / student / f"{name}.ipynb"
        try:
            executed = nbformat.read(str(path), as_version=4)
        except (OSError, ValueError) as error:
            raise NbGraderException(f"{name}: no executed notebook ({error})") from None
        if cell_keys(executed) != cell_keys(nb):
            raise NbGraderException(
                f"{name}: the executed notebook's cells are not the sanitized ones"
            )
        nb.cells = executed.cells
        language = executed.metadata.get("language_info")
        if language is not None:
            nb.metadata["language_info"] = language
        return nb, resources


class Scorer:
    """Score executed submissions with nbgrader's Autograde (main thread only)."""

    def __init__(self, course: Course, executed_root: Path) -> None:
        self.course = course
        config: Config = copy.deepcopy(course.config)
        preprocessors = [
            {Execute: AlreadyExecuted, SaveAutoGrades: StrictSaveAutoGrades}.get(pp, pp)
            for pp in Autograde.class_traits()["autograde_preprocessors"].default()
        ]
        config.Autograde.autograde_preprocessors = preprocessors
        config.Autograde.force = True
        config.AlreadyExecuted.directory = str(executed_root)
        self.config = config

    def score(self, student: str, graded: bool) -> tuple[float, float]:
        """Autograde the staged copy (when anything was staged); return (score, max)."""
        if graded:
            self.course.converter(student, self.config).start()
        return self.record_missing(student, graded=graded)

    def record_missing(self, student: str, graded: bool) -> tuple[float, float]:
        """Every notebook not graded this run gets 0 for its tests (the record still exists)."""
        course = self.course
        timestamp, _ = read_timestamp(course.submitted(student))
        if timestamp:
            timestamp = nbg_utils.parse_utc(timestamp)
        with Gradebook(course.coursedir.db_url, course.coursedir.course_id) as gb:
            gb.update_or_create_student(student)
            if timestamp:
                submission = gb.update_or_create_submission(
                    course.assignment, student, timestamp=timestamp
                )
            else:
                submission = gb.update_or_create_submission(course.assignment, student)
            for notebook in submission.notebooks:
                if not course.in_scope(notebook.name):
                    continue
                if graded and os.path.exists(course.staged(student) / f"{notebook.name}.ipynb"):
                    continue
                for grade in notebook.grades:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
            gb.db.commit()
            submission = gb.find_submission(course.assignment, student)
            return float(submission.score), float(submission.max_score)
