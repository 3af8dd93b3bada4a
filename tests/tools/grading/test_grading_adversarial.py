"""Broken and hostile submissions against the safe autograder, built from a real exercise.

One throw-away course (chapter 01's exercise source, generated with nbgrader) receives an honest
submission, an honest twin for every kind of damage, and one hostile submission per case.
``python -m backend_roadmap_tools.grading autograde`` grades the batch once (as the README says to),
then every case checks its expected outcome and the invariants that hold for all of them:

* never more points than the code earns (the honest twin with the same answers is the bound);
* every student gets a record: in the gradebook and in the grading report, with a reason
  when something could not be checked;
* no other student's data changes (files and grades of ``alice`` and ``bob``);
* the batch finishes; a second run gives the same grades and loses no submission.
"""

from __future__ import annotations

import ast
import hashlib
import html
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from support import REPO
from support.grading_fixtures.course import Course, cell, make_course

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="the sandbox uses Linux namespaces"),
]

CELL_TIMEOUT = 6


# -- helpers that derive submissions from the solved notebook ---------------------------------


def questions(nb: dict) -> list[tuple[str, list[str]]]:
    """(answer grade_id, [test grade_ids]) in notebook order, for code answers."""
    out: list[tuple[str, list[str]]] = []
    for c in nb["cells"]:
        meta = c.get("metadata", {}).get("nbgrader", {})
        if c["cell_type"] != "code":
            continue
        if meta.get("solution") and not meta.get("grade"):
            out.append((meta["grade_id"], []))
        elif meta.get("grade") and out:
            out[-1][1].append(meta["grade_id"])
    return [q for q in out if q[1]]


def points(nb: dict, grade_id: str) -> float:
    return float(cell(nb, grade_id)["metadata"]["nbgrader"]["points"])


def source_of(c: dict) -> str:
    return "".join(c["source"]) if isinstance(c["source"], list) else c["source"]


def function_name(nb: dict, answer: str) -> str:
    tree = ast.parse(source_of(cell(nb, answer)))
    return next(n.name for n in tree.body if isinstance(n, ast.FunctionDef))


def first_function_question(nb: dict) -> tuple[str, list[str], str]:
    for answer, tests in questions(nb):
        try:
            return answer, tests, function_name(nb, answer)
        except StopIteration:
            continue
    raise AssertionError("no question answered by a function")


def wrap(nb: dict, answer: str, body: str) -> dict:
    """Keep the correct answer but run ``body`` every time the function is called."""
    name = function_name(nb, answer)
    c = cell(nb, answer)
    lines = [
        "",
        f"_real_{name} = {name}",
        f"def {name}(*args, **kwargs):",
        textwrap.indent(textwrap.dedent(body).strip("\n"), "    "),
        f"    return _real_{name}(*args, **kwargs)",
    ]
    c["source"] = source_of(c) + "\n" + "\n".join(lines) + "\n"
    return nb


def prepend(nb: dict, answer: str, code: str) -> dict:
    c = cell(nb, answer)
    c["source"] = textwrap.dedent(code).strip() + "\n\n" + source_of(c)
    return nb


def append(nb: dict, answer: str, code: str) -> dict:
    c = cell(nb, answer)
    c["source"] = source_of(c) + "\n\n" + textwrap.dedent(code).strip() + "\n"
    return nb


def stub(nb: dict, answer: str) -> dict:
    """The answer as released: the learner wrote nothing."""
    cell(nb, answer)["source"] = "# YOUR CODE HERE\nraise NotImplementedError()"
    return nb


def stub_all(nb: dict) -> dict:
    for answer, _ in questions(nb):
        stub(nb, answer)
    return nb


def tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


# -- the cases ----------------------------------------------------------------------------------
# Each case: how to build the submission, the honest twin that bounds its score (or a number),
# whether it must be marked failed, and a fragment of the reason or note the instructor sees.


def build_cases(course: Course) -> dict[str, dict]:
    solved = course.solved
    answer, tests, name = first_function_question(course.source)
    later = [t for _, ts in questions(course.source) for t in ts]
    full = sum(points(course.source, t) for t in later)
    first_points = sum(points(course.source, t) for t in tests)
    before_first = sum(points(course.source, t) for t in later[: later.index(tests[0])])
    root = course.root.resolve()
    secret_paths = [
        root / "exercises" / "source" / course.assignment / f"{course.notebook}.ipynb",
        root / "exercises" / "gradebook.db",
        root / "nbgrader_config.py",
        root / "exercises" / "submitted" / "bob" / course.assignment / f"{course.notebook}.ipynb",
        REPO / "exercises" / "source",
        REPO / ".git" / "HEAD",
        Path("/proc/1/environ"),
    ]
    probe = f"""
    import os, sqlite3
    for _p in {[str(p) for p in secret_paths]!r}:
        try:
            _found = os.listdir(_p) if os.path.isdir(_p) else open(_p, "rb").read(64)
            print("OPENED", _p, _found)
        except Exception as _e:
            print("BLOCKED", _p, type(_e).__name__)
    """
    targets = [
        str(
            root
            / "exercises"
            / "submitted"
            / "bob"
            / course.assignment
            / f"{course.notebook}.ipynb"
        ),
        str(root / "exercises" / "autograded" / "bob" / course.assignment / "evil.txt"),
        str(root / "exercises" / "grading_reports" / f"{course.assignment}.json"),
        str(root / "exercises" / "source" / course.assignment / "evil.txt"),
    ]
    writer = f"""
    import os, sqlite3
    for _p in {[str(root / "exercises" / "gradebook.db")]!r}:
        try:
            _db = sqlite3.connect(_p)
            _db.execute("UPDATE grade SET auto_score = 1000")
            _db.commit()
            print("WROTE", _p)
        except Exception as _e:
            print("BLOCKED", _p, type(_e).__name__)
    for _p in {targets!r}:
        try:
            with open(_p, "w") as _f:
                _f.write("{{}}")
            print("WROTE", _p)
        except Exception as _e:
            print("BLOCKED", _p, type(_e).__name__)
    """
    extra_notebook = json.dumps(solved()).encode()

    def deleted_test(nb):
        nb["cells"] = [
            c
            for c in stub(nb, answer)["cells"]
            if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") != tests[0]
        ]
        return nb

    def duplicated_test(nb):
        stub(nb, answer)
        index = nb["cells"].index(cell(nb, tests[0]))
        copy = json.loads(json.dumps(nb["cells"][index]))
        nb["cells"][index]["source"] = "pass"
        nb["cells"].insert(index + 1, copy)
        return nb

    def markdown_test(nb):
        c = cell(stub(nb, answer), tests[0])
        c["cell_type"] = "markdown"
        c.pop("outputs", None)
        c.pop("execution_count", None)
        return nb

    def points_changed(nb):
        cell(nb, tests[0])["metadata"]["nbgrader"]["points"] = 100
        return nb

    def grade_id_changed(nb):
        cell(stub(nb, answer), tests[0])["metadata"]["nbgrader"]["grade_id"] = "free_points"
        return nb

    def schema_changed(nb):
        for c in nb["cells"]:
            if "nbgrader" in c.get("metadata", {}):
                c["metadata"]["nbgrader"]["schema_version"] = 99
        return nb

    def edited_test(nb):
        cell(stub(nb, answer), tests[0])["source"] = "pass"
        return nb

    def hooked(code):
        # Every answer left as released (worth 0), plus a hook that would make tests pass.
        return lambda nb: prepend(stub_all(nb), answer, code)

    cases = {
        # execution
        "infinite_loop": dict(
            build=lambda nb: wrap(nb, answer, "while True:\n    pass"),
            bound=full - first_points,
            failed=True,
            reason="out of time",
        ),
        "ignores_sigint": dict(
            build=lambda nb: wrap(
                nb,
                answer,
                """
                import signal
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                while True:
                    pass""",
            ),
            bound=before_first,
            failed=True,
            reason="ignored the interrupt",
        ),
        "os_exit": dict(
            build=lambda nb: wrap(nb, answer, "import os\nos._exit(3)"),
            bound=before_first,
            failed=True,
            reason="kernel died",
        ),
        "segfault": dict(
            build=lambda nb: wrap(nb, answer, "import faulthandler\nfaulthandler._sigsegv()"),
            bound=before_first,
            failed=True,
            reason="kernel died",
        ),
        "memory_exhaustion": dict(
            build=lambda nb: wrap(
                nb,
                answer,
                """
                hog = []
                while True:
                    hog.append(bytearray(64 * 2**20))""",
            ),
            bound=full - first_points,
            failed=None,
            reason=None,
        ),
        "print_flood": dict(
            build=lambda nb: append(
                nb,
                answer,
                """
                for _ in range(100_000):
                    print("flood", _)""",
            ),
            bound=full,
            exact=full,
            failed=None,  # on a loaded machine the cell may time out; the grade holds
            reason=None,
        ),
        "huge_rich_output": dict(
            build=lambda nb: append(
                nb,
                answer,
                """
                from IPython.display import display
                display({"text/html": "<p>" + "x" * (16 * 2**20) + "</p>"}, raw=True)
                display({"text/plain": "y" * (900 * 2**10)}, raw=True)
                display({"text/plain": "z" * (900 * 2**10)}, raw=True)""",
            ),
            bound=full,
            exact=full,
            failed=False,
            reason=None,
        ),
        "sys_exit": dict(
            build=lambda nb: wrap(nb, answer, "import sys\nsys.exit(0)"),
            bound=full - first_points,
            exact=full - first_points,
            failed=False,
            reason=None,
        ),
        # structure
        "edited_test_cell": dict(build=edited_test, twin="stub_first", reason="edited; restored"),
        "deleted_test_cell": dict(
            build=deleted_test, twin="stub_first", reason="missing; restored"
        ),
        "duplicated_test_cell": dict(
            build=duplicated_test, twin="stub_first", reason="more than once"
        ),
        "markdown_test_cell": dict(
            build=markdown_test, twin="stub_first", reason="turned into markdown"
        ),
        "changed_points": dict(build=points_changed, bound=full, exact=full, reason="points"),
        "changed_grade_id": dict(
            build=grade_id_changed, twin="stub_first", reason="unknown grade_id"
        ),
        "changed_schema_version": dict(
            build=schema_changed, bound=full, exact=full, reason="schema_version"
        ),
        "corrupt_json": dict(
            raw=b'{"cells": [', bound=0, exact=0, failed=True, reason="not valid JSON"
        ),
        "empty_file": dict(raw=b"", bound=0, exact=0, failed=True, reason="is empty"),
        "missing_notebook": dict(raw=None, bound=0, exact=0, failed=True, reason="is missing"),
        "extra_notebook": dict(
            build=lambda nb: nb,
            extra=extra_notebook,
            bound=full,
            exact=full,
            reason="extra notebook",
        ),
        # reaching outside
        "reads_secrets": dict(
            build=lambda nb: append(nb, answer, probe),
            bound=full,
            exact=full,
            output_has="BLOCKED",
            output_lacks="OPENED",
        ),
        "writes_gradebook_and_peers": dict(
            build=lambda nb: append(nb, answer, writer),
            bound=full,
            exact=full,
            output_has="BLOCKED",
            output_lacks="WROTE",
        ),
        # faking a pass
        "always_equal": dict(
            build=lambda nb: append(
                nb,
                answer,
                f"""
                class AlwaysEqual:
                    def __eq__(self, other): return True
                    def __ne__(self, other): return False
                    def __getitem__(self, key): return self
                def {name}(*args, **kwargs):
                    return AlwaysEqual()""",
            ),
            bound=full - first_points,
        ),
        "input_transformer": dict(
            build=hooked(
                "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])"
            ),
            bound=0,
            exact=0,
            failed=True,
        ),
        "ast_transformer_drops_asserts": dict(
            build=hooked("""
                import ast
                class _Drop(ast.NodeTransformer):
                    def visit_Raise(self, node): return ast.Pass()
                    def visit_Call(self, node): return ast.Constant(None)
                get_ipython().ast_transformers.append(_Drop())"""),
            bound=0,
            exact=0,
            failed=True,
        ),
        "patched_run_cell": dict(
            build=hooked("""
                from IPython.core.interactiveshell import InteractiveShell
                _orig = InteractiveShell.run_cell_async
                async def _fake(self, raw_cell, *args, **kwargs):
                    if "expect(" in raw_cell:
                        raw_cell = "pass"
                    return await _orig(self, raw_cell, *args, **kwargs)
                InteractiveShell.run_cell_async = _fake"""),
            bound=0,
            exact=0,
            failed=True,
        ),
        "rebound_expect": dict(
            build=hooked("expect = lambda *args, **kwargs: None"), bound=0, exact=0, failed=True
        ),
        "custom_exception_handler": dict(
            build=hooked("get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)"),
            bound=0,
            exact=0,
            failed=True,
        ),
        "stderr_in_passing_test": dict(
            build=lambda nb: wrap(
                nb,
                answer,
                """
                import sys, warnings
                print("a warning on stderr", file=sys.stderr)
                warnings.warn("deprecated, but fine")""",
            ),
            bound=full,
            exact=full,
            failed=False,
        ),
        # an honest learner who answered nothing: the released notebook as handed out
        "release_copy": dict(
            raw=lambda: (
                course.exercises / "release" / course.assignment / f"{course.notebook}.ipynb"
            ).read_bytes(),
            bound=0,
            exact=0,
            failed=False,
            status="ok",
        ),
        # twins and bystanders
        "stub_first": dict(
            build=lambda nb: stub(nb, answer), bound=full - first_points, exact=full - first_points
        ),
        # The first answer always raises ValueError: what an answer earns whose frame access is
        # refused under a test (FrameAccessRefused is a ValueError, so libraries that expect
        # ValueError from sys._getframe, such as logging, degrade instead of crashing).
        "raises_value_error_first": dict(
            build=lambda nb: replace_function(nb, answer, name, 'raise ValueError("no")'),
            bound=full,
        ),
        "alice": dict(build=lambda nb: nb, bound=full, exact=full, failed=False, status="ok"),
        "bob": dict(build=lambda nb: nb, bound=full, exact=full, failed=False, status="ok"),
    }
    # (not ``name``: the builders above read that variable when they run)
    for case_name, case in cases.items():
        case["cls"] = next(c for c, members in FIRST_CLASSES.items() if case_name in members)
    for case_name, case in hole_cases(course, answer, full).items():
        assert case_name not in cases, case_name
        cases[case_name] = case
    return cases


# The first suite's cases, by what they attack.
FIRST_CLASSES = {
    "execution": {
        "infinite_loop",
        "ignores_sigint",
        "os_exit",
        "segfault",
        "memory_exhaustion",
        "print_flood",
        "huge_rich_output",
        "sys_exit",
        "stderr_in_passing_test",
    },
    "structure": {
        "edited_test_cell",
        "deleted_test_cell",
        "duplicated_test_cell",
        "markdown_test_cell",
        "changed_points",
        "changed_grade_id",
        "changed_schema_version",
        "corrupt_json",
        "empty_file",
        "missing_notebook",
        "extra_notebook",
    },
    "reaching outside": {"reads_secrets", "writes_gradebook_and_peers"},
    "faking a pass": {
        "always_equal",
        "input_transformer",
        "ast_transformer_drops_asserts",
        "patched_run_cell",
        "rebound_expect",
        "custom_exception_handler",
    },
    "honest": {"release_copy", "stub_first", "raises_value_error_first", "alice", "bob"},
}

# The classes of hole of issue 7, each closed and kept closed by the cases tagged with it.
HOLE_CLASSES = {
    "1 shadowing modules": "files beside the notebook shadow what the set-up cells import",
    "2 reordered set-up cells": "student code above the imports, the imports cell moved",
    "3 transient tampering": "a change made only while a test runs, then undone",
    "4 oracles reading the test": "student code reads the running test's source or frames",
    "5 files that are not regular": "symlinked notebook, bad timestamp.txt of every kind",
    "6 feedback leaks": "hidden-test lines printed or raised into any output",
    "7 channels between jails": "keyring, socket folder, memory and CPU beyond one jail",
}


def oracle_question(nb: dict) -> tuple[str, list[str], str]:
    """The function question whose tests most often read ``expect(f(literal), literal, ...)``."""
    best = None
    for answer, tests in questions(nb):
        try:
            name = function_name(nb, answer)
        except StopIteration:
            continue
        hits = 0
        for test in tests:
            for node in ast.walk(ast.parse(source_of(cell(nb, test)))):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", None) == "expect"
                    and node.args
                    and isinstance(node.args[0], ast.Call)
                    and getattr(node.args[0].func, "id", None) == name
                ):
                    hits += 1
        if best is None or hits > best[0]:
            best = (hits, answer, tests, name)
    assert best and best[0], "no question tested as expect(f(...), ...)"
    return best[1], best[2], best[3]


# Finds, in a test's source, the expected value for the arguments it was called with.
ORACLE = """
def _oracle(name, args, source):
    import ast
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "expect"
                and len(node.args) > 1 and isinstance(node.args[0], ast.Call)
                and getattr(node.args[0].func, "id", None) == name):
            try:
                if [ast.literal_eval(a) for a in node.args[0].args] == list(args):
                    return ast.literal_eval(node.args[1])
            except ValueError:
                continue
    raise LookupError("not in the test")
"""

LEAK = """
import linecache
_all = list(In) + [str(v) for k, v in list(globals().items()) if k.startswith("_i")]
_all += ["".join(e[2]) for k, e in list(linecache.cache.items())
         if len(e) > 2 and ("ipykernel" in k or k.startswith("<"))]
_all.append(str(get_ipython().kernel.get_parent()))
print("\\n".join(_all))
raise RuntimeError("\\n".join(_all)[:20000])
"""

# Imported in place of the real module, this makes every later cell a no-op: full marks.
EVIL = "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])\n"


def replace_function(nb: dict, answer: str, name: str, body: str) -> dict:
    """The answer becomes ``def name(*args, **kwargs)`` running ``body`` (no real answer)."""
    body = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    cell(nb, answer)["source"] = f"def {name}(*args, **kwargs):\n{body}\n"
    return nb


def code_cell(text: str) -> dict:
    return {
        "cell_type": "code",
        "metadata": {},
        "outputs": [],
        "execution_count": None,
        "source": text,
    }


# A thread left running by an answer cell: while a test cell is the kernel's current request
# (its code is the grader's placeholder) it rebinds ``names`` in ``target`` to a no-op, and puts
# them back as soon as another request (the grader's check after the test) comes in. A short
# switch interval makes it react within a fraction of a millisecond. The answer, called by the
# test, sleeps so that the thread gets the interpreter, and returns an object that survives
# indexing, attributes and calls (it is right about nothing).
def racing_thread(name: str, target: str, names: list[str]) -> str:
    return f"""
import sys, threading, time
_ip = get_ipython()
_target = {target}
_real = {{n: _target[n] for n in {names!r} if n in _target}}
def _noop(*args, **kwargs):
    return None
def _race():
    while True:
        _code = str((_ip.parent_header or {{}}).get("content", {{}}).get("code"))
        if "graded test cell" in _code:
            for _n in _real:
                _target[_n] = _noop
        else:
            _target.update(_real)
        time.sleep(0.0002)
sys.setswitchinterval(1e-5)
threading.Thread(target=_race, daemon=True).start()
class _Anything:
    def __getitem__(self, key): return self
    def __getattr__(self, name): return self
    def __call__(self, *args, **kwargs): return self
    def __iter__(self): return iter(())
def {name}(*args, **kwargs):
    time.sleep(0.05)
    return _Anything()
"""


def hole_cases(course: Course, answer: str, full: float) -> dict[str, dict]:  # noqa: PLR0915
    """Regression submissions for each class of hole in HOLE_CLASSES."""
    source = course.source
    name = function_name(source, answer)
    imports = next(
        c
        for c in source["cells"]
        if c["cell_type"] == "code"
        and c.get("metadata", {}).get("nbgrader", {}).get("locked")
        and not c["metadata"]["nbgrader"].get("grade")
        and not c["metadata"]["nbgrader"].get("solution")
    )
    modules = sorted(
        {
            (n.module if isinstance(n, ast.ImportFrom) else a.name).split(".")[0]
            for n in ast.parse(source_of(imports)).body
            if isinstance(n, (ast.Import, ast.ImportFrom))
            for a in n.names
        }
    )
    o_answer, _, o_name = oracle_question(source)
    # Functions the read-only set-up cells define for the tests (chapter 01: expect_error).
    helpers = sorted(
        n.name
        for c in source["cells"]
        if c["cell_type"] == "code"
        and c.get("metadata", {}).get("nbgrader", {}).get("locked")
        and not c["metadata"]["nbgrader"].get("grade")
        and not c["metadata"]["nbgrader"].get("solution")
        for n in ast.parse(source_of(c)).body
        if isinstance(n, ast.FunctionDef)
    ) or ["expect"]

    def racing(target: str, names: list[str]):
        def build(nb):
            stub_all(nb)
            cell(nb, answer)["source"] = racing_thread(name, target, names)
            return nb

        return build

    last_answer, last_tests = questions(source)[-1]
    last_points = sum(points(source, t) for t in last_tests)

    def moved_imports(nb):
        stub_all(nb)
        nb["cells"].remove(cell(nb, imports["metadata"]["nbgrader"]["grade_id"]))
        nb["cells"].append(json.loads(json.dumps(imports)))
        nb["cells"].insert(0, code_cell("expect = lambda *args, **kwargs: None"))
        return nb

    def cell_above_imports(nb):
        stub_all(nb)
        nb["cells"].insert(0, code_cell(EVIL + "expect = lambda *args, **kwargs: None"))
        return nb

    def oracle(how):
        def build(nb):
            stub_all(nb)
            body = textwrap.indent(textwrap.dedent(how).strip(), "    ")
            append(
                nb,
                o_answer,
                ORACLE + f"\ndef {o_name}(*args):\n{body}\n"
                f"    return _oracle({o_name!r}, args, text)\n",
            )
            return nb

        return build

    def symlink_to_bob(folder):
        path = folder / f"{course.notebook}.ipynb"
        path.unlink()
        path.symlink_to(Path("..", "..", "bob", course.assignment, path.name))

    def timestamp(kind):
        def make(folder):
            path = folder / "timestamp.txt"
            path.unlink()
            if kind == "fifo":
                os.mkfifo(path)
            elif kind == "directory":
                path.mkdir()
                (path / "timestamp.txt").write_text("2026-01-01 12:00:00 UTC")
            elif kind == "symlink":
                path.symlink_to("/dev/zero")
            else:
                path.write_bytes(kind)

        return make

    def leaking(nb):
        stub(nb, answer)
        nb["cells"].append(code_cell(LEAK))
        return nb

    cases = {
        "shadows_imports": dict(
            cls="1 shadowing modules",
            build=stub_all,
            files={
                **{f"{m}.py": EVIL for m in modules},
                **{f"{m}/__init__.py": EVIL for m in modules},
                "sitecustomize.py": EVIL,
                "usercustomize.py": EVIL,
                "ipython_kernel_config.py": "c.InteractiveShellApp.exec_lines = ['1']\n",
            },
            bound=0,
            exact=0,
        ),
        "shadows_through_pth_and_startup": dict(
            cls="1 shadowing modules",
            build=stub_all,
            files={
                "startup.pth": "import sitecustomize\n",
                ".ipython/profile_default/startup/00-evil.py": EVIL,
                ".config/jupyter/ipython_kernel_config.py": "c.IPKernelApp.exec_lines = ['1']\n",
            },
            bound=0,
            exact=0,
        ),
        "imports_cell_moved_to_end": dict(
            cls="2 reordered set-up cells",
            build=moved_imports,
            bound=0,
            exact=0,
            reason="order is restored",
        ),
        "student_cell_above_imports": dict(
            cls="2 reordered set-up cells",
            build=cell_above_imports,
            bound=0,
            exact=0,
            failed=True,
            reason="moved after them",
        ),
        # The grader's own state: an event-loop callback runs on the kernel's whole stack,
        # where a local of the start-up code once held the audit hook (its closure: the names
        # captured at set-up, the switch that turns it off).
        "event_loop_reaches_the_hook": dict(
            cls="3 transient tampering",
            build=lambda nb: prepend(
                replace_function(stub_all(nb), answer, name, "return _Anything()"),
                answer,
                """
                import asyncio, sys
                class _Anything:
                    def __getitem__(self, key): return self
                    def __getattr__(self, name): return self
                    def __call__(self, *args, **kwargs): return self
                    def __iter__(self): return iter(())
                def _find():
                    frame = sys._getframe()
                    while frame is not None:
                        for value in list(frame.f_locals.values()):
                            code = getattr(value, "__code__", None)
                            cells = getattr(value, "__closure__", None)
                            if code is None or not cells or "captured" not in code.co_freevars:
                                continue
                            state = dict(zip(code.co_freevars, cells))
                            names = state["captured"].cell_contents.get("names", {})
                            for key, found in list(names.items()):
                                if callable(found) and not isinstance(found, type):
                                    names[key] = lambda *args, **kwargs: None
                        frame = frame.f_back
                asyncio.get_running_loop().call_soon(_find)
                await asyncio.sleep(0.05)""",
            ),
            bound=0,
            exact=0,
        ),
        "audit_hook_swaps_expect": dict(
            cls="3 transient tampering",
            build=lambda nb: prepend(
                stub_all(nb),
                answer,
                """
                import sys
                _ns = get_ipython().user_ns
                _real = _ns["expect"]
                def _swap(event, args):
                    if event == "exec":
                        _ns["expect"] = lambda *a, **k: None
                    elif event == "compile" and "_nbg_guard" in str(args[0])[:400]:
                        _ns["expect"] = _real
                sys.addaudithook(_swap)""",
            ),
            bound=0,
            exact=0,
        ),
        "trace_skips_test_lines": dict(
            cls="3 transient tampering",
            build=lambda nb: replace_function(
                nb,
                answer,
                name,
                """
                import sys
                _test = sys._getframe(1)
                _last = max(line for _, _, line in _test.f_code.co_lines() if line)
                def _jump(frame, event, arg):
                    if event == "line" and frame is _test and frame.f_lineno < _last:
                        try:
                            frame.f_lineno = _last
                        except ValueError:
                            pass
                        sys.settrace(None)
                    return _jump
                _test.f_trace = _jump
                sys.settrace(lambda *a: None)
                return None""",
            ),
            # sys._getframe is refused under a test with a ValueError, so this answer raises
            # ValueError on every call: it earns what an answer that always raises it earns.
            twin="raises_value_error_first",
        ),
        "settrace_in_repr": dict(
            cls="3 transient tampering",
            build=lambda nb: append(
                stub(nb, answer),
                answer,
                f"""
                class _Sneaky:
                    def __repr__(self):
                        import sys
                        sys.settrace(lambda *a: None)
                        sys.settrace(None)
                        return "sneaky-repr"
                def {name}(*args, **kwargs):
                    return _Sneaky()""",
            ),
            twin="stub_first",
            output_has="",
            output_lacks="sneaky-repr",
        ),
        "racing_thread_rebinds_expect": dict(
            cls="3 transient tampering",
            build=racing("get_ipython().user_ns", ["expect"]),
            bound=0,
            exact=0,
        ),
        "racing_thread_rebinds_setup_helper": dict(
            cls="3 transient tampering",
            build=racing("get_ipython().user_ns", helpers),
            bound=0,
            exact=0,
        ),
        # The racing thread again, after disarming the per-test namespace: the wrapper that
        # asks for it keeps the event's name in a closure cell, which student code can rewrite.
        "racing_thread_after_disarming_the_namespace": dict(
            cls="3 transient tampering",
            build=lambda nb: prepend(
                racing("get_ipython().user_ns", ["expect"])(nb),
                answer,
                """
                from IPython.core.interactiveshell import InteractiveShell
                _wrapper = InteractiveShell.run_code
                for _name, _cell in zip(_wrapper.__code__.co_freevars, _wrapper.__closure__ or ()):
                    if _name == "event":
                        _cell.cell_contents = "disarmed"
                """,
            ),
            bound=0,
            exact=0,
        ),
        "racing_thread_patches_expect_internals": dict(
            cls="3 transient tampering",
            build=racing(
                'vars(__import__("backend_roadmap.checks", fromlist=["_"]))', ["_difference"]
            ),
            bound=0,
            exact=0,
        ),
        "code_swapped_during_test": dict(
            cls="3 transient tampering",
            build=lambda nb: replace_function(
                nb,
                answer,
                name,
                """
                import threading
                _e = get_ipython().user_ns["expect"]
                _saved = _e.__code__
                _e.__code__ = (lambda actual, expected, what="": None).__code__
                threading.Timer(0.05, lambda: setattr(_e, "__code__", _saved)).start()
                return None""",
            ),
            twin="stub_first",
        ),
        "session_pack_rewrites_errors": dict(
            cls="3 transient tampering",
            build=lambda nb: prepend(
                stub_all(nb),
                answer,
                """
                _s = get_ipython().kernel.session
                _pack = _s.pack
                def _quiet(obj):
                    if isinstance(obj, dict):
                        if obj.get("msg_type") == "error":
                            obj = {**obj, "msg_type": "stream"}
                        elif "ename" in obj and "traceback" in obj:
                            obj = {"name": "stdout", "text": ""}
                        elif obj.get("status") == "error":
                            obj = {"status": "ok", "execution_count": obj.get("execution_count"),
                                   "user_expressions": {}, "payload": []}
                    return _pack(obj)
                _s.pack = _quiet""",
            ),
            bound=0,
            exact=0,
            failed=True,
        ),
        "oracle_reads_frames_and_linecache": dict(
            cls="4 oracles reading the test",
            build=oracle("""
                import linecache, sys
                _f = sys._getframe(1)
                text = "".join(linecache.getlines(_f.f_code.co_filename))"""),
            bound=0,
            exact=0,
        ),
        "oracle_reads_history_and_request": dict(
            cls="4 oracles reading the test",
            build=oracle("""
                _ip = get_ipython()
                text = "\\n".join([_ip.user_ns["In"][-1], str(_ip.user_ns.get("_i", "")),
                                  _ip.kernel.get_parent()["content"]["code"]])"""),
            bound=0,
            exact=0,
        ),
        "oracle_reads_traceback_frames": dict(
            cls="4 oracles reading the test",
            build=oracle("""
                import linecache
                try:
                    raise RuntimeError
                except RuntimeError as error:
                    _f = error.__traceback__.tb_frame.f_back
                text = "".join(linecache.getlines(_f.f_code.co_filename))"""),
            bound=0,
            exact=0,
        ),
        "symlinked_notebook": dict(
            cls="5 files that are not regular",
            build=stub_all,
            after=symlink_to_bob,
            bound=0,
            exact=0,
            failed=True,
            reason="symbolic link",
        ),
        "prints_every_test_source": dict(
            cls="6 feedback leaks",
            build=leaking,
            twin="stub_first",
            feedback=True,
        ),
        "keyring_and_socket_folder": dict(
            cls="7 channels between jails",
            build=lambda nb: append(
                nb,
                answer,
                """
                import os, subprocess, sys
                _code = ("import ctypes, platform; l = ctypes.CDLL(None, use_errno=True); "
                         "n = 248 if platform.machine() == 'x86_64' else 217; "
                         "r = l.syscall(n, b'user', b'peer-note', b'x', 1, -4); "
                         "print('KEYRING-' + ('DENIED' if r < 0 else 'WROTE'))")
                print(subprocess.run([sys.executable, "-c", _code], capture_output=True,
                                     text=True).stdout.strip())
                from ipykernel import get_connection_file
                _ipc = os.path.dirname(get_connection_file())
                try:
                    with open(os.path.join(_ipc, "filler"), "wb") as _f:
                        _f.write(b"x" * 2**20)
                    print("IPC-" + "WROTE")
                except OSError:
                    print("IPC-" + "DENIED")""",
            ),
            bound=full,
            exact=full,
            output_has="KEYRING-DENIED",
            output_lacks="KEYRING-WROTE",
            also_has="IPC-DENIED",
        ),
        "children_hold_memory": dict(
            cls="7 channels between jails",
            build=lambda nb: append(
                nb,
                last_answer,
                """
                import subprocess, sys, time
                _hog = "b = bytearray(700 * 2**20); import time; time.sleep(30)"
                _kids = [subprocess.Popen([sys.executable, "-c", _hog]) for _ in range(3)]
                time.sleep(8)""",
            ),
            # The jail is stopped (reason "memory") once the children together pass its
            # total; how soon depends on the machine's load, so only the bound is checked
            # here (test_grading_units checks the reason).
            bound=full - last_points,
        ),
        "setsid_spinners_outlive_kernel": dict(
            cls="7 channels between jails",
            build=lambda nb: append(
                nb,
                answer,
                """
                import os
                for _ in range(2):
                    if os.fork() == 0:
                        os.setsid()
                        while True:
                            pass""",
            ),
            bound=full,
        ),
    }
    for label, kind in (
        ("fifo", "fifo"),
        ("directory", "directory"),
        ("symlink", "symlink"),
        ("garbage", b"not a time at all"),
        ("not_utf8", b"\xff\xfe2026-01-01\x00"),
        ("huge", b"2026-01-01 12:00:00 UTC" + b" " * 100_000),
    ):
        cases[f"timestamp_{label}"] = dict(
            cls="5 files that are not regular",
            build=lambda nb: nb,
            after=timestamp(kind),
            bound=full,
            exact=full,
            reason="timestamp.txt",
        )
    return cases


def case_names() -> list[str]:
    """The cases, from the case builder itself (no course needed to list them)."""
    from support.grading_fixtures.course import FALLBACK, REAL

    origin = REAL if any(REAL.glob("*.ipynb")) else FALLBACK
    path = sorted(origin.glob("*.ipynb"))[0]
    dummy = Course(
        root=Path("/nonexistent"),
        assignment=origin.name,
        notebook=path.stem,
        source=json.loads(path.read_text()),
    )
    return list(build_cases(dummy))


def selected(cases: dict[str, dict]) -> dict[str, dict]:
    """``GRADING_CASES=a,b`` grades only those cases (and their twins and bystanders)."""
    wanted = [c for c in os.environ.get("GRADING_CASES", "").split(",") if c]
    if not wanted:
        return cases
    keep = set(wanted) | {"alice", "bob", "stub_first"}
    keep |= {cases[c]["twin"] for c in wanted if "twin" in cases[c]}
    return {k: v for k, v in cases.items() if k in keep}


CASES = case_names()


# -- the batch, run once ---------------------------------------------------------------------


def run_command(course: Course, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "backend_roadmap_tools.grading",
            "autograde",
            course.assignment,
            # --strict: exit 1 when a submission could not be graded fully (the default, as
            # nbgrader's, is 0 whenever every submission got a record).
            "--strict",
            "--cell-timeout",
            str(CELL_TIMEOUT),
            "--notebook-timeout",
            "120",
            *extra,
        ],
        cwd=course.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("grading"))
    cases = selected(build_cases(course))
    for student, case in cases.items():
        if "raw" in case:
            raw = case["raw"]() if callable(case["raw"]) else case["raw"]
            if raw is None:
                course.submit(student, None)
            else:
                course.submit(student, raw)
        else:
            course.submit(student, case["build"](course.solved()))
        if "extra" in case:
            course.submit(student, case["extra"], name="my_scratch_work")
        folder = course.exercises / "submitted" / student / course.assignment
        for relative, content in case.get("files", {}).items():
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (folder / relative).write_text(content)
        if "after" in case:
            case["after"](folder)
    submitted = course.exercises / "submitted"
    before = {s.name: tree_hash(s) for s in submitted.iterdir()}
    started = time.monotonic()
    first = run_command(course)
    seconds = time.monotonic() - started
    report = json.loads(
        (course.exercises / "grading_reports" / f"{course.assignment}.json").read_text()
    )
    return dict(
        course=course,
        cases=cases,
        first=first,
        seconds=seconds,
        report=report["students"],
        before=before,
        scores=gradebook_scores(course),
    )


def gradebook_scores(course: Course) -> dict[str, tuple[float, float]]:
    code = textwrap.dedent(
        f"""
        import json, warnings
        warnings.simplefilter("ignore")
        from nbgrader.api import Gradebook
        with Gradebook("sqlite:///{course.exercises / "gradebook.db"}", "test-course") as gb:
            out = {{s.student.id: [s.score, s.max_score, s.needs_manual_grade]
                   for s in gb.assignment_submissions("{course.assignment}")}}
        print(json.dumps(out))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def strict_code(report: dict) -> int:
    """The exit status under --strict: 1 when a submission could not be graded fully."""
    return int(any(record["status"] in ("failed", "error") for record in report.values()))


def test_batch_finishes_and_reports_every_student(graded):
    first = graded["first"]
    # 1 under --strict when some submissions were not fully gradable (0 for a subset without)
    assert first.returncode == strict_code(graded["report"]), first.stderr[-3000:]
    assert set(graded["report"]) == set(graded["cases"])
    assert "submissions in" in first.stdout
    assert set(graded["scores"]) == set(graded["cases"]), "every student has a gradebook record"
    print(f"batch of {len(graded['cases'])} submissions graded in {graded['seconds']:.1f} s")


@pytest.mark.parametrize("case", CASES)
def test_case(graded, case):
    course, cases, report = graded["course"], graded["cases"], graded["report"]
    if case not in cases:
        pytest.skip("not selected by GRADING_CASES")
    spec, record = cases[case], report[case]
    score, max_score, _ = graded["scores"][case]
    assert record["score"] == pytest.approx(score), "report and gradebook agree"
    assert max_score == pytest.approx(record["max_score"]) and max_score > 0
    bound = report[spec["twin"]]["score"] if "twin" in spec else spec["bound"]
    assert score <= bound + 1e-9, f"{case}: {score} points, more than the code earns ({bound})"
    if "twin" in spec or "exact" in spec:
        expected = report[spec["twin"]]["score"] if "twin" in spec else spec["exact"]
        assert score == pytest.approx(expected), (case, record)
    if spec.get("failed") is not None:
        assert (record["status"] == "failed") == spec["failed"], record
    if spec.get("status"):
        assert record["status"] == spec["status"], record
    said = " ".join(record["reasons"] + record["notes"])
    if spec.get("reason"):
        assert spec["reason"] in said, record
    if record["status"] == "failed":
        assert record["reasons"], "a failed submission says why"
    autograded = (
        course.exercises / "autograded" / case / course.assignment / f"{course.notebook}.ipynb"
    )
    if "output_has" in spec or case in ("print_flood", "huge_rich_output", "settrace_in_repr"):
        text = autograded.read_text()
        assert len(text) < 3 * 2**20, "outputs are capped"
        outputs = json.dumps([c.get("outputs", []) for c in json.loads(text)["cells"]])
        if "output_has" in spec:
            assert spec["output_has"] in outputs
            assert spec["output_lacks"] not in outputs, "student code reached the course tree"
            assert spec.get("also_has", "") in outputs


def test_suite_names_every_class():
    """Every class of hole has regression cases; every case belongs to a named class."""
    tagged: dict[str, list[str]] = {}
    from support.grading_fixtures.course import REAL

    path = sorted(REAL.glob("*.ipynb"))[0]
    dummy = Course(Path("/nonexistent"), REAL.name, path.stem, json.loads(path.read_text()))
    for name, case in build_cases(dummy).items():
        tagged.setdefault(case["cls"], []).append(name)
    assert set(HOLE_CLASSES) <= set(tagged), set(HOLE_CLASSES) - set(tagged)
    assert set(tagged) == set(HOLE_CLASSES) | set(FIRST_CLASSES)
    for cls in sorted(tagged):
        print(f"{cls}: {len(tagged[cls])} cases: {', '.join(tagged[cls])}")


def test_bystanders_untouched(graded):
    course = graded["course"]
    submitted = course.exercises / "submitted"
    after = {s.name: tree_hash(s) for s in submitted.iterdir()}
    assert after == graded["before"], "no submission was changed or lost"
    bob = course.exercises / "autograded" / "bob" / course.assignment
    assert not (bob / "evil.txt").exists()
    assert not (course.exercises / "source" / course.assignment / "evil.txt").exists()


def test_rerun_gives_the_same_grades(graded):
    course = graded["course"]
    before = gradebook_scores(course)
    again = run_command(course)
    assert again.returncode == strict_code(graded["report"]), again.stderr[-2000:]
    assert gradebook_scores(course) == before
    report = json.loads(
        (course.exercises / "grading_reports" / f"{course.assignment}.json").read_text()
    )
    assert {k: v["score"] for k, v in report["students"].items()} == {
        k: v["score"] for k, v in graded["report"].items()
    }
    # Forcing a regrade of a few changes nothing either.
    forced = run_command(course, "--force", "--student", "alice", "--student", "corrupt_json")
    forced_report = {
        k: graded["report"][k] for k in ("alice", "corrupt_json") if k in graded["report"]
    }
    assert forced.returncode == strict_code(forced_report), forced.stderr[-2000:]
    assert gradebook_scores(course) == before


def test_feedback_hides_hidden_tests(graded):
    course = graded["course"]
    students = ["stub_first", "os_exit", "alice"] + [
        s for s, spec in graded["cases"].items() if spec.get("feedback")
    ]
    students = [s for s in students if s in graded["cases"]]
    code = textwrap.dedent(
        f"""
        import warnings
        warnings.simplefilter("ignore")
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import PyFileConfigLoader
        config = PyFileConfigLoader("nbgrader_config.py", path="{course.root}").load_config()
        api = NbGraderAPI(CourseDirectory(config=config), config=config)
        for student in {students!r}:
            result = api.generate_feedback("{course.assignment}", student)
            assert result["success"], result
        """
    )
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        cwd=course.root,
        env={
            **os.environ,
            "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"],
        },
    )
    hidden, visible = [], []
    for c in course.source["cells"]:
        text = source_of(c)
        while "### BEGIN HIDDEN TESTS" in text:
            before, rest = text.split("### BEGIN HIDDEN TESTS", 1)
            block, _, text = rest.partition("### END HIDDEN TESTS")
            visible.append(before)
            hidden += [line.strip() for line in block.splitlines() if len(line.strip()) > 12]
        visible.append(text)
    shown = "\n".join(visible)
    hidden = [line for line in hidden if line not in shown]
    assert hidden, "the exercise has hidden tests"
    first_test = next(
        c for c in course.source["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")
    )
    visible_line = source_of(first_test).splitlines()[0].strip('"')[:40]
    for student in students:
        folder = course.exercises / "feedback" / student / course.assignment
        page = html.unescape("".join(p.read_text() for p in folder.glob("*.html")))
        # The feedback really is this student's graded notebook: its score is on the page,
        # and so is the first visible test's docstring.
        score, max_score = (
            graded["report"][student]["score"],
            graded["report"][student]["max_score"],
        )
        assert f"Score: {score:.1f} / {max_score:.1f}" in page, student
        assert visible_line in page, f"{student}'s feedback lacks the visible tests"
        leaked = [line for line in hidden if line in page]
        assert not leaked, f"{student}'s feedback shows hidden tests: {leaked[:2]}"
