"""Autograde a whole assignment through nbgrader, one jailed worker process per submission.

The parent process (this module) is the only one that touches the course tree: it reads each
submission defensively (``normalize``), stages a repaired copy, and runs nbgrader's own
``Autograde`` converter on it, so the gradebook, ``autograded/`` and everything formgrader,
``generate_feedback`` and ``export`` read afterwards are nbgrader's normal ones. Only the
``Execute`` step is swapped: :class:`SandboxedExecute` hands the notebook to ``worker.py`` in a
fresh process, which runs the student's kernel in the jail of ``sandbox.py``. nbgrader's
gradebook work is serialised by one lock; executions run in parallel, one per worker slot,
each slot with its own uid.

A per-assignment record ``<course>/grading_reports/<assignment>.json`` (and ``.csv``) keeps,
for every student, the status, score, reasons and notes, and a fingerprint of the submitted
files: a re-run skips unchanged submissions already recorded (``--force`` regrades), and an
interrupted run resumes where it stopped.
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import io
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbformat.notebooknode import NotebookNode
from nbgrader import utils as nbg_utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.converters.base import BaseConverter, NbGraderException
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    IgnorePattern,
    LimitOutput,
    NbGraderPreprocessor,
    SaveAutoGrades,
)
from traitlets import Float, Integer
from traitlets.config import Config, Configurable
from traitlets.config.loader import PyFileConfigLoader

from backend_roadmap_tools.grading.jail import JailSpec, Limits
from backend_roadmap_tools.grading.normalize import (
    load_submission,
    normalize,
    read_timestamp,
    trusted_cells,
)

HERE = Path(__file__).resolve().parent
# Normalised (".." would not resolve inside the jail) but not resolved: it must stay the venv's.
PYTHON = os.path.abspath(sys.executable)
SANDBOX = HERE / "sandbox.py"
WORKER = HERE / "worker.py"
STAGING = ".grading_staging"
REPORTS = "grading_reports"
# One lock for everything that touches the gradebook or nbgrader's process-wide state.
GRADEBOOK_LOCK = threading.Lock()
log = logging.getLogger("backend_roadmap_tools.grading")


class SafeAutograde(Configurable):
    """Limits for ``python -m backend_roadmap_tools.grading autograde`` (``c.SafeAutograde.x``)."""

    workers = Integer(0, help="parallel submissions; 0 means the number of cores").tag(config=True)
    cell_timeout = Integer(0, help="seconds per cell; 0 means Execute.timeout").tag(config=True)
    notebook_timeout = Integer(300, help="seconds for a whole notebook").tag(config=True)
    startup_timeout = Integer(60, help="seconds for the kernel to start").tag(config=True)
    cpu_seconds = Integer(0, help="CPU seconds per kernel; 0 means notebook_timeout").tag(
        config=True
    )
    memory_mb = Integer(1024, help="address space of the kernel, MiB").tag(config=True)
    file_mb = Integer(64, help="largest file the kernel may write, MiB").tag(config=True)
    disk_mb = Integer(128, help="size of the kernel's home and /tmp (each), MiB").tag(config=True)
    processes = Integer(64, help="processes the sandbox uid may have").tag(config=True)
    open_files = Integer(512, help="open files per process").tag(config=True)
    cell_output_kb = Integer(1024, help="output kept per cell, KiB").tag(config=True)
    notebook_output_kb = Integer(8192, help="output kept per notebook, KiB").tag(config=True)
    message_kb = Integer(4096, help="largest kernel message accepted, KiB").tag(config=True)
    notebook_kb = Integer(20480, help="largest submitted notebook read, KiB").tag(config=True)
    uid_base = Integer(4_000_000, help="first uid for sandbox slots (root only)").tag(config=True)
    grace = Float(30.0, help="extra seconds before a worker is killed").tag(config=True)
    jail_memory_mb = Integer(
        0, help="memory of all a jail's processes together, MiB; 0 means memory_mb"
    ).tag(config=True)
    cpu_share = Float(1.0, help="cores a jail may keep busy before it is slowed").tag(config=True)

    def limits(self, cell_timeout: int) -> Limits:
        """The settings as the jail and the worker use them (same names, units applied)."""
        return Limits(
            cell_timeout=self.cell_timeout or cell_timeout,
            notebook_timeout=self.notebook_timeout,
            startup_timeout=self.startup_timeout,
            cpu_seconds=self.cpu_seconds or self.notebook_timeout,
            memory_bytes=self.memory_mb << 20,
            jail_memory_bytes=(self.jail_memory_mb or self.memory_mb) << 20,
            cpu_share=self.cpu_share,
            file_bytes=self.file_mb << 20,
            disk_bytes=self.disk_mb << 20,
            processes=self.processes,
            open_files=self.open_files,
            cell_output_bytes=self.cell_output_kb << 10,
            notebook_output_bytes=self.notebook_output_kb << 10,
            message_bytes=self.message_kb << 10,
        )


@dataclass
class Context:
    """What the converter of one submission needs to know beyond nbgrader's own state."""

    student: str
    slot: int
    limits: Limits
    settings: SafeAutograde
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Faults of the set-up, not of the student (kernel not installed, student not in the
    # gradebook, unreadable timestamp): status "error", no autograded copy, exit status 1.
    errors: list[str] = field(default_factory=list)
    work_dir: str = ""


@dataclass
class Record:
    student: str
    status: str  # "ok", "repaired", "failed" or "error" (no usable record; exit status 1)
    score: float
    max_score: float
    reasons: list[str]
    notes: list[str]
    seconds: float
    fingerprint: str


def determine_grade(cell: NotebookNode) -> tuple[float | None, float]:
    """nbgrader's rule, except stderr is not a failure and any error wins over a number."""
    if not nbg_utils.is_grade(cell) or nbg_utils.is_solution(cell) or cell.cell_type != "code":
        return nbg_utils.determine_grade(cell)
    max_points = float(cell.metadata["nbgrader"]["points"])
    outputs = cell.get("outputs", [])
    if any(output.output_type == "error" for output in outputs):
        return 0, max_points
    for output in outputs:
        if output.output_type == "execute_result":
            return nbg_utils.get_partial_grade(output, max_points), max_points
    return max_points, max_points


class StrictSaveAutoGrades(SaveAutoGrades):
    def _add_score(self, cell, resources):
        grade = self.gradebook.find_grade(
            cell.metadata["nbgrader"]["grade_id"],
            self.notebook_id,
            self.assignment_id,
            self.student_id,
        )
        grade.auto_score, _ = determine_grade(cell)
        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
        self.gradebook.db.commit()


def _not_graded(nb: NotebookNode, reason: str) -> NotebookNode:
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


# Sandbox checks and bytecode warm-ups already done by this process.
CHECKED: set = set()

# nbconvert deep-copies resources, so they carry a key into this registry, not the context.
CONTEXTS: dict[str, Context] = {}


class SandboxedExecute(NbGraderPreprocessor):
    """nbgrader's Execute step, done by ``worker.py`` in its own process and jail."""

    def preprocess(self, nb, resources):
        context = CONTEXTS[resources["sandbox"]]
        name = resources["nbgrader"]["notebook"]
        missing = kernel_missing(kernel_name(nb))
        if missing:
            context.errors.append(f"{name}: {missing}")
            return _not_graded(nb, missing), resources
        GRADEBOOK_LOCK.release()
        try:
            nb = run_in_sandbox(nb, context, name)
        finally:
            GRADEBOOK_LOCK.acquire()
        return nb, resources


def _expose_paths(course_root: Path) -> list[str]:
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


def run_in_sandbox(nb: NotebookNode, context: Context, name: str) -> NotebookNode:
    settings, limits = context.settings, context.limits
    job = Path(tempfile.mkdtemp(prefix="nbgs-"))
    try:
        os.chmod(job, 0o711)
        for sub in ("root", "ipc", "work"):
            (job / sub).mkdir(mode=0o700)
        # Only this submission's own files (not notebooks: those carry the tests) go in.
        total = 0
        for path, relative in student_files(Path(context.work_dir)):
            total += path.stat().st_size
            if total > limits.disk_bytes:
                break
            target = job / "work" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        spec = JailSpec.in_job(
            job,
            uid=settings.uid_base + context.slot,
            expose=_expose_paths(Path(settings.course_root)),
            limits=limits,
            env={
                "PATH": f"{os.path.dirname(PYTHON)}:/usr/local/bin:/usr/bin:/bin",
                "HOME": "/home/student",
                "USER": "student",
                "LOGNAME": "student",
                "LANG": "C.UTF-8",
                "TZ": "UTC",
                "PYTHONHASHSEED": "0",
                "PYTHONDONTWRITEBYTECODE": "1",
                # Nothing the student submitted may shadow the environment's modules or
                # configure IPython, Jupyter or matplotlib: no working directory on sys.path,
                # no user site-packages, configuration folders on the jail's empty /tmp.
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
                "NBGRADER_EXECUTION": "autograde",
            },
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
        deadline = limits.notebook_timeout + limits.startup_timeout + settings.grace
        with open(job / "worker.log", "wb") as logfile:
            process = subprocess.Popen(
                [PYTHON, "-I", str(WORKER), str(job / "job.json")],
                # os.environ as Python sees it (JUPYTER_PATH finds the notebook's kernel), even
                # where a caller replaced os.environ with a dict, as nbgrader's test helper does.
                env=dict(os.environ),
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
                context.reasons.append(f"{name}: the grading worker ran past {deadline:.0f} s")
                return _not_graded(nb, "the grading worker was stopped (time limit)")
        try:
            status = json.loads((job / "status.json").read_text())
            executed = nbformat.read(str(job / "out.ipynb"), as_version=4)
        except (OSError, ValueError):
            tail = (job / "worker.log").read_bytes()[-600:].decode("utf-8", "replace")
            context.reasons.append(f"{name}: the grading worker failed: {tail.strip()}")
            return _not_graded(nb, "the grading worker failed")
        context.reasons.extend(f"{name}: {reason}" for reason in status["reasons"])
        context.reasons.extend(f"{name}: {reason}" for reason in _setup_failures(executed))
        keep_written_files(job / "written", job / "work", Path(context.work_dir))
        return executed
    finally:
        if not os.environ.get("BACKEND_ROADMAP_KEEP_JOBS"):
            shutil.rmtree(job, ignore_errors=True)


def _setup_failures(nb: NotebookNode) -> list[str]:
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


class SandboxAutograde(Autograde):
    """nbgrader's Autograde with the Execute step jailed and stderr not scored as failure."""

    def __init__(self, context: Context, **kwargs):
        self.sandbox_context = context
        super().__init__(**kwargs)
        self.force = True
        self.autograde_preprocessors = [
            SandboxedExecute,
            IgnorePattern,
            ClearMetadataPreprocessor,
            LimitOutput,
            StrictSaveAutoGrades,
            AssignLatePenalties,
            CheckCellMetadata,
        ]

    def convert_single_notebook(self, notebook_filename: str) -> None:
        # Autograde's own version wraps execution in utils.setenv(NBGRADER_EXECUTION=...), which
        # sets and deletes a process-wide variable: racy across threads. The jailed kernel gets
        # NBGRADER_EXECUTION=autograde from its own environment instead.
        self.log.info("Sanitizing %s", notebook_filename)
        self._sanitizing = True
        self._init_preprocessors()
        BaseConverter.convert_single_notebook(self, notebook_filename)
        notebook_filename = os.path.join(
            self.writer.build_directory, os.path.basename(notebook_filename)
        )
        self.log.info("Autograding %s", notebook_filename)
        self._sanitizing = False
        self._init_preprocessors()
        try:
            BaseConverter.convert_single_notebook(self, notebook_filename)
        finally:
            self._sanitizing = True

    def init_single_notebook_resources(self, notebook_filename):
        resources = super().init_single_notebook_resources(notebook_filename)
        CONTEXTS[self.sandbox_context.student] = self.sandbox_context
        resources["sandbox"] = self.sandbox_context.student
        self.sandbox_context.work_dir = self._format_dest(
            resources["nbgrader"]["assignment"], resources["nbgrader"]["student"]
        )
        return resources


# -- the batch ------------------------------------------------------------------------------


def config_value(config: Config, cls: type, name: str):
    """``cls.name`` as an instance configured by ``config`` would see it (``--X.y=v`` too)."""
    from traitlets.config.loader import DeferredConfig

    trait = cls.class_traits()[name]
    value = trait.default()
    for klass in reversed(cls.mro()):  # base classes first, as traitlets applies them
        section = config.get(klass.__name__) if klass.__name__ in config else None
        if section is not None and name in section:
            value = section[name]
    if isinstance(value, DeferredConfig):
        value = value.get_value(trait)
    return value


def load_config(config_dir: Path) -> Config:
    config = PyFileConfigLoader("nbgrader_config.py", path=str(config_dir)).load_config()
    return config


def fingerprint(directory: Path) -> str:
    digest = hashlib.sha256()
    if directory.is_dir():
        for path in sorted(directory.rglob("*")):
            if path.is_file() and not path.is_symlink():
                digest.update(str(path.relative_to(directory)).encode() + b"\0")
                with open(path, "rb") as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(block)
    return digest.hexdigest()


class Batch:
    def __init__(
        self,
        assignment: str,
        config_dir: Path,
        workers: int | None = None,
        force: bool = False,
        students: list[str] | None = None,
        overrides: dict | None = None,
        on_progress: Callable[[Record | None, int, int], None] | None = None,
        config: Config | None = None,
    ) -> None:
        # The command line's app passes its merged config (files, then --Class.trait=value).
        self.config = config if config is not None else load_config(config_dir)
        for key, value in (overrides or {}).items():
            setattr(self.config.SafeAutograde, key, value)
        self.assignment = assignment
        self.force = force
        self.only = students
        self.coursedir = CourseDirectory(config=self.config)
        self.root = Path(self.coursedir.root)
        self.settings = SafeAutograde(config=self.config)
        self.settings.course_root = str(self.root)
        # Each batch its own block of uids: nothing a kernel leaves behind under its uid (the
        # kernel keyring, a process limit) is met by a later batch or another grader.
        self.settings.uid_base += secrets.randbelow(1 << 20) * 256
        cell_timeout = int(self.config.Execute.get("timeout", 30) or 30)
        self.limits = self.settings.limits(cell_timeout)
        self.workers = workers or self.settings.workers or len(os.sched_getaffinity(0))
        self.on_progress = on_progress
        self.report_dir = self.root / REPORTS
        self.report_path = self.report_dir / f"{assignment}.json"
        self.records: dict[str, dict] = {}
        self.create_student = bool(config_value(self.config, Autograde, "create_student"))
        self.notebook_glob = self.coursedir.notebook_id or "*"

    # report ---------------------------------------------------------------------------------
    def load_report(self) -> None:
        try:
            self.records = json.loads(self.report_path.read_text())["students"]
        except (OSError, ValueError, KeyError, TypeError):
            self.records = {}

    def save_report(self) -> None:
        self.report_dir.mkdir(parents=True, exist_ok=True)
        data = {"assignment": self.assignment, "students": dict(sorted(self.records.items()))}
        temporary = self.report_path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(data, indent=1))
        os.replace(temporary, self.report_path)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["student", "status", "score", "max_score", "reasons", "notes", "seconds"])
        for student, r in sorted(self.records.items()):
            writer.writerow(
                [
                    student,
                    r["status"],
                    r["score"],
                    r["max_score"],
                    " | ".join(r["reasons"]),
                    " | ".join(r["notes"]),
                    r["seconds"],
                ]
            )
        temporary = self.report_path.with_suffix(".csv.tmp")
        temporary.write_text(out.getvalue())
        os.replace(temporary, self.report_path.with_suffix(".csv"))

    # one submission ---------------------------------------------------------------------------
    def submitted(self, student: str) -> Path:
        return Path(
            self.coursedir.format_path(self.coursedir.submitted_directory, student, self.assignment)
        )

    def students(self) -> list[str]:
        base = Path(self.coursedir.format_path(self.coursedir.submitted_directory, ".", "."))
        found = (
            sorted(p.name for p in base.iterdir() if (p / self.assignment).is_dir())
            if base.is_dir()
            else []
        )
        pattern = self.coursedir.student_id or "*"
        excluded = set(filter(None, self.coursedir.student_id_exclude.split(",")))
        found = [s for s in found if fnmatch.fnmatchcase(s, pattern) and s not in excluded]
        if self.only:
            found = [s for s in found if any(fnmatch.fnmatchcase(s, p) for p in self.only)]
        return found

    def in_scope(self, notebook: str) -> bool:
        """Whether ``--notebook`` (``CourseDirectory.notebook_id``, a glob) selects it."""
        return fnmatch.fnmatchcase(notebook, self.notebook_glob)

    def stage(self, student: str, context: Context, gb: Gradebook) -> list[str]:
        """Copy a repaired submission to the staging tree; return the notebooks staged."""
        source = self.submitted(student)
        target = self.root / STAGING / student / self.assignment
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        expected = {nb.name: nb for nb in gb.find_assignment(self.assignment).notebooks}
        for path in sorted(source.glob("*.ipynb")):
            if path.stem not in expected and not path.is_symlink() and path.is_file():
                context.notes.append(f"extra notebook {path.name} ignored")
        for path, relative in student_files(source):
            if relative.parts[0] == "timestamp.txt":
                continue  # checked and written below
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / relative)
        timestamp, note = read_timestamp(source)
        if note:
            context.notes.append(note)
        if timestamp is not None:
            (target / "timestamp.txt").write_text(timestamp)
        staged = []
        for name, record in sorted(expected.items()):
            if not self.in_scope(name):
                continue
            path = source / f"{name}.ipynb"
            if not os.path.lexists(path):
                context.reasons.append(f"{name}.ipynb is missing: scored 0")
                continue
            loaded = load_submission(path, self.settings.notebook_kb << 10)
            if loaded.notebook is None:
                context.reasons.append(f"{loaded.reason}: scored 0")
                continue
            try:
                kernelspec = json.loads(record.kernelspec) if record.kernelspec else None
                # nbgrader keeps the submitted kernel when the gradebook recorded none.
                submitted = loaded.notebook.get("metadata", {})
                submitted = submitted.get("kernelspec") if isinstance(submitted, dict) else None
                if not kernelspec and isinstance(submitted, dict):
                    name_ = submitted.get("name")
                    if isinstance(name_, str) and name_:
                        kernelspec = {
                            "name": name_,
                            "display_name": str(submitted.get("display_name", name_)),
                            "language": str(submitted.get("language", "")),
                        }
                fixed = normalize(
                    loaded.notebook, trusted_cells(gb, name, self.assignment), kernelspec
                )
            except Exception as error:  # noqa: BLE001 - a notebook we cannot repair scores 0
                context.reasons.append(f"{name}.ipynb could not be repaired ({error}): scored 0")
                continue
            context.notes.extend(f"{name}: {note}" for note in fixed.notes)
            nbformat.write(fixed.notebook, str(target / f"{name}.ipynb"))
            staged.append(name)
        return staged

    def zero_missing(self, gb: Gradebook, student: str, graded: set[str]) -> None:
        """Every notebook not graded this run gets 0 for its tests (the record still exists)."""
        timestamp, _ = read_timestamp(self.submitted(student))
        if timestamp:
            timestamp = nbg_utils.parse_utc(timestamp)
        gb.update_or_create_student(student)
        if timestamp:
            submission = gb.update_or_create_submission(
                self.assignment, student, timestamp=timestamp
            )
        else:
            submission = gb.update_or_create_submission(self.assignment, student)
        for notebook in submission.notebooks:
            if notebook.name in graded or not self.in_scope(notebook.name):
                continue
            for grade in notebook.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
        gb.db.commit()

    def grade(self, student: str, slot: int) -> Record:
        started = time.monotonic()
        context = Context(student=student, slot=slot, limits=self.limits, settings=self.settings)
        print_ = fingerprint(self.submitted(student))
        graded: set[str] = set()
        with GRADEBOOK_LOCK:
            try:
                with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
                    known = any(s.id == student for s in gb.students)
                    staged = [] if not known and not self.create_student else None
                    if staged is None:
                        staged = self.stage(student, context, gb)
                if not known and not self.create_student:
                    # nbgrader's Autograde.create_student=False: an unknown folder is an error.
                    context.errors.append(
                        f"no student {student!r} in the gradebook (Autograde.create_student "
                        "is False): not graded"
                    )
                    score, max_score = 0.0, 0.0
                elif staged:
                    coursedir = CourseDirectory(config=self.config)
                    coursedir.submitted_directory = f"{STAGING}"
                    coursedir.assignment_id = self.assignment
                    coursedir.student_id = student
                    converter = SandboxAutograde(context, coursedir=coursedir, config=self.config)
                    try:
                        converter.start()
                        graded = set(staged)
                    except NbGraderException as error:
                        context.errors.append(f"nbgrader could not grade it: {error}")
                if known or self.create_student:
                    with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
                        self.zero_missing(gb, student, graded)
                        submission = gb.find_submission(self.assignment, student)
                        score, max_score = float(submission.score), float(submission.max_score)
            except Exception as error:  # noqa: BLE001 - one submission never stops the batch
                log.exception("grading %s failed", student)
                context.errors.append(f"internal error: {type(error).__name__}: {error}")
                score, max_score = 0.0, 0.0
                try:
                    with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
                        self.zero_missing(gb, student, set())
                        submission = gb.find_submission(self.assignment, student)
                        max_score = float(submission.max_score)
                except Exception:  # noqa: BLE001
                    log.exception("recording %s failed", student)
            finally:
                CONTEXTS.pop(student, None)
                shutil.rmtree(self.root / STAGING / student, ignore_errors=True)
            status = "failed" if context.reasons else ("repaired" if context.notes else "ok")
            if context.errors:
                # Like nbgrader's failed conversion: no autograded copy is left to look graded.
                status = "error"
                self.remove_autograded(student)
            record = Record(
                student=student,
                status=status,
                score=score,
                max_score=max_score,
                reasons=context.errors + context.reasons,
                notes=context.notes,
                seconds=round(time.monotonic() - started, 2),
                fingerprint=print_,
            )
            self.records[student] = asdict(record)
            self.save_report()
        return record

    def autograded(self, student: str) -> Path:
        return Path(
            self.coursedir.format_path(
                self.coursedir.autograded_directory, student, self.assignment
            )
        )

    def remove_autograded(self, student: str) -> None:
        dest = self.autograded(student)
        if self.notebook_glob == "*":
            shutil.rmtree(dest, ignore_errors=True)
            return
        for path in dest.glob("*.ipynb"):
            if self.in_scope(path.stem):
                path.unlink()

    def up_to_date(self, student: str, old: dict | None) -> bool:
        """nbgrader's skip rule (the autograded copy exists), and the submission unchanged."""
        if self.force or not old or old.get("status") == "error":
            return False
        dest = self.autograded(student)
        if not dest.is_dir():
            return False
        if self.notebook_glob != "*":
            source = self.submitted(student)
            wanted = [p.stem for p in source.glob("*.ipynb") if self.in_scope(p.stem)]
            if any(not (dest / f"{name}.ipynb").is_file() for name in wanted):
                return False
        return old.get("fingerprint") == fingerprint(self.submitted(student))

    def preflight(self) -> None:
        """Refuse to start (rather than score a class 0) if the jail cannot be built here."""
        key = (str(self.root), self.settings.uid_base)
        if key in CHECKED:  # once per process (a test suite grades many times)
            return
        job = Path(tempfile.mkdtemp(prefix="nbgs-"))
        try:
            os.chmod(job, 0o711)
            for sub in ("root", "ipc", "work"):
                (job / sub).mkdir(mode=0o700)
            JailSpec.in_job(
                job,
                uid=self.settings.uid_base,
                expose=_expose_paths(self.root),
                limits=replace(self.limits, processes=0),
                env={"PATH": "/usr/bin:/bin"},
                kernel=False,
            ).write(job / "spec.json")
            result = subprocess.run(
                [
                    PYTHON,
                    "-I",
                    str(SANDBOX),
                    str(job / "spec.json"),
                    "--",
                    PYTHON,
                    "-I",
                    "-c",
                    "import os; print(os.getuid())",
                ],
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

    def warm_up(self) -> None:
        """Compile the bytecode the kernels will need, once, where it can be cached.

        A jailed kernel cannot write ``__pycache__`` (the environment is read-only there), so
        without this every submission would compile ipykernel and the exercise's imports from
        source. Only the import statements of the instructor's read-only cells are run.
        """
        import ast

        lines = ["import ipykernel.kernelapp", "import IPython"]
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            for notebook in gb.find_assignment(self.assignment).notebooks:
                for cell in notebook.source_cells:
                    if not cell.locked or cell.cell_type != "code":
                        continue
                    try:
                        tree = ast.parse(cell.source)
                    except SyntaxError:
                        continue
                    lines += [
                        ast.unparse(node)
                        for node in tree.body
                        if isinstance(node, (ast.Import, ast.ImportFrom))
                    ]
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

    def run(self) -> list[Record]:
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                gb.find_assignment(self.assignment)
            except MissingEntry:
                raise NbGraderException(
                    f"assignment {self.assignment!r} is not in the gradebook: run "
                    f"`nbgrader generate_assignment {self.assignment}` first"
                ) from None
        self.load_report()
        students = self.students()
        todo, done = [], []
        for student in students:
            old = self.records.get(student)
            if self.up_to_date(student, old):
                done.append(Record(**old))
            else:
                todo.append(student)
        total = len(students)
        if todo:
            self.preflight()
            self.warm_up()
        if self.on_progress:
            for record in done:
                self.on_progress(record, total, len(done))
        cwd = os.getcwd()
        os.chdir(self.root)  # nbgrader's converters chdir here; make that a no-op across threads
        slots = list(range(self.workers))
        slot_lock = threading.Lock()
        results: list[Record] = list(done)

        def job(student: str) -> Record:
            with slot_lock:
                slot = slots.pop()
            try:
                return self.grade(student, slot)
            finally:
                with slot_lock:
                    slots.append(slot)

        try:
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                for future in as_completed([pool.submit(job, student) for student in todo]):
                    record = future.result()
                    results.append(record)
                    if self.on_progress:
                        self.on_progress(record, total, len(results))
        finally:
            os.chdir(cwd)
            shutil.rmtree(self.root / STAGING, ignore_errors=True)
        return sorted(results, key=lambda r: r.student)
