"""Autograde a whole assignment: stage, execute in parallel jails, score with nbgrader.

The parent process is the only one that touches the course tree, and within it only the
main thread touches the gradebook and nbgrader. :meth:`Batch.run` pipelines four parts, each
with one job:

* :class:`~backend_roadmap_tools.grading.stage.Stager` (main thread): reads a submission
  defensively, repairs it from the gradebook (``normalize``), stages it and runs nbgrader's
  sanitize preprocessors, giving exactly the notebooks nbgrader would execute;
* :class:`~backend_roadmap_tools.grading.execute.Executor` (``workers`` threads): runs each
  sanitized notebook through ``worker.py`` in its own jail (job.json in, out.ipynb and
  status.json out), with no gradebook and no lock;
* :class:`~backend_roadmap_tools.grading.score.Scorer` (main thread, as executions finish):
  nbgrader's own ``Autograde`` with ``Execute`` replaced by ``AlreadyExecuted``, so the
  gradebook, ``autograded/`` and everything formgrader, ``generate_feedback`` and ``export``
  read afterwards are nbgrader's normal ones;
* :class:`~backend_roadmap_tools.grading.report.Report`: the per-student json/csv record, its
  fingerprints and the skip rule (``--force`` regrades, an interrupted run resumes).

The main thread stages a few submissions ahead of the executions, so the workers stay busy
while it scores what has finished.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.converters.base import NbGraderException
from traitlets import Float, Integer
from traitlets.config import Config, Configurable
from traitlets.config.loader import PyFileConfigLoader

from backend_roadmap_tools.grading import gradebook_cache
from backend_roadmap_tools.grading.execute import SANDBOX, Execution, Executor
from backend_roadmap_tools.grading.jail import Limits
from backend_roadmap_tools.grading.report import Record, Report, fingerprint
from backend_roadmap_tools.grading.score import Scorer, determine_grade
from backend_roadmap_tools.grading.stage import EXECUTED, STAGING, Course, Staged, Stager

__all__ = [
    "SANDBOX",
    "Batch",
    "NbGraderException",
    "Record",
    "SafeAutograde",
    "config_value",
    "determine_grade",
]
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
    return PyFileConfigLoader("nbgrader_config.py", path=str(config_dir)).load_config()


def setup_imports(course: Course) -> list[str]:
    """The import statements of the assignment's read-only cells (to warm the bytecode up)."""
    import ast

    lines = []
    with Gradebook(course.coursedir.db_url, course.coursedir.course_id) as gb:
        for notebook in gb.find_assignment(course.assignment).notebooks:
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
    return lines


class Batch:
    """One autograde run of one assignment: the parts wired together."""

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
        gradebook_cache.install()
        # The command line's app passes its merged config (files, then --Class.trait=value).
        self.config = config if config is not None else load_config(config_dir)
        for key, value in (overrides or {}).items():
            setattr(self.config.SafeAutograde, key, value)
        settings = SafeAutograde(config=self.config)
        self.course = Course(self.config, assignment, students)
        self.workers = workers or settings.workers or len(os.sched_getaffinity(0))
        self.on_progress = on_progress
        self.report = Report(self.course, force)
        self.report_dir, self.report_path = self.report.directory, self.report.path
        limits = settings.limits(int(self.config.Execute.get("timeout", 30) or 30))
        self.stager = Stager(
            self.course,
            notebook_bytes=settings.notebook_kb << 10,
            disk_bytes=limits.disk_bytes,
            create_student=bool(config_value(self.config, Autograde, "create_student")),
        )
        # Each batch its own block of uids: nothing a kernel leaves behind under its uid (the
        # kernel keyring, a process limit) is met by a later batch or another grader.
        self.executor = Executor(
            limits,
            self.course.root,
            uid_base=settings.uid_base + secrets.randbelow(1 << 20) * 256,
            workers=self.workers,
            grace=settings.grace,
        )
        self.scorer = Scorer(self.course, self.course.root / EXECUTED)

    def check_assignment(self) -> None:
        with Gradebook(self.course.coursedir.db_url, self.course.coursedir.course_id) as gb:
            try:
                gb.find_assignment(self.course.assignment)
            except MissingEntry:
                raise NbGraderException(
                    f"assignment {self.course.assignment!r} is not in the gradebook: run "
                    f"`nbgrader generate_assignment {self.course.assignment}` first"
                ) from None

    def run(self) -> list[Record]:
        self.check_assignment()
        self.report.load()
        students = self.course.students()
        results = [r for r in map(self.report.up_to_date, students) if r is not None]
        skipped = {r.student for r in results}
        todo = deque(s for s in students if s not in skipped)
        if todo:
            self.executor.preflight()
            self.executor.warm_up(setup_imports(self.course))
        if self.on_progress:
            for index, record in enumerate(results, 1):
                self.on_progress(record, len(students), index)
        try:
            for record in self.pipeline(todo):
                results.append(record)
                if self.on_progress:
                    self.on_progress(record, len(students), len(results))
        finally:
            shutil.rmtree(self.course.root / STAGING, ignore_errors=True)
            shutil.rmtree(self.course.root / EXECUTED, ignore_errors=True)
        return sorted(results, key=lambda r: r.student)

    def pipeline(self, todo: deque[str]) -> Iterator[Record]:
        """Stage (main thread) a few ahead, execute (pool), score (main thread) as they end."""
        ahead = self.workers + 2  # staged and queued, so a finishing worker never waits
        running: dict[Future, tuple[Staged, float]] = {}
        began, busy = time.monotonic(), 0.0
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            while todo or running:
                while todo and len(running) < ahead:
                    started = time.monotonic()
                    staged = self.stage(todo.popleft())
                    running[pool.submit(self.executor.run, staged)] = (staged, started)
                    busy += time.monotonic() - started
                    log.info("%s staged in %.2f s", staged.student, time.monotonic() - started)
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in sorted(finished, key=lambda f: running[f][0].student):
                    staged, started = running.pop(future)
                    scoring = time.monotonic()
                    record = self.finish(staged, future, started)
                    busy += time.monotonic() - scoring
                    log.info("%s scored in %.2f s", staged.student, time.monotonic() - scoring)
                    yield record
        log.info(
            "main thread busy %.1f s of %.1f s (staging and scoring)",
            busy,
            time.monotonic() - began,
        )

    def stage(self, student: str) -> Staged:
        try:
            return self.stager.stage(student)
        except Exception as error:  # noqa: BLE001 - one submission never stops the batch
            log.exception("staging %s failed", student)
            staged = Staged(student=student, executed_dir=self.course.root / EXECUTED / student)
            staged.errors.append(f"internal error: {type(error).__name__}: {error}")
            return staged

    def finish(self, staged: Staged, future: Future, started: float) -> Record:
        """Score one executed submission and record it (main thread)."""
        student = staged.student
        executions: list[Execution] = []
        try:
            executions = future.result()
            for execution in executions:
                staged.reasons += execution.reasons
            score, max_score = self.score(staged, executions)
        except Exception as error:  # noqa: BLE001 - one submission never stops the batch
            log.exception("grading %s failed", student)
            staged.errors.append(f"internal error: {type(error).__name__}: {error}")
            score, max_score = self.score_zero(staged)
        finally:
            for execution in executions:
                Executor.discard(execution.job)
            shutil.rmtree(self.course.root / STAGING / student, ignore_errors=True)
            shutil.rmtree(staged.executed_dir, ignore_errors=True)
        status = "failed" if staged.reasons else ("repaired" if staged.notes else "ok")
        if staged.errors:
            # Like nbgrader's failed conversion: no autograded copy is left to look graded.
            status = "error"
            self.course.remove_autograded(student)
        record = Record(
            student=student,
            status=status,
            score=score,
            max_score=max_score,
            reasons=staged.errors + staged.reasons,
            notes=staged.notes,
            seconds=round(time.monotonic() - started, 2),
            fingerprint=fingerprint(self.course.submitted(student)),
        )
        self.report.add(record)
        return record

    def score(self, staged: Staged, executions: list[Execution]) -> tuple[float, float]:
        if not staged.known:
            return 0.0, 0.0
        try:
            score = self.scorer.score(staged.student, graded=bool(staged.notebooks))
        except NbGraderException as error:
            staged.errors.append(f"nbgrader could not grade it: {error}")
            return self.scorer.record_missing(staged.student, graded=False)
        dest = self.course.autograded(staged.student)
        for execution in executions:
            if execution.job is not None:
                keep_written(execution, dest)
        return score

    def score_zero(self, staged: Staged) -> tuple[float, float]:
        if not staged.known:
            return 0.0, 0.0
        try:
            return self.scorer.record_missing(staged.student, graded=False)
        except Exception:  # noqa: BLE001
            log.exception("recording %s failed", staged.student)
            return 0.0, 0.0


def keep_written(execution: Execution, dest: Path) -> None:
    from backend_roadmap_tools.grading.execute import keep_written_files

    keep_written_files(execution.job / "written", execution.job / "work", dest)
