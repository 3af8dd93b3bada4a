"""check_progress(): one line per answer, from visible tests only, never while grading."""

from __future__ import annotations

import json

import nbformat
import pytest

from backend_roadmap.progress import answers_of, check_progress, progress, report
from support import REPO


def code(source, **nbgrader):
    cell = nbformat.v4.new_code_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = {"schema_version": 3, "locked": False, **nbgrader}
    return cell


def answer(grade_id):
    return code("", grade_id=grade_id, solution=True, grade=False)


def grade_cell(grade_id, source, points):
    return code(source, grade_id=grade_id, solution=False, grade=True, points=points, locked=True)


SECRET = "assert double(21) == 42, 'a hidden rule'"


def notebook():
    manual = nbformat.v4.new_markdown_cell("YOUR ANSWER HERE")
    manual.metadata["nbgrader"] = {
        "grade_id": "q3_essay",
        "solution": True,
        "grade": True,
        "points": 5,
        "schema_version": 3,
        "locked": False,
    }
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        code("import math", grade_id="imports", solution=False, grade=False, locked=True),
        answer("q1_double"),
        grade_cell("q1_double_small", "assert double(1) == 2, 'double(1): expected 2'", 2),
        grade_cell(
            "q1_double_big",
            "assert double(5) == 10, 'double(5): expected 10'\n"
            f"### BEGIN HIDDEN TESTS\n{SECRET}\n### END HIDDEN TESTS\n",
            3,
        ),
        answer("q2_halve"),
        grade_cell("q2_halve_rule", "assert halve(4) == 2, 'halve(4): expected 2'", 4),
        manual,
    ]
    return json.loads(nbformat.writes(nb))


def run(namespace):
    return {r.answer.label: (r.status, r.earned) for r in progress(notebook(), namespace)}


def test_answers_group_their_test_cells_and_points():
    found = answers_of(notebook())
    assert [(a.grade_id, a.points, len(a.tests)) for a in found] == [
        ("q1_double", 5, 2),
        ("q2_halve", 4, 1),
        ("q3_essay", 5, 0),
    ]


def test_nothing_done_is_not_attempted():
    assert run({}) == {
        "Q1 double": ("not attempted", 0),
        "Q2 halve": ("not attempted", 0),
        "Q3 essay": ("graded by hand", 0),
    }


def test_a_stub_that_raises_not_implemented_is_not_attempted():
    def double(x):
        raise NotImplementedError()

    assert run({"double": double})["Q1 double"] == ("not attempted", 0)


def test_a_correct_answer_passes_with_its_points():
    assert run({"double": lambda x: 2 * x})["Q1 double"] == ("passed", 5)


def test_partial_credit_and_the_first_message():
    results = progress(notebook(), {"double": lambda x: 2 if x == 1 else 0})
    first = results[0]
    assert (first.status, first.earned) == ("failed", 2)
    assert first.message == "AssertionError: double(5): expected 10"


def test_hidden_tests_are_never_run_nor_shown():
    # double(21) is wrong only where the hidden test looks: the visible tests pass.
    def double(x):
        return 0 if x == 21 else 2 * x

    results = progress(notebook(), {"double": double})
    assert (results[0].status, results[0].earned) == ("passed", 5)
    text = report(results)
    assert "hidden rule" not in text and "double(21)" not in text


def test_report_has_one_line_per_answer_and_a_total(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    path = tmp_path / "01_x_exercises.ipynb"
    path.write_text(json.dumps(notebook()))
    monkeypatch.chdir(tmp_path)
    check_progress(namespace={"double": lambda x: 2 * x, "halve": lambda x: x // 3})
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Visible tests: 5 of 9 automatically graded points."
    assert lines[1].split() == ["Q1", "double", "passed", "5/5"]
    assert lines[2].split()[:4] == ["Q2", "halve", "failed", "0/4"]
    assert lines[2].endswith("AssertionError: halve(4): expected 2")
    assert "graded by hand (5 points)" in lines[3]
    assert len(lines) == 5


def test_the_notebook_jupyterlab_names_is_the_one_read(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    path = tmp_path / "somewhere.ipynb"
    path.write_text(json.dumps(notebook()))
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    check_progress(namespace={})
    assert "Q1 double" in capsys.readouterr().out


@pytest.mark.parametrize("mode", ["autograde", "validate"])
def test_silent_while_nbgrader_grades_or_validates(capsys, tmp_path, monkeypatch, mode):
    monkeypatch.setenv("NBGRADER_EXECUTION", mode)
    check_progress(tmp_path / "does-not-exist.ipynb")
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "path",
    sorted((REPO / "exercises" / "source").glob("*/*_exercises.ipynb")),
    ids=lambda p: p.stem,
)
def test_every_exercise_set_ends_with_the_read_only_progress_cell(path):
    last = nbformat.read(path, as_version=4).cells[-1]
    meta = last.metadata.get("nbgrader", {})
    assert last.cell_type == "code" and "check_progress()" in last.source
    assert meta.get("locked") and not meta.get("grade") and not meta.get("solution")
