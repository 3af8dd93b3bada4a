"""Scoring: nbgrader's own ``Autograde``, with the execution already done.

:class:`Scorer` runs in the main thread, one submission at a time, after its notebooks have
been executed in their jails. It runs nbgrader's ``Autograde`` converter unchanged (its
``init_assignment``, sanitize step, gradebook writes, ``autograded/`` folder, late penalties),
configured through ``Autograde.autograde_preprocessors`` (nbgrader's list) with two swaps:
``Execute`` becomes :class:`AlreadyExecuted`, which reads the executed notebook from
``AlreadyExecuted.directory``, checks that its cells are the ones the sanitize step produced
(same ids, types and sources, in the same order) and takes their outputs; ``SaveAutoGrades``
becomes :class:`StrictSaveAutoGrades` (stderr in a passing test is not a failure, any error
wins over a number). The list's closing ``CheckCellMetadata`` is left out: the cells keep the
metadata the same run's sanitize step has just checked. Scoring is serial, so nbgrader's
process-wide ``NBGRADER_EXECUTION`` and ``chdir`` are harmless; the jailed kernel got
``NBGRADER_EXECUTION`` from its own environment.
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
from nbgrader.preprocessors import CheckCellMetadata, Execute, NbGraderPreprocessor, SaveAutoGrades
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
    """nbgrader's SaveAutoGrades with :func:`determine_grade`, and one commit per notebook
    for the scores (not one per cell: each SQLite commit waits for the disk)."""

    def preprocess(self, nb, resources):
        graded = [i for i, cell in enumerate(nb.cells) if nbg_utils.is_grade(cell)]
        self.last_graded = graded[-1] if graded else -1
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell_index == self.last_graded:
            self.gradebook.db.commit()  # nbgrader closes the gradebook without committing
        return cell, resources

    def _add_score(self, cell, resources):
        grade = self.gradebook.find_grade(
            cell.metadata["nbgrader"]["grade_id"],
            self.notebook_id,
            self.assignment_id,
            self.student_id,
        )
        grade.auto_score, _ = determine_grade(cell)
        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
        # Committed with the last graded cell (see preprocess_cell).


def cell_keys(nb: NotebookNode) -> list[tuple]:
    return [(cell.get("id"), cell.get("cell_type"), cell.get("source")) for cell in nb.cells]


class AlreadyExecuted(NbGraderPreprocessor):
    """nbgrader's Execute step, already done elsewhere: take the executed notebook's outputs.

    The cells themselves (sources, nbgrader metadata) stay the sanitized ones; a notebook
    whose cells differ in id, type or source is ungradable (nbgrader's conversion fails, the
    submission gets status ``error``).
    """

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
        for cell, ran in zip(nb.cells, executed.cells, strict=True):
            if cell.cell_type == "code":
                cell.outputs = ran.get("outputs", [])
                cell.execution_count = ran.get("execution_count")
        language = executed.metadata.get("language_info")
        if language is not None:
            nb.metadata["language_info"] = language
        return nb, resources


class Scorer:
    """Score executed submissions with nbgrader's Autograde (main thread only)."""

    def __init__(self, course: Course, executed_root: Path) -> None:
        self.course = course
        config: Config = copy.deepcopy(course.config)
        # nbgrader's own list, with two swaps. Its closing CheckCellMetadata is left out: the
        # cells keep the metadata the sanitize step of the same run has just checked.
        defaults = Autograde.class_traits()["autograde_preprocessors"].default()
        if defaults[-1] is CheckCellMetadata:
            defaults = defaults[:-1]
        preprocessors = [
            {Execute: AlreadyExecuted, SaveAutoGrades: StrictSaveAutoGrades}.get(pp, pp)
            for pp in defaults
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
