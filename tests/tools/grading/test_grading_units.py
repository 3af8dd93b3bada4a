"""Fast checks of the safe autograder's parts: the jail, the notebook repair, the grade rule."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.notebooknode import from_dict

from backend_roadmap_tools.grading.batch import SANDBOX, determine_grade
from backend_roadmap_tools.grading.normalize import TrustedCell, load_submission, normalize
from support import REPO  # noqa: E402

PYTHON = os.path.abspath(sys.executable)
FIXTURE = REPO / "tests" / "support" / "grading_fixtures" / "ps_fixture" / "ps_fixture.ipynb"


# -- the jail ---------------------------------------------------------------------------------


def jail(
    tmp_path: Path, code: str, extra_expose: tuple[str, ...] = (), **limits
) -> subprocess.CompletedProcess:
    for name in ("root", "ipc", "work"):
        (tmp_path / name).mkdir()
    os.chmod(tmp_path, 0o711)
    (tmp_path / "work" / "mine.txt").write_text("my own file")
    import backend_roadmap

    spec = {
        "uid": 4_100_000,
        "gid": 4_100_000,
        "newroot": str(tmp_path / "root"),
        "expose": sorted(
            {
                sys.prefix,
                os.path.realpath(sys.base_prefix),
                os.path.dirname(os.path.realpath(PYTHON)),
                str(Path(backend_roadmap.__file__).resolve().parents[1]),
                *extra_expose,
            }
        ),
        "workdir": str(tmp_path / "work"),
        "ipc_dir": str(tmp_path / "ipc"),
        "limits": {
            "cpu_seconds": 5,
            "memory_bytes": 512 << 20,
            "file_bytes": 1 << 20,
            "open_files": 64,
            "processes": 16,
            "tmpfs_bytes": 8 << 20,
            **limits,
        },
        "env": {"PATH": "/usr/bin:/bin", "HOME": "/home/student", "LANG": "C.UTF-8"},
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    return subprocess.run(
        [PYTHON, "-I", str(SANDBOX), str(tmp_path / "spec.json"), "--", PYTHON, "-I", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
    )


def can_jail() -> bool:
    probe = subprocess.run(
        ["unshare", "--mount", "--pid", "--fork", "--net", "true"]
        if os.geteuid() == 0
        else ["unshare", "--user", "--map-root-user", "--mount", "--pid", "--fork", "true"],
        capture_output=True,
    )
    return probe.returncode == 0


needs_jail = pytest.mark.skipif(
    sys.platform != "linux" or not can_jail(), reason="needs Linux namespaces"
)


@needs_jail
def test_jail_shows_only_own_files(tmp_path):
    code = f"""
import os
print(open("mine.txt").read())
for path in [{str(REPO / "exercises")!r}, {str(REPO / ".git")!r}, {str(tmp_path / "spec.json")!r}]:
    print(path, os.path.exists(path))
print("pids", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
print("uid", os.getuid() != 0 or {os.geteuid()} != 0)
"""
    result = jail(tmp_path, code)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "my own file" in out
    assert f"{REPO / 'exercises'} False" in out
    assert f"{REPO / '.git'} False" in out
    assert f"{tmp_path / 'spec.json'} False" in out
    assert "pids [1, 2]" in out  # only the jail's init and the command itself
    assert "uid True" in out


@needs_jail
def test_jail_shows_a_course_checked_out_under_tmp(tmp_path):
    """A CI clone may live under /tmp: the jail's private /tmp must not hide it."""
    course = tmp_path / "clone" / "src"
    course.mkdir(parents=True)
    (course / "marker.txt").write_text("course files")
    code = f"print(open({str(course / 'marker.txt')!r}).read())"
    result = jail(tmp_path, code, extra_expose=(str(course),))
    assert str(tmp_path).startswith("/tmp/"), "this test needs pytest's base temp under /tmp"
    assert result.returncode == 0, result.stderr
    assert "course files" in result.stdout


@needs_jail
def test_jail_limits(tmp_path):
    code = """
import resource
try:
    b = bytearray(1 << 30)
    print("allocated")
except MemoryError:
    print("memory limited")
try:
    with open("/home/student/big", "wb") as f:
        f.write(b"x" * (2 << 20))
    print("wrote")
except OSError as e:
    print("file limited", e.errno)
print("cpu", resource.getrlimit(resource.RLIMIT_CPU)[0])
"""
    result = jail(tmp_path, code)
    assert result.returncode == 0, result.stderr
    assert "memory limited" in result.stdout
    assert "file limited" in result.stdout
    assert "cpu 5" in result.stdout


@needs_jail
def test_jail_cpu_limit_kills(tmp_path):
    result = jail(tmp_path, "while True: pass", cpu_seconds=1)
    assert result.returncode in (128 + 9, 128 + 24), result  # SIGKILL or SIGXCPU


# -- repairing a notebook ---------------------------------------------------------------------


def trusted() -> list[TrustedCell]:
    nb = nbformat.read(FIXTURE, as_version=4)
    out = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        if not meta:
            continue
        out.append(
            TrustedCell(
                name=meta["grade_id"],
                cell_type=cell.cell_type,
                source=cell.source,
                checksum=None,
                locked=meta["locked"],
                grade=meta["grade"],
                solution=meta["solution"],
                task=False,
                points=meta.get("points"),
            )
        )
    return out


def fixture() -> dict:
    return json.loads(FIXTURE.read_text())


def ids(nb) -> list[str | None]:
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]


def test_repair_restores_tests_and_demotes_copies():
    raw = fixture()
    tests = next(
        c
        for c in raw["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade_id") == "q1_add_tests"
    )
    copy = json.loads(json.dumps(tests))
    tests["source"] = "pass"
    tests["metadata"]["nbgrader"]["points"] = 100
    raw["cells"].append(copy)  # a duplicate
    raw["cells"] = [
        c
        for c in raw["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade_id") != "q2_greet_tests"
    ]
    fixed = normalize(from_dict(raw), trusted(), None)
    assert ids(fixed.notebook).count("q1_add_tests") == 1
    assert ids(fixed.notebook).count("q2_greet_tests") == 1
    q1 = fixed.notebook.cells[ids(fixed.notebook).index("q1_add_tests")]
    assert "expect(add(1, 2), 3" in q1.source and q1.metadata.nbgrader.points == 2
    # the restored test comes right after its answer
    assert ids(fixed.notebook).index("q2_greet_tests") == ids(fixed.notebook).index("q2_greet") + 1
    said = " ".join(fixed.notes)
    assert "edited" in said and "more than once" in said and "missing" in said and "points" in said


def test_repair_survives_garbage_metadata():
    raw = fixture()
    raw["cells"][1]["metadata"]["nbgrader"] = "not a dict"
    raw["cells"][3]["metadata"] = ["not", "a", "dict"]
    raw["cells"][4]["cell_type"] = "markdown"
    raw["cells"].insert(0, "not a cell")
    fixed = normalize(from_dict(raw), trusted(), None)
    nbformat.validate(fixed.notebook)
    assert ids(fixed.notebook).count("imports") == 1
    assert fixed.notebook.cells[ids(fixed.notebook).index("q1_add_tests")].cell_type == "code"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "is empty"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not a notebook"),
        (b"\xff\xfe", "not valid JSON"),
        (b'{"nbformat": 9, "cells": []}', "unknown nbformat"),
    ],
)
def test_unreadable_notebooks_give_a_reason(tmp_path, content, reason):
    path = tmp_path / "x.ipynb"
    path.write_bytes(content)
    loaded = load_submission(path, 1 << 20)
    assert loaded.notebook is None and reason in loaded.reason


def test_oversized_notebook_is_not_read(tmp_path):
    path = tmp_path / "x.ipynb"
    path.write_bytes(b" " * 2048)
    assert "larger than" in load_submission(path, 1024).reason


# -- the grade rule -------------------------------------------------------------------------


def test_cell(outputs):
    return from_dict(
        {
            "cell_type": "code",
            "source": "",
            "execution_count": 1,
            "outputs": outputs,
            "metadata": {
                "nbgrader": {
                    "grade": True,
                    "solution": False,
                    "locked": True,
                    "points": 2,
                    "grade_id": "t",
                    "schema_version": 3,
                }
            },
        }
    )


test_cell.__test__ = False


def test_stderr_in_a_passing_test_keeps_its_points():
    cell = test_cell([{"output_type": "stream", "name": "stderr", "text": "DeprecationWarning\n"}])
    assert determine_grade(cell) == (2.0, 2.0)


def test_an_error_wins_over_a_printed_number():
    cell = test_cell(
        [
            {
                "output_type": "execute_result",
                "execution_count": 1,
                "metadata": {},
                "data": {"text/plain": "2"},
            },
            {"output_type": "error", "ename": "AssertionError", "evalue": "", "traceback": []},
        ]
    )
    assert determine_grade(cell) == (0, 2.0)
