"""Every exercise set, graded by nbgrader as a class would be graded, and its tests' strength.

The source validates and earns full marks; the release earns nothing; every recorded wrong
answer loses points and every recorded right answer earns them all; every mutant of a solution
loses points or is recorded as equivalent with its reason; no solution or hidden test reaches a
learner through the release or the feedback (the book is checked in test_book.py). New
chapters get all of this for free.

nbgrader grades three students per set (release, solution, every answer wrong at once); the
wrong answers, right answers and mutants run in one kernel per set (``SetRunner``).
"""

from __future__ import annotations

import ast
import re

import nbformat
import pytest

from backend_roadmap_tools import mutants
from support.exercise_pipeline import (
    RELEASE_STUDENT,
    SOLUTION_STUDENT,
    WRONG_STUDENT,
    WrongAnswer,
    answer_cells,
    assignments,
    grade,
    grading_cells,
    leaked,
    manual_cells,
    nbgrader_meta,
    right_answers,
    secret_lines,
    source_notebook,
    text_of_html,
    wrong_answers,
)

pytestmark = pytest.mark.slow

ASSIGNMENTS = assignments()
WRONG = [w for a in ASSIGNMENTS for w in wrong_answers(a)]
RIGHT = [r for a in ASSIGNMENTS for r in right_answers(a)]
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


class Direct:
    """One kernel per set: the wrong and right answers graded once, mutants when needed."""

    def __init__(self, assignment: str) -> None:
        self.runner = mutants.SetRunner(assignment).__enter__()
        self.assignment = assignment
        self.wrong = mutants.run_wrong_answers(assignment, self.runner, first=True)
        self.right = {
            r.path.stem: self.runner.try_answer(r.grade_id, r.source)
            for r in right_answers(assignment)
            if r.grade_id in self.runner.questions
        }


@pytest.fixture(scope="session")
def direct():
    cache: dict[str, Direct] = {}

    def get(assignment: str) -> Direct:
        if assignment not in cache:
            cache[assignment] = Direct(assignment)
        return cache[assignment]

    yield get
    for runner in cache.values():
        runner.runner.__exit__(None, None, None)


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
def test_first_cell_states_the_total_points(assignment):
    notebook = source(assignment)
    stated = re.search(r"Total: (\d+) points", notebook.cells[0].source)
    assert stated, f"{assignment}: the first cell does not say 'Total: N points'"
    points = [
        float(nbgrader_meta(cell)["points"])
        for cell in notebook.cells
        if nbgrader_meta(cell).get("grade")
    ]
    assert float(stated.group(1)) == sum(points), f"{assignment}: stated total != sum of points"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_test_cell_says_what_it_checks_and_has_visible_and_hidden_tests(assignment):
    for grade_id, cell in grading_cells(source(assignment)).items():
        tree = ast.parse(cell.source)
        assert ast.get_docstring(tree, clean=True), f"{grade_id}: no docstring first"
        visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
        assert re.search(r"\bexpect\w*\(|\bassert\b", visible), f"{grade_id}: no visible test"
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
def test_wrong_answer_loses_points(direct, wrong):
    failed = direct(assignment_of(wrong)).wrong[wrong.path.stem]
    assert failed, f"{wrong.path.name} ({wrong.docstring}) earned every point of its question"


@pytest.mark.parametrize("right", RIGHT, ids=lambda r: f"{assignment_of(r)}/{r.path.stem}")
def test_right_answer_written_differently_earns_full_marks(direct, right):
    assert right.grade_id in answer_cells(source(assignment_of(right))), right.path.name
    assert right.docstring, f"{right.path.name}: start with a docstring saying how it differs"
    failed = direct(assignment_of(right)).right[right.path.stem]
    assert not failed, f"{right.path.name} ({right.docstring}) lost points: {failed}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_wrong_answers_lose_points_through_nbgrader_too(graded, assignment):
    """The student with every answer cell wrong loses points in every question, in nbgrader."""
    result = graded(assignment)
    notebook = source(assignment)
    for question in mutants.questions(notebook):
        if not any(w.grade_id == question.grade_id for w in result.wrong):
            continue
        lost = [gid for gid in question.points if result.scores[WRONG_STUDENT][gid] < 1e-9]
        assert lost, f"{question.grade_id}: its first wrong answer earned full marks in nbgrader"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_mutation_record_explains_every_equivalent_mutant(assignment):
    record = mutants.read_record(assignment)
    assert mutants.record_path(assignment).exists(), (
        f"no tests/mutants/{assignment}.toml: run `make mutants SET={assignment} WRITE=1`"
    )
    for entry in record["equivalent"]:
        assert not entry["reason"].startswith("TODO"), f"{entry['mutant']}: no reason recorded"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_mutant_of_the_solutions_loses_points(direct, assignment):
    """Re-run only when the set's code changed since its record (content hash); else check
    the record still describes the mutants the tool makes today."""
    record = mutants.read_record(assignment)
    notebook = source(assignment)
    if not mutants.needs_run(assignment):
        made = {m.key for m in mutants.mutants_of(notebook)}
        equivalent = {e["mutant"] for e in record["equivalent"]}
        assert record["mutants"] == len(made), "the record counts other mutants: re-run it"
        assert equivalent <= made, f"recorded mutants that no longer exist: {equivalent - made}"
        assert record["killed"] + len(equivalent) == record["mutants"], "record has survivors"
        return
    result = mutants.run_mutants(assignment, runner=direct(assignment).runner)
    unexplained = {key: result.mutants[key].description for key in result.unexplained(record)}
    assert not unexplained, (
        f"{assignment}: mutants of the solution that earn full marks (kill each with a test, or "
        f"record it in tests/mutants/{assignment}.toml as equivalent with the reason; "
        f"`make mutants SET={assignment}` lists them): {unexplained}"
    )


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
    for student in [RELEASE_STUDENT, SOLUTION_STUDENT, WRONG_STUDENT]:
        page = text_of_html(result.feedback_html(student).read_text())
        assert not leaked(hidden, page), f"feedback of {student} shows hidden tests"
        assert "BEGIN HIDDEN TESTS" not in page


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_still_says_which_tests_failed(graded, assignment):
    result = graded(assignment)
    page = text_of_html(result.feedback_html(RELEASE_STUDENT).read_text())
    for grade_id in result.max_scores:
        assert grade_id in page, f"feedback does not name test cell {grade_id}"
