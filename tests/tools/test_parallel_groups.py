"""`make test` runs the suite on two workers (pytest-xdist, ``--dist loadgroup``).

A notebook's cells must run in order in one kernel, and a module's shared fixture must be set
up once: `support.parallel` marks such tests with one group. If grouping silently stopped
working (pytest 9.2 with pytest-xdist 3.8 does exactly that: pytest-xdist#1386), a notebook's
cells would be spread over both workers and fail with NameErrors far from the cause.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest

from support import REPO

pytestmark = pytest.mark.slow

GROUPED = """
import pytest

@pytest.fixture(scope="module")
def shared():
    return object()

@pytest.mark.parametrize("n", range(6))
def test_uses_the_module_fixture(shared, n):
    pass
"""
FREE = """
import pytest

@pytest.mark.parametrize("n", range(6))
def test_free(n):
    pass
"""


def test_a_module_with_a_shared_fixture_runs_on_one_worker(tmp_path):
    (tmp_path / "test_grouped.py").write_text(textwrap.dedent(GROUPED))
    (tmp_path / "test_free.py").write_text(textwrap.dedent(FREE))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v",
         "-p", "support.parallel", "-p", "no:cacheprovider", "-c", "/dev/null",
         "--rootdir", str(tmp_path), str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={"PYTHONPATH": str(REPO / "tests"), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    workers = {
        worker
        for worker, test in re.findall(r"\[(gw\d)\].*?PASSED (\S+)", run.stdout)
        if "test_grouped" in test
    }
    assert len(workers) == 1, f"the grouped module ran on {sorted(workers)}:\n{run.stdout}"
    assert "@module-test_grouped" in run.stdout, "pytest-xdist did not see the group"
