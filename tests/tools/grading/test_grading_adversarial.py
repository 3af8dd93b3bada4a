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

    return {
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
            build=lambda nb: wrap(nb, answer, "import ctypes\nctypes.string_at(0)"),
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
            failed=False,
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
            raw=(
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
        "alice": dict(build=lambda nb: nb, bound=full, exact=full, failed=False, status="ok"),
        "bob": dict(build=lambda nb: nb, bound=full, exact=full, failed=False, status="ok"),
    }


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
    cases = build_cases(course)
    for student, case in cases.items():
        if "raw" in case:
            if case["raw"] is None:
                course.submit(student, None)
            else:
                course.submit(student, case["raw"])
        else:
            course.submit(student, case["build"](course.solved()))
        if "extra" in case:
            course.submit(student, case["extra"], name="my_scratch_work")
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


def test_batch_finishes_and_reports_every_student(graded):
    first = graded["first"]
    assert first.returncode == 1, first.stderr[
        -3000:
    ]  # 1: some submissions were not fully gradable
    assert set(graded["report"]) == set(graded["cases"])
    assert "submissions in" in first.stdout
    assert set(graded["scores"]) == set(graded["cases"]), "every student has a gradebook record"
    print(f"batch of {len(graded['cases'])} submissions graded in {graded['seconds']:.1f} s")


@pytest.mark.parametrize(
    "case",
    [
        "infinite_loop",
        "ignores_sigint",
        "os_exit",
        "segfault",
        "memory_exhaustion",
        "print_flood",
        "huge_rich_output",
        "sys_exit",
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
        "reads_secrets",
        "writes_gradebook_and_peers",
        "always_equal",
        "input_transformer",
        "ast_transformer_drops_asserts",
        "patched_run_cell",
        "rebound_expect",
        "custom_exception_handler",
        "stderr_in_passing_test",
        "release_copy",
        "alice",
        "bob",
    ],
)
def test_case(graded, case):
    course, cases, report = graded["course"], graded["cases"], graded["report"]
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
    if "output_has" in spec or case in ("print_flood", "huge_rich_output"):
        text = autograded.read_text()
        assert len(text) < 3 * 2**20, "outputs are capped"
        outputs = json.dumps([c.get("outputs", []) for c in json.loads(text)["cells"]])
        if "output_has" in spec:
            assert spec["output_has"] in outputs
            assert spec["output_lacks"] not in outputs, "student code reached the course tree"


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
    assert again.returncode == 1, again.stderr[-2000:]
    assert gradebook_scores(course) == before
    report = json.loads(
        (course.exercises / "grading_reports" / f"{course.assignment}.json").read_text()
    )
    assert {k: v["score"] for k, v in report["students"].items()} == {
        k: v["score"] for k, v in graded["report"].items()
    }
    # Forcing a regrade of a few changes nothing either.
    forced = run_command(course, "--force", "--student", "alice", "--student", "corrupt_json")
    assert forced.returncode == 1, forced.stderr[-2000:]
    assert gradebook_scores(course) == before


def test_feedback_hides_hidden_tests(graded):
    course = graded["course"]
    code = textwrap.dedent(
        f"""
        import warnings
        warnings.simplefilter("ignore")
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import PyFileConfigLoader
        config = PyFileConfigLoader("nbgrader_config.py", path="{course.root}").load_config()
        api = NbGraderAPI(CourseDirectory(config=config), config=config)
        for student in ("stub_first", "os_exit", "alice"):
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
    for student in ("stub_first", "os_exit", "alice"):
        folder = course.exercises / "feedback" / student / course.assignment
        page = html.unescape("".join(p.read_text() for p in folder.glob("*.html")))
        assert "Test" in page or "test" in page, student
        leaked = [line for line in hidden if line in page]
        assert not leaked, f"{student}'s feedback shows hidden tests: {leaked[:2]}"
