"""The mutation tool's operators and bookkeeping, on small made-up answer cells (no kernel)."""

from __future__ import annotations

import nbformat

from backend_roadmap_tools import mutants


def notebook_with(answer: str, tests: str = "assert True") -> nbformat.NotebookNode:
    def meta(grade_id, **flags):
        return {"nbgrader": {"grade_id": grade_id, "schema_version": 3, **flags}}

    return nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import os", metadata=meta("imports", locked=True)),
            nbformat.v4.new_code_cell(answer, metadata=meta("q1_f", solution=True)),
            nbformat.v4.new_code_cell(tests, metadata=meta("q1_f_rule", grade=True, points=1)),
        ]
    )


ANSWER = '''def f(items, limit=3):
    """Docstrings are never mutated."""
    ### BEGIN SOLUTION
    if not items or len(items) > limit:
        raise ValueError(f"too many: {len(items) + 1}")
    total = sum(items)
    return max(total, 0)
    ### END SOLUTION
'''


def descriptions(answer: str) -> list[str]:
    return [m.description for m in mutants.mutants_of(notebook_with(answer))]


def test_each_operator_makes_its_mutants():
    made = descriptions(ANSWER)
    for expected in [
        "> -> >=",
        "> -> <=",
        "or -> and",
        "not x -> x",
        "len(x) -> x",
        "max(a, b) -> (b, a)",
        "0 -> 1",
        "0 -> -1",
        "removed: total = sum(items)",
        "removed: return max(total, 0)",
        "ValueError(x) -> x",
    ]:
        assert expected in made, f"{expected!r} not among {made}"


def test_code_outside_the_solution_markers_and_error_messages_are_left_alone():
    made = descriptions(ANSWER)
    assert "3 -> 4" not in made, "the default in the given signature was mutated"
    assert "1 -> 2" not in made, "the f-string of an error message was mutated"
    assert not any("Docstrings" in text for text in made)


def test_a_string_that_is_a_program_is_mutated_as_code():
    answer = (
        'def program():\n    ### BEGIN SOLUTION\n    return """\nimport sys\n'
        'count = 0\nwhile count < 5:\n    count += 1\nprint(count)\n"""\n    ### END SOLUTION\n'
    )
    made = descriptions(answer)
    assert "in the program: < -> <=" in made
    assert "in the program: 5 -> 6" in made


def test_mutants_are_distinct_programs_with_stable_keys():
    first = mutants.mutants_of(notebook_with(ANSWER))
    again = mutants.mutants_of(notebook_with(ANSWER))
    assert [m.key for m in first] == [m.key for m in again]
    assert len({m.source for m in first}) == len(first)
    assert len({m.key for m in first}) == len(first), "two mutants share a key"
    assert all(m.key.startswith("q1_f@") for m in first)


def test_questions_pair_answer_cells_with_the_test_cells_after_them():
    (question,) = mutants.questions(notebook_with(ANSWER))
    assert (question.grade_id, question.answer, question.tests) == ("q1_f", 1, [2])
    assert question.points == {"q1_f_rule": 1.0}


def test_the_hash_changes_with_tests_and_solutions_but_not_with_prose():
    base = notebook_with(ANSWER)
    other_tests = notebook_with(ANSWER, tests="assert 1")
    prose = notebook_with(ANSWER)
    prose.cells.insert(0, nbformat.v4.new_markdown_cell("# A new title"))
    assert mutants.set_hash(base) != mutants.set_hash(other_tests)
    assert mutants.set_hash(base) == mutants.set_hash(prose)


def test_survivors_with_a_reason_are_explained_and_todo_is_not():
    result = mutants.MutationResult("s", "h", {}, survivors=["q1_f@1:1:x", "q1_f@2:2:y"])
    record = {
        "equivalent": [
            {"mutant": "q1_f@1:1:x", "reason": "the same behaviour because ..."},
            {"mutant": "q1_f@2:2:y", "reason": "TODO: kill it or say why"},
        ]
    }
    assert result.unexplained(record) == ["q1_f@2:2:y"]
