"""Feedback that says which tests failed without showing hidden tests.

nbgrader's autograded notebook carries the hidden tests again (it restores each test cell
from the gradebook), and its feedback would show them: their source, and the traceback of a
failing hidden assertion, which quotes the failing line. ``HideHiddenTests`` removes the hidden
part of each test cell's source and, when the failure came from the hidden part, replaces
the error with a sentence; a failure in the visible part keeps its message and the one
visible line that raised it (IPython's own traceback quotes neighbouring lines, which may be
hidden ones).
"""

from __future__ import annotations

import re

from nbconvert.preprocessors import Preprocessor
from nbformat.notebooknode import NotebookNode
from traitlets import Bool, Unicode

_CELL_LINE = re.compile(
    r"(?:Cell In\s*\[[^\]]*\],\s*line|<ipython-input-[^>]*> in <module>.*?)\s*(\d+)"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _hidden_line_range(lines: list[str], begin: str, end: str) -> range | None:
    start = stop = None
    for number, line in enumerate(lines, start=1):
        if begin in line and start is None:
            start = number
        elif end in line and start is not None:
            stop = number
    if start is None:
        return None
    return range(start, (stop or len(lines)) + 1)


def _failing_line(traceback: list[str]) -> int | None:
    """The line of the test cell where the error surfaced: the first (outermost) cell frame.

    Later frames may be in other cells, such as the learner's function that was called.
    """
    for entry in traceback:
        match = _CELL_LINE.search(_ANSI.sub("", entry))
        if match:
            return int(match.group(1))
    return None


def _hidden_lines(cells: list, begin: str, end: str) -> set[str]:
    """Every hidden-test line of the notebook worth looking for (stripped, not also visible)."""
    hidden: set[str] = set()
    visible: set[str] = set()
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        lines = cell.source.splitlines()
        region = _hidden_line_range(lines, begin, end)
        for number, line in enumerate(lines, start=1):
            text = line.strip()
            if region is not None and number in region:
                if begin not in text and end not in text:
                    hidden.add(text)
            else:
                visible.add(text)
    return {line for line in hidden - visible if len(line) >= 8}


def _scrub_text(text: str, hidden: set[str], replacement: str) -> str:
    if not hidden or not isinstance(text, str):
        return text
    plain = _ANSI.sub("", text)
    if not any(line in plain for line in hidden):
        return text
    for line in sorted(hidden, key=len, reverse=True):
        plain = plain.replace(line, replacement)
    return plain


def _scrub_output(output: NotebookNode, hidden: set[str], replacement: str) -> NotebookNode:
    if "text" in output:
        output["text"] = _scrub_text(output["text"], hidden, replacement)
    if "evalue" in output:
        output["evalue"] = _scrub_text(output["evalue"], hidden, replacement)
    if "traceback" in output:
        output["traceback"] = [
            _scrub_text(line, hidden, replacement) for line in output["traceback"]
        ]
    for key, value in (output.get("data") or {}).items():
        if isinstance(value, str):
            output["data"][key] = _scrub_text(value, hidden, replacement)
        elif isinstance(value, list):
            output["data"][key] = [_scrub_text(v, hidden, replacement) for v in value]
    return output


class HideHiddenTests(Preprocessor):
    """Strip hidden tests from test cells and from their failure output, and any hidden-test
    line from every output of every cell (whatever the student's code printed or raised)."""

    # nbconvert preprocessors are off unless enabled; nbgrader registers them as they are.
    enabled = Bool(True).tag(config=True)

    begin_delimeter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    end_delimeter = Unicode("END HIDDEN TESTS").tag(config=True)
    message = Unicode(
        "A hidden test in this cell failed. The visible tests above pass; the hidden ones "
        "check further cases of the same task (see the docstring). Their code is not shown."
    ).tag(config=True)

    replacement = Unicode("[hidden test line]").tag(config=True)

    def preprocess(self, nb, resources):
        hidden = _hidden_lines(nb.cells, self.begin_delimeter, self.end_delimeter)
        nb, resources = super().preprocess(nb, resources)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                _scrub_output(output, hidden, self.replacement)
        return nb, resources

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        if cell.cell_type != "code":
            return cell, resources
        lines = cell.source.splitlines()
        hidden = _hidden_line_range(lines, self.begin_delimeter, self.end_delimeter)
        if hidden is None:
            return cell, resources
        outputs = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                line = _failing_line(output.get("traceback", []))
                if line is None or line in hidden or line > len(lines):
                    ename, evalue = "HiddenTestFailed", self.message
                    traceback = [f"HiddenTestFailed: {self.message}"]
                else:
                    # IPython's traceback quotes lines around the failing one, which may reach
                    # into the hidden part: rebuild it from the failing visible line alone.
                    ename, evalue = output.get("ename", "Error"), output.get("evalue", "")
                    traceback = [
                        f"{ename}: {evalue}",
                        f"raised by line {line} of this test cell: {lines[line - 1].strip()}",
                    ]
                outputs.append(
                    NotebookNode(
                        output_type="error", ename=ename, evalue=evalue, traceback=traceback
                    )
                )
            elif output.get("output_type") == "stream" or "data" in output:
                # Output printed while hidden tests ran may quote them; visible tests print nothing.
                continue
            else:
                outputs.append(output)
        cell.outputs = outputs
        kept = [line for number, line in enumerate(lines, start=1) if number not in hidden]
        cell.source = "\n".join(kept)
        return cell, resources
