"""HideHiddenTests: feedback keeps visible failures and hides everything of hidden tests."""

import copy

from nbformat.v4 import new_code_cell, new_notebook, new_output

from backend_roadmap_tools.grading import HideHiddenTests

SOURCE = '''"""Checks double()."""
expect(double(2), 4, "double(2)")
### BEGIN HIDDEN TESTS
expect(double(-7), -14, "secret case")
### END HIDDEN TESTS'''


def failing_at(line: int, message: str = "boom", extra_frames: tuple[str, ...] = ()):
    frame = (
        f"\x1b[36mCell\x1b[39m \x1b[32mIn[7]\x1b[39m, line {line}\n"
        '      3 ### BEGIN HIDDEN TESTS\n----> 4 expect(double(-7), -14, "secret case")\n'
    )
    return new_output(
        "error",
        ename="AssertionError",
        evalue=message,
        traceback=["AssertionError  Traceback", frame, *extra_frames, f"AssertionError: {message}"],
    )


def feedback_for(cell):
    notebook = new_notebook(cells=[cell])
    processed, _ = HideHiddenTests().preprocess(notebook, {})
    return processed.cells[0]


def test_hidden_test_source_is_removed_and_its_failure_replaced():
    cell = new_code_cell(SOURCE, outputs=[failing_at(4, "secret case: expected int -14")])
    shown = feedback_for(cell)
    assert "secret case" not in shown.source and "HIDDEN" not in shown.source
    assert 'expect(double(2), 4, "double(2)")' in shown.source
    (output,) = shown.outputs
    assert output.ename == "HiddenTestFailed"
    assert "secret" not in str(output)


def test_visible_failure_keeps_its_message_but_not_ipythons_context_lines():
    cell = new_code_cell(SOURCE, outputs=[failing_at(2, "double(2): expected int 4, got int 5")])
    (output,) = feedback_for(cell).outputs
    assert output.evalue == "double(2): expected int 4, got int 5"
    assert "secret case" not in str(output), "context lines of the traceback quote hidden code"
    assert "line 2 of this test cell" in output.traceback[-1]


def test_the_test_cells_own_frame_decides_not_the_learners_function():
    learner_frame = "Cell In[3], line 2, in double(x)\n----> 2     raise NotImplementedError()\n"
    cell = new_code_cell(SOURCE, outputs=[failing_at(2, "", extra_frames=(learner_frame,))])
    (output,) = feedback_for(cell).outputs
    assert output.ename == "AssertionError"


def test_printed_output_of_a_cell_with_hidden_tests_is_dropped():
    cell = new_code_cell(SOURCE, outputs=[new_output("stream", name="stdout", text="secret case")])
    assert feedback_for(cell).outputs == []


def test_cells_without_hidden_tests_are_untouched():
    original = new_code_cell("expect(1, 1)", outputs=[failing_at(1)])
    shown = feedback_for(copy.deepcopy(original))
    assert shown.source == original.source
    assert shown.outputs == original.outputs


def test_hidden_lines_are_removed_from_every_output_of_every_cell():
    """A student cell that prints or raises a test's source shows no hidden line."""
    test = new_code_cell(SOURCE)
    leak = 'expect(double(-7), -14, "secret case")'
    student = new_code_cell(
        "print(In)",
        outputs=[
            new_output("stream", name="stdout", text=f"In: {leak}\n"),
            new_output("display_data", data={"text/plain": leak, "text/html": f"<b>{leak}</b>"}),
            new_output("error", ename="RuntimeError", evalue=leak, traceback=[f"x {leak}"]),
        ],
    )
    notebook = new_notebook(cells=[test, student])
    processed, _ = HideHiddenTests().preprocess(notebook, {})
    text = str(processed.cells[1].outputs)
    assert "secret case" not in text
    assert "[hidden test line]" in text
