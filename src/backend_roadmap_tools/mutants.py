"""Mutation testing of an exercise set: does every small change to a solution lose points?

Usage::

    python -m backend_roadmap_tools.mutants 01_internet_and_networking [--write] [--list]

For each answer cell (``solution: true`` code cell) of ``exercises/source/<set>/``, the code
between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` is mutated with the usual operators:
comparisons flipped or moved by one (``<`` to ``<=`` or ``>=``, ``==`` to ``!=``, ``in`` to
``not in``), integer constants +-1, ``True``/``False`` swapped, ``and``/``or`` swapped, ``not``
dropped, a statement removed (replaced by ``pass``), a call removed (``f(x)`` to ``x``,
``x.m()`` to ``x``) and the first two positional arguments swapped. A string constant that is
itself a Python program (a question whose answer is the source of a program) is mutated as code.

Mutants do not go through nbgrader: the set's code cells run once in ONE kernel (the solved
notebook), then for each mutant the mutated answer cell and the test cells of its question run,
and the original answer cell is restored. A mutant is *killed* when one of those test cells
fails (it would lose those points) or runs out of time. The same runner grades the recorded
wrong answers (``tests/wrong_answers/<set>/``).

A survivor is either killed by a better test or recorded as *equivalent* (no test can tell it
from the solution) in ``tests/mutants/<set>.toml`` with the reason. That file also keeps the
content hash of the set's code cells and the result, so CI re-runs only the sets whose hash
changed (``needs_run``). ``--write`` refreshes the record after a run, keeping the reasons.
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import json
import os
import queue
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from backend_roadmap_tools import REPO_ROOT

SOURCE_ROOT = REPO_ROOT / "exercises" / "source"
RECORD_ROOT = REPO_ROOT / "tests" / "mutants"
WRONG_ROOT = REPO_ROOT / "tests" / "wrong_answers"
# Bump when the operators change: every set's record is then stale and re-run.
MUTATOR_VERSION = "1"
SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"
# A mutant's test cell may run this many times longer than the solution's before it counts as
# hung (killed: nbgrader's own cell timeout would fail it too), and never less than this.
SLOWDOWN, MIN_TIMEOUT = 4.0, 8.0

COMPARE_SWAPS: dict[type, tuple[type, ...]] = {
    ast.Lt: (ast.LtE, ast.GtE),
    ast.LtE: (ast.Lt, ast.Gt),
    ast.Gt: (ast.GtE, ast.LtE),
    ast.GtE: (ast.Gt, ast.Lt),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
}
SYMBOL = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}


# --- the notebook ------------------------------------------------------------------------


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def source_notebook(exercise_set: str) -> Path:
    found = sorted((SOURCE_ROOT / exercise_set).glob("*.ipynb"))
    if len(found) != 1:
        raise SystemExit(f"{exercise_set}: expected one notebook in exercises/source/, {found}")
    return found[0]


def exercise_sets() -> list[str]:
    if not SOURCE_ROOT.is_dir():
        return []
    return sorted(p.name for p in SOURCE_ROOT.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


@dataclass
class Question:
    """An answer cell and the test cells after it (up to the next answer cell)."""

    grade_id: str
    answer: int  # index of the answer cell among the notebook's cells
    tests: list[int]
    points: dict[str, float]  # test grade_id -> points


def questions(notebook) -> list[Question]:
    found: list[Question] = []
    for index, cell in enumerate(notebook.cells):
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code":
            continue
        if meta.get("solution"):
            found.append(Question(meta["grade_id"], index, [], {}))
        elif meta.get("grade") and found:
            found[-1].tests.append(index)
            found[-1].points[meta["grade_id"]] = float(meta.get("points", 0))
    return found


def set_hash(notebook) -> str:
    """Content hash of every code cell (solutions, tests, helpers) and of the operators."""
    digest = hashlib.sha256(f"mutator {MUTATOR_VERSION}\n".encode())
    for cell in notebook.cells:
        if cell.cell_type == "code":
            digest.update(cell.source.encode() + b"\n\x00")
    return digest.hexdigest()[:16]


# --- mutants -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    question: str
    ident: str  # stable id: "<line>:<col>:<operator>", line within the answer cell
    description: str
    source: str  # the whole mutated answer cell

    @property
    def key(self) -> str:
        return f"{self.question}@{self.ident}"


def _solution_lines(source: str) -> set[int]:
    """1-based numbers of the lines strictly between the solution markers."""
    lines, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        if SOLUTION_BEGIN in line:
            inside = True
        elif SOLUTION_END in line:
            inside = False
        elif inside:
            lines.add(number)
    return lines


def _edits(node: ast.AST) -> Iterator[tuple[str, str, object]]:
    """(operator, description, replacement) for one node; replacement is applied by _apply."""
    if isinstance(node, ast.Compare):
        for position, op in enumerate(node.ops):
            for other in COMPARE_SWAPS.get(type(op), ()):
                text = f"{SYMBOL[type(op)]} -> {SYMBOL[other]}"
                yield f"compare{position}:{other.__name__}", text, ("op", position, other)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            yield "bool", f"{node.value} -> {not node.value}", ("value", not node.value)
        elif isinstance(node.value, int):
            for delta in (1, -1):
                text = f"{node.value} -> {node.value + delta}"
                yield f"const{delta:+d}", text, ("value", node.value + delta)
    elif isinstance(node, ast.BoolOp):
        other = ast.Or if isinstance(node.op, ast.And) else ast.And
        text = "and -> or" if other is ast.Or else "or -> and"
        yield "boolop", text, ("boolop", other)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "not", "not x -> x", ("replace", node.operand)
    elif isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and not node.args and not node.keywords:
            yield "call", f"x.{node.func.attr}() -> x", ("replace", node.func.value)
        elif (
            len(node.args) == 1 and not node.keywords and not isinstance(node.args[0], ast.Starred)
        ):
            name = ast.unparse(node.func)
            yield "call", f"{name}(x) -> x", ("replace", node.args[0])
        if len(node.args) >= 2 and not any(isinstance(a, ast.Starred) for a in node.args[:2]):
            yield "swap", f"{ast.unparse(node.func)}(a, b) -> (b, a)", ("swap",)


def _statement_edits(body: list[ast.stmt]) -> Iterator[tuple[int, str, str]]:
    for position, statement in enumerate(body):
        if isinstance(statement, ast.Pass | ast.FunctionDef | ast.ClassDef | ast.Import):
            continue
        if isinstance(statement, ast.ImportFrom | ast.Global | ast.Nonlocal):
            continue
        first = ast.unparse(statement).splitlines()[0]
        yield position, "remove", f"removed: {first[:60]}"


def _apply(tree: ast.AST, path: list, edit) -> ast.AST:
    """A copy of tree with the node at `path` (attribute/index steps) changed by `edit`."""
    tree = copy.deepcopy(tree)
    parent, node = None, tree
    for step in path:
        parent, node = node, (node[step] if isinstance(step, int) else getattr(node, step))
    kind = edit[0]
    if kind == "op":
        node.ops[edit[1]] = edit[2]()
    elif kind == "value":
        node.value = edit[1]
    elif kind == "boolop":
        node.op = edit[1]()
    elif kind == "swap":
        node.args[0], node.args[1] = node.args[1], node.args[0]
    elif kind == "replace":
        replacement = edit[1]
        *head, last = path
        holder = tree
        for step in head:
            holder = holder[step] if isinstance(step, int) else getattr(holder, step)
        # the replacement is the same node found again inside the copied tree
        inner = copy.deepcopy(replacement)
        if isinstance(last, int):
            holder[last] = inner
        else:
            setattr(holder, last, inner)
    elif kind == "remove":
        node[edit[1]] = ast.Pass()
    del parent
    return ast.fix_missing_locations(tree)


def _walk(node: ast.AST, path: list) -> Iterator[tuple[list, ast.AST]]:
    yield path, node
    for name, value in ast.iter_fields(node):
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, ast.AST):
                    yield from _walk(item, [*path, name, index])
        elif isinstance(value, ast.AST):
            yield from _walk(value, [*path, name])


def _is_docstring(path: list, tree: ast.AST) -> bool:
    """Is the node at `path` (ending ``body, 0, value``) the docstring of its holder?"""
    if len(path) < 3 or path[-3:-1] != ["body", 0] or path[-1] != "value":
        return False
    holder = tree
    for step in path[:-3]:
        holder = holder[step] if isinstance(step, int) else getattr(holder, step)
    kinds = ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef
    # `return "..."` as the first statement is code, not a docstring
    return isinstance(holder, kinds) and isinstance(holder.body[0], ast.Expr)


def _program(value: object) -> ast.Module | None:
    """A string constant that is itself a Python program of several statements."""
    if not isinstance(value, str) or "\n" not in value:
        return None
    try:
        tree = ast.parse(value)
    except SyntaxError:
        return None
    return tree if len(tree.body) >= 2 else None


def mutate_code(tree: ast.Module, allowed: set[int] | None) -> Iterator[tuple[str, str, ast.AST]]:
    """Every mutant of `tree` whose node starts on an allowed line (None: all lines)."""

    def ok(node: ast.AST) -> bool:
        line = getattr(node, "lineno", None)
        return line is not None and (allowed is None or line in allowed)

    # The text of an error message: changing it changes no behaviour a test may check.
    quiet = {
        id(inner)
        for raised in ast.walk(tree)
        if isinstance(raised, ast.Raise)
        for text in ast.walk(raised)
        if isinstance(text, ast.JoinedStr)
        for inner in ast.walk(text)
    }
    for path, node in _walk(tree, []):
        if _is_docstring(path, tree) or (path and path[-1] == "annotation") or id(node) in quiet:
            continue
        if isinstance(node, ast.Constant) and ok(node) and (inner := _program(node.value)):
            for ident, text, mutated in mutate_code(inner, None):
                program = ast.unparse(mutated) + "\n"
                place = f"{node.lineno}:{node.col_offset}"
                yield (
                    f"{place}>{ident}",
                    f"in the program: {text}",
                    _apply(tree, path, ("value", program)),
                )
            continue
        if ok(node):
            for operator, text, edit in _edits(node):
                if edit[0] == "replace":
                    edit = ("replace", edit[1])
                ident = f"{node.lineno}:{node.col_offset}:{operator}"
                yield ident, text, _apply(tree, path, edit)
        for name in ("body", "orelse", "finalbody"):
            body = getattr(node, name, None)
            if not isinstance(body, list):
                continue
            for position, operator, text in _statement_edits(body):
                statement = body[position]
                if not ok(statement):
                    continue
                ident = f"{statement.lineno}:{statement.col_offset}:{operator}"
                yield ident, text, _apply(tree, [*path, name], ("remove", position))


def mutants_of(notebook) -> list[Mutant]:
    found: list[Mutant] = []
    for question in questions(notebook):
        source = notebook.cells[question.answer].source
        allowed = _solution_lines(source)
        tree = ast.parse(source)
        seen: set[str] = {ast.unparse(tree)}
        idents: dict[str, int] = {}
        for ident, text, mutated in mutate_code(tree, allowed):
            code = ast.unparse(mutated)
            if code in seen:
                continue  # the same program as the solution or an earlier mutant
            seen.add(code)
            # nested calls start at the same place (`a.b().c()`): number the later ones
            idents[ident] = idents.get(ident, 0) + 1
            if idents[ident] > 1:
                ident = f"{ident}#{idents[ident]}"
            found.append(Mutant(question.grade_id, ident, text, code))
    return found


# --- running cells in one kernel -----------------------------------------------------------


class CellTimeout(Exception):
    pass


class SetRunner:
    """One kernel with the solved set loaded; runs variants of one answer cell at a time."""

    def __init__(self, exercise_set: str) -> None:
        self.exercise_set = exercise_set
        self.path = source_notebook(exercise_set)
        self.notebook = nbformat.read(self.path, as_version=4)
        self.questions = {q.grade_id: q for q in questions(self.notebook)}
        self.baseline: dict[int, float] = {}
        self.manager = None
        self.client = None

    def __enter__(self) -> SetRunner:
        self._start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop()

    def _start(self) -> None:
        from jupyter_client.manager import KernelManager

        env = dict(os.environ, PYTHONHASHSEED="0", TZ="UTC", PYDEVD_DISABLE_FILE_VALIDATION="1")
        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(cwd=str(self.path.parent), env=env)
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)
        for index, cell in enumerate(self.notebook.cells):
            if cell.cell_type != "code":
                continue
            started = time.perf_counter()
            error = self.run(cell.source, timeout=120)
            self.baseline.setdefault(index, time.perf_counter() - started)
            if error:
                raise RuntimeError(
                    f"{self.exercise_set}: the solved set fails in cell {index}: {error}"
                )

    def _stop(self) -> None:
        if self.client is not None:
            self.client.stop_channels()
        if self.manager is not None:
            self.manager.shutdown_kernel(now=True)
        self.client = self.manager = None

    def run(self, code: str, timeout: float) -> str | None:
        """Run code; None when it succeeded, else the error's name and message."""
        message_id = self.client.execute(
            code, store_history=False, allow_stdin=False, stop_on_error=False
        )
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CellTimeout(f"no answer in {timeout:.0f} s")
            try:
                reply = self.client.get_shell_msg(timeout=left)
            except queue.Empty:
                continue
            if reply["parent_header"].get("msg_id") != message_id:
                continue
            content = reply["content"]
            self._drain_iopub()
            if content["status"] == "ok":
                return None
            if content["status"] == "aborted":
                return "aborted by the kernel"
            return f"{content.get('ename')}: {content.get('evalue', '')[:300]}"

    def _drain_iopub(self) -> None:
        while True:
            try:
                self.client.get_iopub_msg(timeout=0)
            except queue.Empty:
                return

    def _recover(self) -> None:
        """After a hung cell: interrupt; if the kernel stays busy, start over."""
        self.manager.interrupt_kernel()
        try:
            if self.run("pass", timeout=5) is None:
                return
        except CellTimeout:
            pass
        self._stop()
        self._start()

    def try_answer(self, grade_id: str, answer_source: str, first: bool = False) -> dict[str, str]:
        """Run `answer_source` in place of the answer cell, then its tests; restore.

        Returns the failing test cells of that question: grade_id -> reason. With `first`, the
        quickest test cells run first and the first failure ends the run (enough to kill)."""
        question = self.questions[grade_id]
        tests = question.tests
        if first:
            tests = sorted(tests, key=lambda index: self.baseline.get(index, 0.0))
        failures: dict[str, str] = {}
        try:
            error = self.run(answer_source, timeout=30)
            if error:
                failures = {gid: f"answer cell: {error}" for gid in question.points}
            else:
                for index in tests:
                    if first and failures:
                        break
                    cell = self.notebook.cells[index]
                    limit = max(MIN_TIMEOUT, SLOWDOWN * self.baseline.get(index, 1.0))
                    error = self.run(cell.source, timeout=limit)
                    if error:
                        failures[nbgrader_meta(cell)["grade_id"]] = error
        except CellTimeout as exc:
            for gid in question.points:
                failures.setdefault(gid, f"timeout: {exc}")
            self._recover()
        original = self.notebook.cells[question.answer].source
        try:
            error = self.run(original, timeout=30)
            if error:
                raise RuntimeError(f"{grade_id}: the solution fails after a variant: {error}")
        except CellTimeout:
            self._recover()
        return failures


# --- the record ----------------------------------------------------------------------------


def record_path(exercise_set: str) -> Path:
    return RECORD_ROOT / f"{exercise_set}.toml"


def read_record(exercise_set: str) -> dict:
    import tomllib

    path = record_path(exercise_set)
    if not path.exists():
        return {"equivalent": []}
    with path.open("rb") as file:
        record = tomllib.load(file)
    record.setdefault("equivalent", [])
    return record


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def write_record(exercise_set: str, result: MutationResult) -> Path:
    record = read_record(exercise_set)
    reasons = {entry["mutant"]: entry for entry in record["equivalent"]}
    lines = [
        f"# Mutation record of exercises/source/{exercise_set}/, written by",
        f"# `make mutants SET={exercise_set} WRITE=1`. Edit only the reasons of the equivalent",
        "# mutants (a survivor no test can tell from the solution, and why).",
        f"hash = {_toml_string(result.hash)}",
        f"mutants = {result.total}",
        f"killed = {len(result.killed)}",
        f"seconds = {result.seconds:.1f}",
        "",
    ]
    for key in sorted(result.survivors):
        entry = reasons.get(key)
        mutant = result.mutants[key]
        lines += [
            "[[equivalent]]",
            f"mutant = {_toml_string(key)}",
            f"change = {_toml_string(mutant.description)}",
            f"reason = {_toml_string(entry['reason'] if entry else 'TODO: kill it or say why')}",
            "",
        ]
    path = record_path(exercise_set)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
    return path


@dataclass
class MutationResult:
    exercise_set: str
    hash: str
    mutants: dict[str, Mutant]
    killed: dict[str, dict[str, str]] = field(default_factory=dict)
    survivors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return len(self.mutants)

    def unexplained(self, record: dict) -> list[str]:
        """Survivors not recorded as equivalent with a reason."""
        explained = {
            e["mutant"] for e in record.get("equivalent", []) if not e["reason"].startswith("TODO")
        }
        return [key for key in self.survivors if key not in explained]


def needs_run(exercise_set: str) -> bool:
    """True when the set changed since its record was written (or it has none)."""
    notebook = nbformat.read(source_notebook(exercise_set), as_version=4)
    return read_record(exercise_set).get("hash") != set_hash(notebook)


def run_mutants(
    exercise_set: str, runner: SetRunner | None = None, only: str | None = None, log=None
) -> MutationResult:
    notebook = nbformat.read(source_notebook(exercise_set), as_version=4)
    every = mutants_of(notebook)
    if only:
        every = [m for m in every if m.question == only]
    result = MutationResult(exercise_set, set_hash(notebook), {m.key: m for m in every})
    started = time.perf_counter()
    own = runner is None
    runner = runner or SetRunner(exercise_set).__enter__()
    try:
        for number, mutant in enumerate(every, start=1):
            failures = runner.try_answer(mutant.question, mutant.source, first=True)
            if failures:
                result.killed[mutant.key] = failures
            else:
                result.survivors.append(mutant.key)
            if log:
                state = "killed" if failures else "SURVIVED"
                log(f"[{number}/{len(every)}] {state} {mutant.key}: {mutant.description}")
    finally:
        if own:
            runner.__exit__(None, None, None)
    result.seconds = time.perf_counter() - started
    return result


def wrong_answer_files(exercise_set: str) -> list[Path]:
    """``tests/wrong_answers/<set>/<answer grade_id>--<mistake>.py``."""
    return sorted((WRONG_ROOT / exercise_set).glob("*.py"))


def run_wrong_answers(
    exercise_set: str, runner: SetRunner | None = None, first: bool = False
) -> dict[str, dict[str, str]]:
    """Each recorded wrong answer in place of its answer cell: file stem -> failing test cells
    (with `first`, only the first failure found: enough to know it loses points).

    An empty dict for a file means the wrong answer earned every point of its question."""
    own = runner is None
    runner = runner or SetRunner(exercise_set).__enter__()
    results: dict[str, dict[str, str]] = {}
    try:
        for path in wrong_answer_files(exercise_set):
            grade_id = path.stem.partition("--")[0]
            if grade_id not in runner.questions:
                results[path.stem] = {"?": f"no answer cell {grade_id}"}
                continue
            results[path.stem] = runner.try_answer(grade_id, path.read_text(), first=first)
    finally:
        if own:
            runner.__exit__(None, None, None)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set", help="exercise set, e.g. 01_internet_and_networking")
    parser.add_argument("--question", help="only the mutants of this answer cell (grade_id)")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--write", action="store_true", help="update tests/mutants/<set>.toml")
    parser.add_argument("--verbose", action="store_true", help="one line per mutant")
    parser.add_argument("--wrong", action="store_true", help="grade the wrong answers instead")
    args = parser.parse_args(argv)
    if args.wrong:
        results = run_wrong_answers(args.set)
        for stem, failures in results.items():
            lost = ", ".join(sorted(failures)) or "NOTHING: it earns full marks"
            print(f"{stem}: loses {lost}")
        return 1 if not all(results.values()) else 0
    notebook = nbformat.read(source_notebook(args.set), as_version=4)
    if args.list:
        for mutant in mutants_of(notebook):
            if not args.question or mutant.question == args.question:
                print(f"{mutant.key}  {mutant.description}")
        return 0
    log = print if args.verbose else None
    result = run_mutants(args.set, only=args.question, log=log)
    record = read_record(args.set)
    reasons = {e["mutant"]: e["reason"] for e in record["equivalent"]}
    unexplained = result.unexplained(record)
    for key in result.survivors:
        mutant = result.mutants[key]
        note = reasons.get(key, "NOT RECORDED: kill it with a test or record it as equivalent")
        print(f"survived {key}: {mutant.description}\n    {note}")
    equivalent = len(result.survivors) - len(unexplained)
    scored = result.total - equivalent
    rate = 100.0 * len(result.killed) / scored if scored else 100.0
    print(
        f"{args.set}: {result.total} mutants, {len(result.killed)} killed, "
        f"{equivalent} equivalent, {len(unexplained)} unexplained survivors; "
        f"kill rate {rate:.1f}% of non-equivalent mutants ({result.seconds:.0f} s)"
    )
    if args.write and not args.question:
        print(f"wrote {write_record(args.set, result)}")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
