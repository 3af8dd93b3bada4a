"""nbgrader's own autograde test suite, run against the safe grader.

nbgrader 0.9.6 ships ``nbgrader/tests/apps/test_nbgrader_autograde.py`` in the installed
package. This module subclasses its test class and routes every
``run_nbgrader(["autograde", ...])`` to :class:`SafeAutogradeApp` (in process, as nbgrader's
helper runs its own apps), with one worker so the suite fits CI's time budget. Every other
command (``db``, ``generate_assignment``, ...) is nbgrader's own.

Tests whose stock expectation differs from the safe grader BY DESIGN are marked
``xfail(strict=True)`` with the reason, so a change of behaviour on either side shows up; the
README's table "Where `make grade` differs from `nbgrader autograde`" lists the same ones.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from io import StringIO

import pytest

stock = pytest.importorskip("nbgrader.tests.apps.test_nbgrader_autograde")

# nbgrader's fixtures for its app tests (temporary course, database, working directory).
from nbgrader.tests import run_nbgrader as run_stock  # noqa: E402
from nbgrader.tests.apps.conftest import course_dir, db, temp_cwd  # noqa: E402, F401

from backend_roadmap_tools.grading.__main__ import SafeAutogradeApp  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    # nbgrader's own test files and fixtures raise these; they are not the grader's.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def run_nbgrader(args, retcode=0, env=None, stdout=False):
    """nbgrader's test helper, with ``autograde`` served by the safe grader."""
    if not args or args[0] != "autograde":
        return run_stock(args, retcode=retcode, env=env, stdout=stdout)
    old_env = dict(os.environ)
    if env:
        os.environ.clear()
        os.environ.update(env)
    argv = list(args[1:])
    if not any(a.startswith(("--workers", "--SafeAutograde.workers")) for a in argv):
        argv.append("--SafeAutograde.workers=1")
    app = SafeAutogradeApp.instance()
    buffer = StringIO()
    orig_stdout = sys.stdout
    if stdout:
        sys.stdout = buffer
    try:
        app.initialize(argv)
        if not stdout:
            app.init_logging(logging.StreamHandler, [buffer], color=False)
        app.start()
    except SystemExit as stop:
        code = stop.code
    else:
        code = 0
    finally:
        sys.stdout = orig_stdout
        out = buffer.getvalue()
        app.reset()
        os.environ.clear()
        os.environ.update(old_env)
    print(out)
    if code != retcode:
        raise AssertionError(f"process returned an unexpected return code: {code}")
    return out


def differs(reason: str):
    """Run nbgrader's test expecting it to fail, for the stated reason (strict)."""

    def mark(name: str):
        base = getattr(stock.TestNbGraderAutograde, name)

        @functools.wraps(base)
        def test(self, *args, **kwargs):
            return base(self, *args, **kwargs)

        return pytest.mark.xfail(strict=True, reason=reason)(test)

    return mark


REPAIRED = (
    "by design: a notebook whose nbgrader cells do not match the gradebook is repaired from "
    "the gradebook and graded (status `repaired`), where nbgrader stops on it and exits 1"
)


class TestSafeAutograde(stock.TestNbGraderAutograde):
    @pytest.fixture(autouse=True)
    def _route_autograde(self, monkeypatch):
        monkeypatch.setattr(stock, "run_nbgrader", run_nbgrader)
        # nbgrader creates gradebooks with the `alembic` script of this environment.
        bindir = os.path.dirname(sys.executable)
        monkeypatch.setenv("PATH", bindir + os.pathsep + os.environ.get("PATH", ""))

    # -- differences by design (listed in the README's table as well) --------------------
    test_showtraceback_exploit = differs(
        "by design: a student who patches IPython's showtraceback to hide failing tests "
        "scores 0 on those tests (TamperingDetected), where nbgrader gives 1 of 7 and asks "
        "for manual grading"
    )("test_showtraceback_exploit")
    test_handle_failure = differs(REPAIRED)("test_handle_failure")
    test_handle_failure_single_notebook = differs(REPAIRED)("test_handle_failure_single_notebook")
    test_grade_empty_timestamp = differs(
        "by design: a timestamp.txt that cannot be read as a time is treated as absent (the "
        "student is graded on time, with a note), where nbgrader exits 1; an empty one is "
        "kept in autograded/ as nbgrader keeps it"
    )("test_grade_empty_timestamp")
    test_no_execute = differs(
        "by design: --no-execute is refused with a message and exit status 1 (scores would "
        "come from the outputs saved in the student's notebook)"
    )("test_no_execute")
