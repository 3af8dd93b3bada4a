"""A learner's progress on an exercise set: every visible test run, one line per answer.

The last cell of each exercise notebook calls ``check_progress()``. It reads the notebook it is
called from (the path JupyterLab gives the kernel, or the one ``*_exercises.ipynb`` in the
working directory), runs the visible part of every test cell against what the learner's
kernel holds, and prints one line per answer: passed, failed with the first message, or not
attempted, with points. Hidden tests are never run nor shown: only the lines a learner can
already read in the notebook. While nbgrader grades or validates, it does nothing.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HIDDEN = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.M | re.S
)
NOT_ATTEMPTED = (NotImplementedError, NameError)
MESSAGE_WIDTH = 110


@dataclass
class Answer:
    """One answer cell and the test cells that grade it."""

    grade_id: str
    manual_points: float = 0.0
    tests: list[tuple[str, str, float]] = field(default_factory=list)  # (id, source, points)

    @property
    def points(self) -> float:
        return self.manual_points or sum(points for _, _, points in self.tests)

    @property
    def label(self) -> str:
        number, _, name = self.grade_id.partition("_")
        return f"{number.upper()} {name}" if re.fullmatch(r"q\d+", number) else self.grade_id


@dataclass
class Result:
    answer: Answer
    status: str  # "passed", "failed", "not attempted", "graded by hand"
    earned: float
    message: str = ""

    def line(self, width: int) -> str:
        points = _points(self.answer.points)
        if self.status == "graded by hand":
            return (
                f"  {self.answer.label:<{width}}  written answer, graded by hand ({points} points)"
            )
        score = f"{_points(self.earned)}/{points}"
        text = f"  {self.answer.label:<{width}}  {self.status:<13} {score:>5}"
        return f"{text}  {self.message}" if self.message else text


def _points(value: float) -> str:
    return f"{value:g}"


def visible_source(source: str) -> str:
    """A test cell's source without its hidden tests (a release copy has none anyway)."""
    return HIDDEN.sub("", source)


def answers_of(notebook: dict[str, Any]) -> list[Answer]:
    """The answer cells of an nbgrader notebook (JSON as a dict), each with its test cells."""
    answers: list[Answer] = []
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        grade_id = meta.get("grade_id", "")
        if meta.get("solution") and cell.get("cell_type") == "markdown" and meta.get("grade"):
            answers.append(Answer(grade_id, manual_points=float(meta.get("points", 0))))
        elif meta.get("solution"):
            answers.append(Answer(grade_id))
        elif meta.get("grade") and cell.get("cell_type") == "code" and answers:
            answers[-1].tests.append((grade_id, source, float(meta.get("points", 0))))
    return [answer for answer in answers if answer.tests or answer.manual_points]


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    message = f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
    return message if len(message) <= MESSAGE_WIDTH else message[: MESSAGE_WIDTH - 3] + "..."


def run_test(source: str, namespace: dict[str, Any], name: str) -> BaseException | None:
    """Run one visible test in the learner's namespace; the error it raised, if any."""
    code = visible_source(source)
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        code = TransformerManager().transform_cell(code)
    except ImportError:  # plain Python: the test cells are plain Python anyway
        pass
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            exec(compile(code, f"<test {name}>", "exec"), namespace)  # noqa: S102
    except Exception as error:  # a failing test: report it, run the next one
        return error
    return None


def check(answer: Answer, namespace: dict[str, Any]) -> Result:
    if answer.manual_points:
        return Result(answer, "graded by hand", 0.0)
    earned, first_error, attempted = 0.0, None, True
    for name, source, points in answer.tests:
        error = run_test(source, namespace, name)
        if error is None:
            earned += points
        elif isinstance(error, NOT_ATTEMPTED):
            attempted = False
        elif first_error is None:
            first_error = error
    if not attempted and earned == 0 and first_error is None:
        return Result(answer, "not attempted", 0.0, "write your answer, run its cell")
    if first_error is None and attempted:
        return Result(answer, "passed", earned)
    message = first_line(first_error) if first_error else "part of the answer is not done"
    return Result(answer, "failed", earned, message)


def find_notebook(start: Path | None = None) -> Path:
    """The notebook check_progress() was called from."""
    session = os.environ.get("JPY_SESSION_NAME", "")
    if session.endswith(".ipynb") and Path(session).is_file():
        return Path(session)
    folder = start or Path.cwd()
    found = sorted(folder.glob("*_exercises.ipynb"))
    if len(found) == 1:
        return found[0]
    raise FileNotFoundError(
        f"Which exercise notebook? Found {len(found)} in {folder}; "
        "call check_progress('NN_topic_exercises.ipynb')."
    )


def _learner_namespace() -> dict[str, Any]:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - the course always has IPython
        shell = None
    else:
        shell = get_ipython()
    if shell is not None:
        return shell.user_ns
    import __main__

    return vars(__main__)


def progress(notebook: dict[str, Any], namespace: dict[str, Any]) -> list[Result]:
    """Every answer of the notebook checked against its visible tests."""
    return [check(answer, namespace) for answer in answers_of(notebook)]


def report(results: list[Result]) -> str:
    auto = [r for r in results if r.status != "graded by hand"]
    earned = sum(r.earned for r in auto)
    total = sum(r.answer.points for r in auto)
    width = max((len(r.answer.label) for r in results), default=0)
    lines = [f"Visible tests: {_points(earned)} of {_points(total)} automatically graded points."]
    lines += [r.line(width) for r in results]
    lines.append("Hidden tests run when your work is graded; they check more cases of each task.")
    return "\n".join(lines)


def check_progress(
    notebook: str | os.PathLike[str] | None = None,
    *,
    namespace: dict[str, Any] | None = None,
) -> None:
    """Print one line per answer of this exercise notebook: passed, failed or not attempted.

    Run it after your answer cells: it uses what the kernel holds, so an answer counts once
    its cell has run. Cells you changed but did not save are fine; the tests are read from
    the saved notebook, and they are read-only.
    """
    if os.environ.get("NBGRADER_EXECUTION"):
        return  # nbgrader is grading or validating: its own tests count, not this view
    path = Path(notebook) if notebook is not None else find_notebook()
    data = json.loads(path.read_text(encoding="utf-8"))
    results = progress(data, namespace if namespace is not None else _learner_namespace())
    print(report(results))
