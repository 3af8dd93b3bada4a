"""Fast checks of the safe autograder's parts: the jail, the notebook repair, the grade rule."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
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
    tmp_path: Path,
    code: str,
    extra_expose: tuple[str, ...] = (),
    wrapper: list[str] | None = None,
    python: str = PYTHON,
    **limits,
) -> subprocess.CompletedProcess:
    for name in ("root", "ipc", "work"):
        (tmp_path / name).mkdir()
        if wrapper:
            os.chown(tmp_path / name, 65534, 65534)
    os.chmod(tmp_path, 0o711)
    (tmp_path / "work" / "mine.txt").write_text("my own file")
    import backend_roadmap

    spec = {
        "uid": 4_100_000,
        "gid": 4_100_000,
        "newroot": str(tmp_path / "root"),
        "expose": []
        if python != PYTHON
        else sorted(
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
            "disk_bytes": 8 << 20,
            **limits,
        },
        "env": {"PATH": "/usr/bin:/bin", "HOME": "/home/student", "LANG": "C.UTF-8"},
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    if wrapper:
        os.chown(tmp_path / "work" / "mine.txt", 65534, 65534)
        os.chmod(tmp_path / "spec.json", 0o644)
    sandbox = SANDBOX
    if wrapper:
        # The unprivileged user may not see the repository at all (a clone in `mktemp -d`
        # is mode 700), as an instructor's own copy of the grader would be theirs to read.
        sandbox = tmp_path / "sandbox.py"
        shutil.copyfile(SANDBOX, sandbox)
        os.chmod(sandbox, 0o644)
    return subprocess.run(
        [
            *(wrapper or []),
            python,
            "-I",
            str(sandbox),
            str(tmp_path / "spec.json"),
            "--",
            python,
            "-I",
            "-c",
            code,
        ],
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
print("uid", os.getuid())
status = open("/proc/self/status").read()
print("capeff", [l.split()[1] for l in status.splitlines() if l.startswith("CapEff")][0])
"""
    result = jail(tmp_path, code)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "my own file" in out
    assert f"{REPO / 'exercises'} False" in out
    assert f"{REPO / '.git'} False" in out
    assert f"{tmp_path / 'spec.json'} False" in out
    assert "pids [1, 2]" in out  # only the jail's init and the command itself
    if os.geteuid() == 0:
        assert "uid 4100000" in out, "as root the kernel runs as the slot's own uid"
    else:
        assert "uid 0" in out, "in a user namespace the caller is mapped to root there"
    assert "capeff 0000000000000000" in out, "no capability is left to the student's code"


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


@needs_jail
def test_jail_denies_the_keyring_and_caps_the_whole_jail(tmp_path):
    """keyctl/add_key fail (seccomp); children together may not exceed the jail's memory."""
    code = """
import ctypes, platform, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
n = 248 if platform.machine() == "x86_64" else 217
print("add_key", libc.syscall(n, b"user", b"k", b"v", 1, -4), ctypes.get_errno(), flush=True)
hog = "b = bytearray(300 * 2**20); import time; time.sleep(20)"
kids = [subprocess.Popen([sys.executable, "-c", hog]) for _ in range(3)]
for kid in kids:
    kid.wait()
print("children finished")
"""
    result = jail(tmp_path, code, memory_bytes=512 << 20, jail_memory_bytes=600 << 20)
    assert "add_key -1 1" in result.stdout, result  # EPERM
    assert "children finished" not in result.stdout
    status = (tmp_path / "ipc" / ".jail_status").read_text()
    assert "memory" in status, status
    if "memory" in cgroup_controllers():
        assert "cgroup" in status, status  # stopped by the kernel, not by polling


@needs_jail
def test_jail_as_an_unprivileged_user(tmp_path):
    """The user-namespace path: the jail built by a normal user, not only described."""
    if os.geteuid() != 0:
        result = jail(tmp_path, "import os; print('inside', os.getuid())")
    else:
        nobody = 65534
        probe = subprocess.run(
            [
                "setpriv",
                f"--reuid={nobody}",
                f"--regid={nobody}",
                "--clear-groups",
                "unshare",
                "--user",
                "--map-root-user",
                "true",
            ],
            capture_output=True,
        )
        if probe.returncode != 0:
            pytest.skip("unprivileged user namespaces are disabled on this machine")
        os.chmod(tmp_path, 0o755)
        for parent in tmp_path.parents:
            if parent == Path("/"):
                break
            os.chmod(parent, os.stat(parent).st_mode | 0o011)
        runner = tmp_path / "as_nobody.py"
        runner.write_text(
            "import os, sys\n"
            f"os.setgroups([]); os.setresgid({nobody}, {nobody}, {nobody}); "
            f"os.setresuid({nobody}, {nobody}, {nobody})\n"
            "os.execv(sys.argv[1], sys.argv[1:])\n"
        )
        # The venv's interpreter may live under a root-only folder (/root/.pyenv): use the
        # system's Python 3 for the unprivileged user (sandbox.py needs the standard library).
        system = "/usr/bin/python3"
        reach = subprocess.run([PYTHON, str(runner), system, "-c", "pass"], capture_output=True)
        if reach.returncode != 0:
            pytest.skip(
                f"an unprivileged user cannot run {PYTHON} here (a folder on its path is "
                "root-only); CI runs this test as a normal user instead"
            )
        spec_dir = tmp_path / "jailspec"
        spec_dir.mkdir()
        os.chmod(spec_dir, 0o777)
        result = jail(
            spec_dir,
            "import os; print('inside', os.getuid())",
            wrapper=[PYTHON, str(runner)],
            python=system,
        )
    assert result.returncode == 0, result.stderr
    assert "inside 0" in result.stdout


def test_repair_restores_the_recorded_cell_order():
    """The imports cell moved to the end and a student cell above it: set-up runs first."""
    raw = fixture()
    imports = next(
        c for c in raw["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "imports"
    )
    raw["cells"].remove(imports)
    raw["cells"].append(imports)
    raw["cells"].insert(
        0,
        {
            "cell_type": "code",
            "metadata": {},
            "source": "expect = print",
            "outputs": [],
            "execution_count": None,
        },
    )
    fixed = normalize(from_dict(raw), trusted(), None)
    order = ids(fixed.notebook)
    recorded = [t.name for t in trusted()]
    assert [i for i in order if i] == recorded
    position = order.index("imports")
    assert fixed.notebook.cells[position + 1].source == "expect = print"
    assert all(c.cell_type != "code" for c in fixed.notebook.cells[:position])
    said = " ".join(fixed.notes)
    assert "order is restored" in said and "moved after them" in said


def test_a_symlinked_notebook_is_not_followed(tmp_path):
    other = tmp_path / "other.ipynb"
    other.write_text(FIXTURE.read_text())
    link = tmp_path / "x.ipynb"
    link.symlink_to(other)
    loaded = load_submission(link, 1 << 20)
    assert loaded.notebook is None and "symbolic link" in loaded.reason


@pytest.mark.parametrize("kind", ["fifo", "directory", "symlink", "garbage", "utf8", "huge"])
def test_a_bad_timestamp_is_treated_as_absent_and_never_blocks(tmp_path, kind):
    from backend_roadmap_tools.grading.normalize import read_timestamp

    path = tmp_path / "timestamp.txt"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "symlink":
        path.symlink_to("/dev/zero")
    elif kind == "garbage":
        path.write_text("yesterday-ish")
    elif kind == "utf8":
        path.write_bytes(b"\xff\xfe\x00")
    else:
        path.write_text("2026-01-01 12:00:00 UTC" + " " * 10_000)
    text, note = read_timestamp(tmp_path)
    assert text is None and "ignored" in note


def test_a_good_timestamp_is_read(tmp_path):
    from backend_roadmap_tools.grading.normalize import read_timestamp

    (tmp_path / "timestamp.txt").write_text("2026-01-01 12:00:00.000000 UTC\n")
    assert read_timestamp(tmp_path) == ("2026-01-01 12:00:00.000000 UTC", None)
    assert read_timestamp(tmp_path / "missing") == (None, None)


def test_every_name_a_setup_cell_binds_is_watched():
    from backend_roadmap_tools.grading.worker import bound_names

    source = (
        "import os.path as osp, json\nfrom backend_roadmap import *\nfrom x import (a, b as c)\n"
        "try:\n    import httpx\nexcept ImportError:\n    httpx = None\n"
        "LIMIT: int = 3\nx, (y, z) = 1, (2, 3)\nfor i in range(2):\n    pass\n"
        "with open('f') as handle:\n    pass\n@decorate\ndef helper():\n    inner = 1\n"
        "class Thing:\n    attr = 1\n"
    )
    assert bound_names(source) == sorted(
        [
            "*backend_roadmap",
            "LIMIT",
            "Thing",
            "a",
            "c",
            "handle",
            "helper",
            "httpx",
            "i",
            "json",
            "osp",
            "x",
            "y",
            "z",
        ]
    )


def test_an_empty_timestamp_means_no_time_and_is_kept(tmp_path):
    from backend_roadmap_tools.grading.normalize import read_timestamp

    (tmp_path / "timestamp.txt").write_text("\n")
    assert read_timestamp(tmp_path) == ("", None)


def cgroup_controllers() -> set[str]:
    """The cgroup controllers this process could give a jail (as root), v2 or v1."""
    sys.path.insert(0, str(SANDBOX.parent))
    try:
        import sandbox as jail_module
    finally:
        sys.path.remove(str(SANDBOX.parent))
    if os.geteuid() != 0:
        return set()
    probe = jail_module.Cgroups(f"backend-roadmap-probe-{os.getpid()}", {"memory_bytes": 1 << 30})
    try:
        return set(probe.controllers)
    finally:
        probe.remove()


@needs_jail
@pytest.mark.skipif(
    not {"memory", "pids", "cpu"} <= cgroup_controllers(),
    reason="the grader is not root or the machine offers no memory, pids and cpu cgroups",
)
def test_jail_gets_cgroups_of_its_own_where_the_machine_offers_them(tmp_path):
    """Memory, process count and CPU of the whole jail are cgroup limits the kernel enforces
    (not only the watchdog's polling), and the cgroups go when the jail does."""
    code = "print(open('/proc/self/cgroup').read(), flush=True); import time; time.sleep(3)"
    results = []
    runner = threading.Thread(
        target=lambda: results.append(
            jail(tmp_path, code, jail_memory_bytes=300 << 20, cpu_share=0.5)
        )
    )
    runner.start()
    name = f"backend-roadmap-{tmp_path.name}"
    found = {}
    deadline = time.monotonic() + 30
    while len(found) < 3 and time.monotonic() < deadline:
        for path in Path("/sys/fs/cgroup").glob(f"**/{name}"):
            if (path / "cgroup.controllers").exists():
                found = dict.fromkeys(("memory", "pids", "cpu"), path)  # v2: one folder
            else:
                found[path.parts[4]] = path  # v1: /sys/fs/cgroup/<controller>/...
        time.sleep(0.05)
    assert len(found) == 3, found
    limits = {}
    for path in found.values():
        for file in ("memory.max", "memory.limit_in_bytes", "pids.max", "cpu.max",
                     "cpu.cfs_quota_us"):  # fmt: skip
            if (path / file).exists():
                limits[file] = (path / file).read_text().split()[0]
    runner.join(timeout=60)
    assert results and results[0].returncode == 0, results
    assert name in results[0].stdout, results[0].stdout  # the jail's processes are in them
    memory = limits.get("memory.max") or limits.get("memory.limit_in_bytes")
    assert memory == str(300 << 20), limits
    assert limits["pids.max"] == "16", limits  # the spec's processes
    assert limits.get("cpu.max", limits.get("cpu.cfs_quota_us")) == "50000", limits
    assert not list(Path("/sys/fs/cgroup").glob(f"**/{name}")), "left behind"


def test_cgroups_v2_where_delegated_else_v1(tmp_path):
    """The cgroup layouts, on a stand-in hierarchy: v2 when our cgroup's children get the
    memory, pids and cpu controllers, else one v1 folder per controller; and what the kernel
    reports (an OOM kill) is read back."""
    sys.path.insert(0, str(SANDBOX.parent))
    try:
        import sandbox as jail_module
    finally:
        sys.path.remove(str(SANDBOX.parent))
    limits = {"memory_bytes": 1 << 30, "jail_memory_bytes": 256 << 20, "processes": 32,
              "cpu_share": 1.5}  # fmt: skip
    v2 = tmp_path / "v2"
    (v2 / "grader").mkdir(parents=True)
    (v2 / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (v2 / "grader" / "cgroup.subtree_control").write_text("cpu memory pids\n")
    made = jail_module.Cgroups("jail", limits, root=str(v2), own={"": "/grader"})
    assert (made.version, made.paths) == (2, [str(v2 / "grader" / "jail")])
    files = {p.name: p.read_text() for p in (v2 / "grader" / "jail").iterdir()}
    assert files["memory.max"] == str(256 << 20)
    assert files["memory.swap.max"] == "0"
    assert files["pids.max"] == "32"
    assert files["cpu.max"] == "150000 100000"
    assert not made.out_of_memory()
    events = "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n"
    (v2 / "grader" / "jail" / "memory.events").write_text(events)
    assert made.out_of_memory()
    # Not delegated (cpu missing from the parent's subtree): the v1 controllers instead.
    (v2 / "grader" / "cgroup.subtree_control").write_text("memory pids\n")
    for controller in ("memory", "pids", "cpu"):
        (v2 / controller / "grader").mkdir(parents=True)
    own = {"": "/grader", "memory": "/grader", "pids": "/grader", "cpu": "/grader"}
    made = jail_module.Cgroups("jail1", limits, root=str(v2), own=own)
    assert made.version == 1 and sorted(made.controllers) == ["cpu", "memory", "pids"]
    assert (v2 / "memory/grader/jail1/memory.limit_in_bytes").read_text() == str(256 << 20)
    assert (v2 / "pids/grader/jail1/pids.max").read_text() == "32"
    assert (v2 / "cpu/grader/jail1/cpu.cfs_quota_us").read_text() == "150000"
    # Found again by name (the worker removes what a killed jail left).
    again = jail_module.Cgroups("jail1", None, root=str(v2), own=own)
    assert sorted(again.paths) == sorted(made.paths)


def test_gradebook_cache_keeps_nbgraders_results():
    """The caches take (nbgrader still has the names they wrap), one engine serves a database
    URL, and nbgrader's metadata validation still refuses what it refused."""
    import jsonschema
    from nbgrader import api
    from nbgrader.nbgraderformat import ValidationError as MetadataError
    from nbgrader.nbgraderformat.v3 import MetadataValidatorV3

    from backend_roadmap_tools.grading import gradebook_cache

    assert gradebook_cache.install() == {"engines": True, "schemas": True}
    assert gradebook_cache.install() == {"engines": True, "schemas": True}  # idempotent
    url = "sqlite:///:memory:"
    assert api.create_engine(url, echo=False) is api.create_engine(url, echo=False)
    validator = MetadataValidatorV3()
    good = {"grade": True, "solution": False, "locked": True, "points": 2,
            "grade_id": "q1_rule", "schema_version": 3, "task": False}  # fmt: skip
    cell = from_dict({"cell_type": "code", "metadata": {"nbgrader": good}, "source": ""})
    validator.validate_cell(cell)
    for bad in ({**good, "points": "two"}, {**good, "grade_id": 7}):
        cell = from_dict({"cell_type": "code", "metadata": {"nbgrader": bad}, "source": ""})
        with pytest.raises((jsonschema.ValidationError, MetadataError)):
            validator.validate_cell(cell)
