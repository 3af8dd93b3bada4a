"""Run an exercise set through nbgrader as a class would, once, and keep what came out.

For one assignment: generate the release in a throw-away course directory, then submit and
autograde three students: the release as it is, the solved source, and one copy of the solved
source with the first recorded wrong answer of every answer cell in place (so every test cell
fails somewhere and the feedback leak check sees failing hidden tests), then generate their
feedback. The tests in ``test_exercises.py`` read the result.

Each recorded wrong answer (``tests/wrong_answers/<assignment>/<answer grade_id>--<mistake>.py``)
and each mutant of the solutions is graded without nbgrader, in one kernel per set
(``backend_roadmap_tools.mutants.SetRunner``): nbgrader's cost is per submission (a kernel,
a gradebook write, a feedback page), and a set has dozens of wrong answers and hundreds of
mutants.
"""

from __future__ import annotations

import ast
import html
import re
import shutil
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import nbformat

from backend_roadmap_tools.release import generate_assignment, nbgrader_config
from support import REPO

SOURCE_ROOT = REPO / "exercises" / "source"
WRONG_ROOT = REPO / "tests" / "wrong_answers"
RIGHT_ROOT = REPO / "tests" / "right_answers"

RELEASE_STUDENT = "release-as-is"
SOLUTION_STUDENT = "solution"
WRONG_STUDENT = "wrong-everywhere"

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
# A secret line shorter than this ("pass", "return x") proves nothing when found elsewhere.
MIN_SECRET_LENGTH = 12


def assignments() -> list[str]:
    return (
        sorted(p.name for p in SOURCE_ROOT.iterdir() if p.is_dir()) if SOURCE_ROOT.is_dir() else []
    )


def source_notebook(assignment: str) -> Path:
    notebooks = sorted((SOURCE_ROOT / assignment).glob("*.ipynb"))
    if len(notebooks) != 1:
        raise AssertionError(f"{assignment}: expected one source notebook, found {notebooks}")
    return notebooks[0]


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def answer_cells(notebook) -> dict[str, nbformat.NotebookNode]:
    """Autograded answer cells (code cells a learner fills in), by grade_id."""
    return {
        nbgrader_meta(c)["grade_id"]: c
        for c in notebook.cells
        if c.cell_type == "code" and nbgrader_meta(c).get("solution")
    }


def grading_cells(notebook) -> dict[str, nbformat.NotebookNode]:
    """Autograded test cells, by grade_id."""
    return {
        nbgrader_meta(c)["grade_id"]: c
        for c in notebook.cells
        if c.cell_type == "code"
        and nbgrader_meta(c).get("grade")
        and not nbgrader_meta(c).get("solution")
    }


def manual_cells(notebook) -> dict[str, nbformat.NotebookNode]:
    return {
        nbgrader_meta(c)["grade_id"]: c
        for c in notebook.cells
        if nbgrader_meta(c).get("grade") and nbgrader_meta(c).get("solution")
    }


@dataclass(frozen=True)
class WrongAnswer:
    path: Path
    grade_id: str
    mistake: str

    @property
    def student(self) -> str:
        return f"wrong--{self.path.stem}"

    @property
    def source(self) -> str:
        return self.path.read_text()

    @property
    def docstring(self) -> str | None:
        try:
            return ast.get_docstring(ast.parse(self.source))
        except SyntaxError:
            first = self.source.lstrip().splitlines()[:1]
            return first[0].strip('"# ') if first else None


def right_answers(assignment: str) -> list[WrongAnswer]:
    """``tests/right_answers/<assignment>/<answer grade_id>--<how>.py``: correct answers
    written differently from the solution, which must earn every point (fairness)."""
    return wrong_answers(assignment, RIGHT_ROOT)


def wrong_answers(assignment: str, root: Path | None = None) -> list[WrongAnswer]:
    folder = (root or WRONG_ROOT) / assignment
    found = []
    for path in sorted(folder.glob("*.py")):
        grade_id, _, mistake = path.stem.partition("--")
        found.append(WrongAnswer(path, grade_id, mistake))
    return found


def _blocks(text: str, markers: tuple[str, str]) -> tuple[list[str], list[str]]:
    """Split a cell's lines into those inside marker blocks and those outside."""
    inside, outside, within = [], [], False
    for line in text.splitlines():
        if markers[0] in line:
            within = True
        elif markers[1] in line:
            within = False
        elif within:
            inside.append(line)
        else:
            outside.append(line)
    return inside, outside


def secret_lines(notebook, kinds: tuple[str, ...] = ("solution", "hidden")) -> set[str]:
    """Lines of solutions and/or hidden tests that appear nowhere visible in the notebook."""
    secret, visible = set(), set()
    for cell in notebook.cells:
        meta = nbgrader_meta(cell)
        inside, outside = [], cell.source.splitlines()
        if meta.get("solution"):
            inside, outside = _blocks(cell.source, SOLUTION_MARKERS)
            inside = inside if "solution" in kinds else []
        elif meta.get("grade"):
            inside, outside = _blocks(cell.source, HIDDEN_MARKERS)
            inside = inside if "hidden" in kinds else []
        secret.update(line.strip() for line in inside)
        visible.update(line.strip() for line in outside)
    return {line for line in secret - visible if len(line) >= MIN_SECRET_LENGTH}


def visible_lines(notebook) -> set[str]:
    """Every line a learner may see: all but solutions and hidden tests."""
    shown = set()
    for cell in notebook.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution"):
            shown.update(_blocks(cell.source, SOLUTION_MARKERS)[1])
        elif meta.get("grade"):
            shown.update(_blocks(cell.source, HIDDEN_MARKERS)[1])
        else:
            shown.update(cell.source.splitlines())
    return {line.strip() for line in shown}


def text_of_html(page: str) -> str:
    """What a reader sees: tags dropped (highlighting splits code into spans), entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def leaked(secrets: set[str], text: str) -> list[str]:
    """Secret lines shown in ``text``: as a line of their own, or ending a line, as IPython's
    traceback shows them (``----> 4 <the line>``). A fragment inside a longer visible line, such
    as ``classify(status)`` inside ``expect(classify(status), ...)``, is not a leak."""
    shown = [line.strip() for line in text.splitlines()]
    return sorted(
        secret
        for secret in secrets
        if any(line == secret or line.endswith(" " + secret) for line in shown)
    )


@dataclass
class GradedAssignment:
    """One assignment after nbgrader generate, autograde and feedback in a private course."""

    assignment: str
    course: Path
    notebook_name: str
    wrong: list[WrongAnswer]
    logs: dict[str, str] = field(default_factory=dict)

    @property
    def release_notebook(self) -> Path:
        return self.course / "release" / self.assignment / self.notebook_name

    def feedback_html(self, student: str) -> Path:
        return (
            self.course
            / "feedback"
            / student
            / self.assignment
            / self.notebook_name.replace(".ipynb", ".html")
        )

    @cached_property
    def scores(self) -> dict[str, dict[str, float]]:
        """Autograded score of each test cell, per student."""
        from nbgrader.api import Gradebook

        config = nbgrader_config(self.course)
        table: dict[str, dict[str, float]] = {}
        with Gradebook(
            f"sqlite:///{self.course / 'gradebook.db'}", config.CourseDirectory.course_id
        ) as gradebook:
            for submission in gradebook.assignment_submissions(self.assignment):
                cells = {}
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        if grade.cell_type == "code" and grade.auto_score is not None:
                            cells[grade.name] = float(grade.score)
                table[submission.student_id] = cells
        return table

    @cached_property
    def max_scores(self) -> dict[str, float]:
        source = nbformat.read(source_notebook(self.assignment), as_version=4)
        return {
            grade_id: float(nbgrader_meta(cell)["points"])
            for grade_id, cell in grading_cells(source).items()
        }

    def total(self, student: str) -> float:
        return sum(self.scores[student].values())


def _submit(course: Path, assignment: str, student: str, notebook, name: str) -> None:
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / name)


def grade(assignment: str, workdir: Path) -> GradedAssignment:
    """Generate, submit (release, solution, each wrong answer), autograde, give feedback."""
    from nbgrader.apps import NbGraderAPI

    course = workdir / "course"
    shutil.copytree(SOURCE_ROOT / assignment, course / "source" / assignment)
    source_path = source_notebook(assignment)
    generate_assignment(course, assignment)

    graded = GradedAssignment(assignment, course, source_path.name, wrong_answers(assignment))
    solved = nbformat.read(source_path, as_version=4)
    release = nbformat.read(graded.release_notebook, as_version=4)
    _submit(course, assignment, RELEASE_STUDENT, release, source_path.name)
    _submit(course, assignment, SOLUTION_STUDENT, solved, source_path.name)
    everywhere = nbformat.read(source_path, as_version=4)
    cells = answer_cells(everywhere)
    for wrong in reversed(graded.wrong):  # the first recorded one of each cell wins
        if wrong.grade_id in cells:  # else reported by test_wrong_answer_is_documented...
            cells[wrong.grade_id].source = wrong.source
    _submit(course, assignment, WRONG_STUDENT, everywhere, source_path.name)

    api = NbGraderAPI(config=nbgrader_config(course))
    students = [RELEASE_STUDENT, SOLUTION_STUDENT, WRONG_STUDENT]
    for student in students:
        if not (course / "submitted" / student).exists():
            continue
        result = api.autograde(assignment, student, force=True, create=True)
        graded.logs[f"autograde {student}"] = result["log"]
        if not result["success"]:
            raise AssertionError(f"nbgrader autograde failed for {student}:\n{result['log']}")
    result = api.generate_feedback(assignment, force=True)
    graded.logs["generate_feedback"] = result["log"]
    if not result["success"]:
        raise AssertionError(f"nbgrader generate_feedback failed:\n{result['log']}")
    return graded
