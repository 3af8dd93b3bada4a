"""Every exercise set, graded by nbgrader as a class would be graded.

The source validates and earns full marks; the release earns nothing; every recorded wrong
answer loses points; no solution or hidden test reaches a learner through the release or the
feedback (the book is checked in test_book.py). New chapters get all of this for free.
"""

from __future__ import annotations

import ast

import nbformat
import pytest

from support.exercise_pipeline import (
    RELEASE_STUDENT,
    SOLUTION_STUDENT,
    WrongAnswer,
    answer_cells,
    assignments,
    grade,
    grading_cells,
    leaked,
    manual_cells,
    secret_lines,
    source_notebook,
    text_of_html,
    wrong_answers,
)

pytestmark = pytest.mark.slow

ASSIGNMENTS = assignments()
WRONG = [w for a in ASSIGNMENTS for w in wrong_answers(a)]
MIN_AUTOGRADED = 5
MIN_WRONG_PER_ANSWER = 2


def assignment_of(wrong: WrongAnswer) -> str:
    return wrong.path.parent.name


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """nbgrader's whole pipeline, run once per assignment and shared by the tests."""
    cache = {}

    def get(assignment: str):
        if assignment not in cache:
            cache[assignment] = grade(assignment, tmp_path_factory.mktemp(assignment))
        return cache[assignment]

    return get


def source(assignment):
    return nbformat.read(source_notebook(assignment), as_version=4)


def test_there_are_exercise_sets():
    assert ASSIGNMENTS, "no exercise sets found in exercises/source/"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_passes_nbgraders_validation(assignment):
    from nbgrader.validator import Validator

    result = Validator().validate(str(source_notebook(assignment)))
    failures = {k: v for k, v in result.items() if k in ("failed", "changed", "type_changed")}
    assert not failures, f"{assignment}: the solved source fails validation: {failures}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_set_has_enough_questions_of_each_kind(assignment):
    notebook = source(assignment)
    assert len(answer_cells(notebook)) >= MIN_AUTOGRADED
    assert len(grading_cells(notebook)) >= MIN_AUTOGRADED
    assert manual_cells(notebook), f"{assignment}: no manually graded question"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_test_cell_says_what_it_checks_and_has_visible_and_hidden_tests(assignment):
    for grade_id, cell in grading_cells(source(assignment)).items():
        tree = ast.parse(cell.source)
        assert ast.get_docstring(tree, clean=True), f"{grade_id}: no docstring first"
        visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
        assert "expect(" in visible or "assert" in visible, f"{grade_id}: no visible test"
        assert "### BEGIN HIDDEN TESTS" in cell.source, f"{grade_id}: no hidden tests"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_earns_full_autograded_marks(graded, assignment):
    result = graded(assignment)
    assert result.scores[SOLUTION_STUDENT] == result.max_scores


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_as_given_to_students_earns_nothing(graded, assignment):
    result = graded(assignment)
    assert result.total(RELEASE_STUDENT) == 0, result.scores[RELEASE_STUDENT]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_answer_cell_has_recorded_wrong_answers(assignment):
    recorded = {}
    for wrong in wrong_answers(assignment):
        recorded.setdefault(wrong.grade_id, []).append(wrong.mistake)
    for grade_id in answer_cells(source(assignment)):
        count = len(recorded.get(grade_id, []))
        assert count >= MIN_WRONG_PER_ANSWER, (
            f"{assignment}/{grade_id}: {count} wrong answers recorded in "
            f"tests/wrong_answers/{assignment}/, at least {MIN_WRONG_PER_ANSWER} needed"
        )


@pytest.mark.parametrize("wrong", WRONG, ids=lambda w: f"{assignment_of(w)}/{w.path.stem}")
def test_wrong_answer_is_documented_and_names_an_answer_cell(wrong):
    assert wrong.grade_id in answer_cells(source(assignment_of(wrong))), (
        f"{wrong.path.name}: no answer cell with grade_id {wrong.grade_id!r}"
    )
    assert wrong.mistake, f"{wrong.path.name}: name it <grade_id>--<mistake>.py"
    assert wrong.docstring, f"{wrong.path.name}: start with a docstring naming the mistake"


@pytest.mark.parametrize("wrong", WRONG, ids=lambda w: f"{assignment_of(w)}/{w.path.stem}")
def test_wrong_answer_loses_points(graded, wrong):
    result = graded(assignment_of(wrong))
    earned = result.total(wrong.student)
    full = sum(result.max_scores.values())
    assert earned < full, f"{wrong.path.name} ({wrong.docstring}) earned full marks {earned}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_has_no_solution_or_hidden_test(graded, assignment):
    secrets = secret_lines(source(assignment))
    assert secrets, "no solution or hidden-test lines found: the leak check would prove nothing"
    release = nbformat.read(graded(assignment).release_notebook, as_version=4)
    text = "\n".join(cell.source for cell in release.cells)
    assert not leaked(secrets, text)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_shows_no_solution_or_hidden_test(graded, assignment):
    """Feedback never shows hidden tests, and shows solutions only where the learner wrote them."""
    result = graded(assignment)
    notebook = source(assignment)
    hidden = secret_lines(notebook, kinds=("hidden",))
    assert hidden, "no hidden-test lines found: the leak check would prove nothing"
    untouched = text_of_html(result.feedback_html(RELEASE_STUDENT).read_text())
    assert not leaked(secret_lines(notebook), untouched), "feedback of the bare release leaks"
    for student in [RELEASE_STUDENT, SOLUTION_STUDENT] + [w.student for w in result.wrong]:
        page = text_of_html(result.feedback_html(student).read_text())
        assert not leaked(hidden, page), f"feedback of {student} shows hidden tests"
        assert "BEGIN HIDDEN TESTS" not in page


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_still_says_which_tests_failed(graded, assignment):
    result = graded(assignment)
    page = text_of_html(result.feedback_html(RELEASE_STUDENT).read_text())
    for grade_id in result.max_scores:
        assert grade_id in page, f"feedback does not name test cell {grade_id}"
