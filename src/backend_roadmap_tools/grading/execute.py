"""Execution: run sanitized notebooks in their jails, in parallel, with no gradebook access.

:class:`Executor` is handed a :class:`~backend_roadmap_tools.grading.stage.Staged` submission
(the notebooks exactly as nbgrader's sanitize step left them, and the files that go with
them) and runs each notebook through ``worker.py`` in a fresh process, which executes it with
a jailed kernel (``sandbox.py``). The job interface is files: ``job.json`` (plus
``spec.json`` and ``in.ipynb``) in, ``out.ipynb`` and ``status.json`` out. The executed
notebook is left in the submission's ``executed`` folder, where the scoring step's
:class:`~backend_roadmap_tools.grading.score.AlreadyExecuted` finds it.

This module never opens the gradebook, never changes the working directory and keeps no
global state but a process-wide cache of checks already done (``CHECKED``); one thread per
worker slot calls :meth:`Executor.run`, each slot with its own sandbox uid.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader import utils as nbg_utils
from nbgrader.converters.base import NbGraderException

from backend_roadmap_tools.grading.jail import JailSpec, Limits

HERE = Path(__file__).resolve().parent
# Normalised (".." would not resolve inside the jail) but not resolved: it must stay the venv's.
PYTHON = os.path.abspath(sys.executable)
SANDBOX = HERE / "sandbox.py"
WORKER = HERE / "worker.py"
log = logging.getLogger("backend_roadmap_tools.grading")

# Sandbox checks and bytecode warm-ups already done by this process (a test suite grades often).
CHECKED: set = set()


def student_files(folder: Path) -> Iterator[tuple[Path, Path]]:
    """The files that go with a submission, wherever it is copied (staging, the jail): regular
    files only (no links, FIFOs or devices, nothing through a linked folder), no notebooks
    (they carry the tests), nothing in a hidden folder. ``(path, relative)``, sorted."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_symlink() or not path.is_file() or path.suffix == ".ipynb":
            continue
        if any(part.startswith(".") for part in relative.parts[:-1]):
            continue
        yield path, relative


def not_graded(nb: NotebookNode, reason: str) -> NotebookNode:
    """``nb`` with every test cell failing with ``reason`` (scored 0, the reason shown)."""
    for cell in nb.cells:
        if (
            cell.cell_type == "code"
            and nbg_utils.is_grade(cell)
            and not nbg_utils.is_solution(cell)
        ):
            cell.outputs = [
                NotebookNode(
                    output_type="error",
                    ename="NotGraded",
                    evalue=reason,
                    traceback=[f"NotGraded: {reason}"],
                )
            ]
    return nb


def setup_failures(nb: NotebookNode) -> list[str]:
    """Errors of the instructor's read-only cells that run before any student code.

    Nothing the student wrote has run yet there, so an error means the grading environment
    lacks something the set needs (a server that cannot start, a missing package): every test
    after it would score 0 through no fault of the student's, so it is a reason, not a score.
    """
    failures = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") or meta.get("grade"):
            break
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                evalue = str(output.get("evalue", ""))[:300]
                failures.append(
                    f"the read-only cell {meta.get('grade_id', '?')!r} failed before any student "
                    f"code ran ({output.get('ename')}: {evalue}): the grading machine lacks "
                    "something this set needs"
                )
    return failures


def kernel_name(nb: NotebookNode) -> str:
    """The kernel nbgrader would run: the notebook's (the gradebook's, set by normalize)."""
    spec = nb.metadata.get("kernelspec")
    name = spec.get("name") if isinstance(spec, dict) else None
    return name if isinstance(name, str) and name else "python3"


def kernel_missing(name: str) -> str | None:
    """Why the kernel ``name`` cannot be started here, or None when it is installed."""
    from jupyter_client.kernelspec import NoSuchKernel
    from jupyter_client.manager import KernelManager

    try:
        KernelManager(kernel_name=name).kernel_spec  # noqa: B018 - resolving is the check
    except NoSuchKernel:
        return f"kernel {name!r} is not installed"
    return None


def keep_written_files(written: Path, given: Path, dest: Path) -> None:
    """Copy what the notebook wrote while graded into ``autograded/`` (as nbgrader does).

    ``written`` holds the kernel's working copy as the worker saved it (checked paths,
    regular files, no notebooks or dot-files, capped in size); only files that are new or
    differ from the copy the kernel was ``given`` are kept.
    """
    if not dest.is_dir():
        return
    for path in sorted(written.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        relative = path.relative_to(written)
        before = given / relative
        unchanged = before.is_file() and not before.is_symlink()
        if unchanged and before.read_bytes() == path.read_bytes():
            continue
        target = dest / relative
        if target.is_symlink() or (target.exists() and not target.is_file()):
            continue
        if any(parent.is_symlink() for parent in target.parents if dest in parent.parents):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def expose_paths(course_root: Path) -> list[str]:
    """What the kernel may read: the Python installation and this package's sources."""
    import backend_roadmap

    candidates = {
        sys.prefix,
        sys.base_prefix,
        os.path.realpath(sys.prefix),
        os.path.realpath(sys.base_prefix),
        os.path.dirname(os.path.realpath(PYTHON)),
        str(Path(backend_roadmap.__file__).resolve().parent.parent),
    }
    course = str(course_root.resolve())
    exposed = []
    for path in sorted(candidates):
        if course == path or course.startswith(path.rstrip("/") + "/"):
            log.warning("not exposing %s to student code: it contains the course", path)
            continue
        if os.path.isdir(path):
            exposed.append(path)
    return exposed


def kernel_env() -> dict[str, str]:
    """The jailed kernel's whole environment (nothing of the grader's own is passed on)."""
    return {
        "PATH": f"{os.path.dirname(PYTHON)}:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/home/student",
        "USER": "student",
        "LOGNAME": "student",
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        # Nothing the student submitted may shadow the environment's modules or configure
        # IPython, Jupyter or matplotlib: no working directory on sys.path, no user
        # site-packages, configuration folders on the jail's empty /tmp.
        "PYTHONSAFEPATH": "1",
        "PYTHONNOUSERSITE": "1",
        "IPYTHONDIR": "/tmp/.ipython",
        "JUPYTER_CONFIG_DIR": "/tmp/.jupyter",
        "JUPYTER_DATA_DIR": "/tmp/.jupyter-data",
        "MPLCONFIGDIR": "/tmp/.matplotlib",
        "MALLOC_ARENA_MAX": "2",
        "MPLBACKEND": "Agg",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "JUPYTER_PLATFORM_DIRS": "1",
        # What nbgrader's Autograde sets around its Execute step, given to the kernel directly.
        "NBGRADER_EXECUTION": "autograde",
    }


def new_job() -> Path:
    job = Path(tempfile.mkdtemp(prefix="nbgs-"))
    os.chmod(job, 0o711)
    for sub in ("root", "ipc", "work"):
        (job / sub).mkdir(mode=0o700)
    return job


@dataclass
class Execution:
    """One notebook as executed: where it was left, why it is not (fully) gradable, the job."""

    notebook: str
    reasons: list[str] = field(default_factory=list)
    job: Path | None = None  # kept until scored: its ``written`` files go to autograded/


class Executor:
    """Runs staged notebooks in jails, ``workers`` at a time (one uid per slot)."""

    def __init__(
        self,
        limits: Limits,
        course_root: Path,
        uid_base: int,
        workers: int,
        grace: float,
    ) -> None:
        self.limits = limits
        self.course_root = course_root
        self.uid_base = uid_base
        self.grace = grace
        self.expose = expose_paths(course_root)
        # os.environ as Python sees it now (JUPYTER_PATH finds the notebook's kernel), even
        # where a caller replaced os.environ with a dict, as nbgrader's test helper does; taken
        # once, here, so that no thread reads it while the main thread's nbgrader changes it.
        self.environ = dict(os.environ)
        self.slots: queue.SimpleQueue[int] = queue.SimpleQueue()
        for slot in range(workers):
            self.slots.put(slot)

    def run(self, staged) -> list[Execution]:
        """Execute every notebook of ``staged`` (a ``Staged``) in one slot; thread-safe."""
        slot = self.slots.get()
        try:
            staged.executed_dir.mkdir(parents=True, exist_ok=True)
            return [self.execute(staged, name, nb, slot) for name, nb in staged.notebooks.items()]
        finally:
            self.slots.put(slot)

    def execute(self, staged, name: str, nb: NotebookNode, slot: int) -> Execution:
        result = Execution(notebook=name)
        output = staged.executed_dir / f"{name}.ipynb"
        if staged.kernel_errors.get(name):
            nbformat.write(not_graded(nb, staged.kernel_errors[name]), str(output))
            return result
        job = new_job()
        try:
            status = self.run_job(job, nb, staged.files, slot)
        except Exception as error:  # noqa: BLE001 - reported as the notebook's reason
            status = {"reasons": [f"the grading worker could not be run: {error}"]}
        reason = status.get("failed")
        if reason is None:
            try:
                executed = nbformat.read(str(job / "out.ipynb"), as_version=4)
            except (OSError, ValueError):
                tail = (job / "worker.log").read_bytes()[-600:].decode("utf-8", "replace")
                status["reasons"] = [f"the grading worker failed: {tail.strip()}"]
                reason = "the grading worker failed"
        if reason is not None:
            result.reasons += [f"{name}: {r}" for r in status["reasons"]]
            nbformat.write(not_graded(nb, reason), str(output))
            self.discard(job)
            return result
        result.reasons += [f"{name}: {r}" for r in status["reasons"]]
        result.reasons += [f"{name}: {r}" for r in setup_failures(executed)]
        shutil.move(str(job / "out.ipynb"), output)
        result.job = job
        return result

    def run_job(
        self, job: Path, nb: NotebookNode, files: list[tuple[Path, Path]], slot: int
    ) -> dict:
        """Write the job, run ``worker.py`` on it; return its status (``failed``: stopped)."""
        limits = self.limits
        for path, relative in files:
            target = job / "work" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        spec = JailSpec.in_job(
            job, uid=self.uid_base + slot, expose=self.expose, limits=limits, env=kernel_env()
        )
        spec.write(job / "spec.json")
        nbformat.write(nb, str(job / "in.ipynb"))
        (job / "written").mkdir(mode=0o700)
        (job / "job.json").write_text(
            json.dumps(
                {
                    "notebook": str(job / "in.ipynb"),
                    "output": str(job / "out.ipynb"),
                    "status": str(job / "status.json"),
                    "sandbox": str(SANDBOX),
                    "spec": str(job / "spec.json"),
                    "ipc_dir": str(job / "ipc"),
                    "limits": limits.as_dict(),
                    "library_roots": spec.expose,
                    "kernel_name": kernel_name(nb),
                    "written_dir": str(job / "written"),
                }
            )
        )
        for path in ("job.json", "in.ipynb"):
            os.chmod(job / path, 0o600)
        deadline = limits.notebook_timeout + limits.startup_timeout + self.grace
        with open(job / "worker.log", "wb") as logfile:
            process = subprocess.Popen(
                [PYTHON, "-I", str(WORKER), str(job / "job.json")],
                env=self.environ,
                stdin=subprocess.DEVNULL,
                stdout=logfile,
                stderr=logfile,
                start_new_session=True,
                cwd=str(job),
            )
            try:
                process.wait(timeout=deadline)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return {
                    "failed": "the grading worker was stopped (time limit)",
                    "reasons": [f"the grading worker ran past {deadline:.0f} s"],
                }
        try:
            status = json.loads((job / "status.json").read_text())
            return {"reasons": [str(r) for r in status["reasons"]]}
        except (OSError, ValueError, KeyError, TypeError):
            tail = (job / "worker.log").read_bytes()[-600:].decode("utf-8", "replace")
            return {
                "failed": "the grading worker failed",
                "reasons": [f"the grading worker failed: {tail.strip()}"],
            }

    @staticmethod
    def discard(job: Path | None) -> None:
        if job is not None and not os.environ.get("BACKEND_ROADMAP_KEEP_JOBS"):
            shutil.rmtree(job, ignore_errors=True)

    def preflight(self) -> None:
        """Refuse to start (rather than score a class 0) if the jail cannot be built here."""
        key = (str(self.course_root), self.uid_base)
        if key in CHECKED:  # once per process (a test suite grades many times)
            return
        job = new_job()
        try:
            JailSpec.in_job(
                job,
                uid=self.uid_base,
                expose=self.expose,
                limits=replace(self.limits, processes=0),
                env={"PATH": "/usr/bin:/bin"},
                kernel=False,
            ).write(job / "spec.json")
            result = subprocess.run(
                [PYTHON, "-I", str(SANDBOX), str(job / "spec.json"), "--"]
                + [PYTHON, "-I", "-c", "import os; print(os.getuid())"],
                capture_output=True,
                text=True,
                timeout=60,
            )
        finally:
            shutil.rmtree(job, ignore_errors=True)
        if result.returncode == 0:
            CHECKED.add(key)
        else:
            raise NbGraderException(
                "the grading sandbox cannot be built on this machine "
                f"({result.stderr.strip()[-300:]}). Run as root, or as a user allowed to create "
                "user namespaces (Debian: sysctl kernel.unprivileged_userns_clone=1)."
            )

    @staticmethod
    def warm_up(imports: list[str]) -> None:
        """Compile the bytecode the kernels will need, once, where it can be cached.

        A jailed kernel cannot write ``__pycache__`` (the environment is read-only there), so
        without this every submission would compile ipykernel and the exercise's imports from
        source. Only import statements (of the instructor's read-only cells) are run.
        """
        lines = ["import ipykernel.kernelapp", "import IPython", *imports]
        code = "\n".join(f"try:\n    {line}\nexcept Exception:\n    pass" for line in lines)
        if code in CHECKED:
            return
        CHECKED.add(code)
        try:
            subprocess.run(
                [PYTHON, "-c", code],
                cwd=tempfile.gettempdir(),
                timeout=300,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
        except subprocess.TimeoutExpired:
            log.warning("warming up the bytecode cache timed out")
