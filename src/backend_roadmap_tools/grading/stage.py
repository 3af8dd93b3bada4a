"""Staging: from a submitted folder to exactly the notebooks nbgrader would execute.

:class:`Stager` runs in the main thread, the only one that reads the gradebook. For one
student it reads the submission defensively and repairs each notebook from the gradebook's
trusted cells (``normalize``), writes the repaired copy to a staging tree (where the scoring
step's ``Autograde`` reads it as its ``submitted`` folder), then runs nbgrader's own sanitize
preprocessors (``Autograde.sanitize_preprocessors``: ClearOutput, DeduplicateIds,
OverwriteKernelspec, OverwriteCells, CheckCellMetadata, as ``Autograde`` runs them) on it. The
result, a :class:`Staged`, holds everything the jailed execution needs and nothing else.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader import utils as nbg_utils
from nbgrader.api import Gradebook
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import CheckCellMetadata
from traitlets.config import Config

from backend_roadmap_tools.grading.execute import kernel_missing, kernel_name, student_files
from backend_roadmap_tools.grading.normalize import (
    load_submission,
    normalize,
    read_timestamp,
    trusted_cells,
)

STAGING = ".grading_staging"
EXECUTED = ".grading_executed"
log = logging.getLogger("backend_roadmap_tools.grading")


@dataclass
class Staged:
    """One submission, ready to execute: its sanitized notebooks and its files."""

    student: str
    executed_dir: Path  # where the executions leave ``<notebook>.ipynb``
    known: bool = True  # in the gradebook, or Autograde.create_student
    notebooks: dict[str, NotebookNode] = field(default_factory=dict)
    files: list[tuple[Path, Path]] = field(default_factory=list)  # what the kernel is given
    kernel_errors: dict[str, str] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)  # not fully gradable (status failed)
    notes: list[str] = field(default_factory=list)  # repaired
    errors: list[str] = field(default_factory=list)  # set-up faults (status error)


class Course:
    """Where nbgrader keeps an assignment's folders, as the course's config says."""

    def __init__(self, config: Config, assignment: str, only: list[str] | None) -> None:
        self.config = config
        self.coursedir = CourseDirectory(config=config)
        self.root = Path(self.coursedir.root)
        self.assignment = assignment
        self.only = only
        self.notebook_glob = self.coursedir.notebook_id or "*"

    def submitted(self, student: str) -> Path:
        return Path(
            self.coursedir.format_path(self.coursedir.submitted_directory, student, self.assignment)
        )

    def autograded(self, student: str) -> Path:
        return Path(
            self.coursedir.format_path(
                self.coursedir.autograded_directory, student, self.assignment
            )
        )

    def staged(self, student: str) -> Path:
        return self.root / STAGING / student / self.assignment

    def in_scope(self, notebook: str) -> bool:
        """Whether ``--notebook`` (``CourseDirectory.notebook_id``, a glob) selects it."""
        return fnmatch.fnmatchcase(notebook, self.notebook_glob)

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

    def converter(self, student: str, config: Config | None = None) -> Autograde:
        """nbgrader's Autograde for one student, reading the staged copy as ``submitted``."""
        coursedir = CourseDirectory(config=self.config)
        coursedir.submitted_directory = STAGING
        coursedir.assignment_id = self.assignment
        coursedir.student_id = student
        return Autograde(coursedir=coursedir, config=config or self.config)

    def remove_autograded(self, student: str) -> None:
        dest = self.autograded(student)
        if self.notebook_glob == "*":
            shutil.rmtree(dest, ignore_errors=True)
            return
        for path in dest.glob("*.ipynb"):
            if self.in_scope(path.stem):
                path.unlink()


class Stager:
    """Read, repair, stage and sanitize one submission (main thread; reads the gradebook)."""

    def __init__(
        self, course: Course, notebook_bytes: int, disk_bytes: int, create_student: bool
    ) -> None:
        self.course = course
        self.notebook_bytes = notebook_bytes
        self.disk_bytes = disk_bytes
        self.create_student = create_student
        self.kernels: dict[str, str | None] = {}  # kernel name -> why it cannot start

    def stage(self, student: str) -> Staged:
        course = self.course
        staged = Staged(student=student, executed_dir=course.root / EXECUTED / student)
        with Gradebook(course.coursedir.db_url, course.coursedir.course_id) as gb:
            staged.known = self.create_student or any(s.id == student for s in gb.students)
            if not staged.known:
                # nbgrader's Autograde.create_student=False: an unknown folder is an error.
                staged.errors.append(
                    f"no student {student!r} in the gradebook (Autograde.create_student "
                    "is False): not graded"
                )
                return staged
            names = self.copy(student, staged, gb)
        staged.files = self.kernel_files(student)
        if names:
            staged.notebooks = self.sanitize(student, names)
        for name, nb in staged.notebooks.items():
            kernel = kernel_name(nb)
            if kernel not in self.kernels:
                self.kernels[kernel] = kernel_missing(kernel)
            if self.kernels[kernel]:
                staged.kernel_errors[name] = self.kernels[kernel]
                staged.errors.append(f"{name}: {self.kernels[kernel]}")
        return staged

    def copy(self, student: str, staged: Staged, gb: Gradebook) -> list[str]:
        """Copy a repaired submission to the staging tree; return the notebooks staged."""
        course = self.course
        source = course.submitted(student)
        target = course.staged(student)
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        expected = {nb.name: nb for nb in gb.find_assignment(course.assignment).notebooks}
        for path in sorted(source.glob("*.ipynb")):
            if path.stem not in expected and not path.is_symlink() and path.is_file():
                staged.notes.append(f"extra notebook {path.name} ignored")
        for path, relative in student_files(source):
            if relative.parts[0] == "timestamp.txt":
                continue  # checked and written below
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / relative)
        timestamp, note = read_timestamp(source)
        if note:
            staged.notes.append(note)
        if timestamp is not None:
            (target / "timestamp.txt").write_text(timestamp)
        names = []
        for name, record in sorted(expected.items()):
            if not course.in_scope(name):
                continue
            path = source / f"{name}.ipynb"
            if not os.path.lexists(path):
                staged.reasons.append(f"{name}.ipynb is missing: scored 0")
                continue
            loaded = load_submission(path, self.notebook_bytes)
            if loaded.notebook is None:
                staged.reasons.append(f"{loaded.reason}: scored 0")
                continue
            try:
                fixed = normalize(
                    loaded.notebook,
                    trusted_cells(gb, name, course.assignment),
                    gradebook_kernelspec(record.kernelspec, loaded.notebook),
                )
            except Exception as error:  # noqa: BLE001 - a notebook we cannot repair scores 0
                staged.reasons.append(f"{name}.ipynb could not be repaired ({error}): scored 0")
                continue
            staged.notes.extend(f"{name}: {note}" for note in fixed.notes)
            nbformat.write(fixed.notebook, str(target / f"{name}.ipynb"))
            names.append(name)
        return names

    def kernel_files(self, student: str) -> list[tuple[Path, Path]]:
        """What nbgrader's Autograde.init_assignment puts beside the notebook, capped.

        The staged files nbgrader copies (``CourseDirectory.ignore`` left out), then the
        instructor's own files from ``source/`` over them (``Autograde.exclude_overwriting``
        left out), as the kernel would have found them in ``autograded/``.
        """
        course = self.course
        ignore = [*course.coursedir.ignore, "*.ipynb"]
        staged_dir = course.staged(student)
        kept = {Path(p) for p in nbg_utils.find_all_files(str(staged_dir), ignore)}
        files = {rel: path for path, rel in student_files(staged_dir) if path in kept}
        source = Path(
            course.coursedir.format_path(course.coursedir.source_directory, ".", course.assignment)
        )
        exclude = _config_dict(course.config, "exclude_overwriting").get(course.assignment, [])
        masters = {Path(p) for p in nbg_utils.find_all_files(str(source), ignore)}
        for path, rel in student_files(source):
            if path in masters and str(rel) not in exclude:
                files[rel] = path
        capped, total = [], 0
        for rel, path in sorted(files.items()):
            total += path.stat().st_size
            if total > self.disk_bytes:
                break
            capped.append((path, rel))
        return capped

    def sanitize(self, student: str, names: list[str]) -> dict[str, NotebookNode]:
        """nbgrader's sanitize step on the staged notebooks: what Autograde would execute."""
        converter = self.course.converter(student)
        converter._sanitizing = True
        # CheckCellMetadata only checks (it changes nothing): the scoring run's sanitize step
        # checks these same cells, so it is not run twice.
        preprocessors = [
            pp(parent=converter)
            for pp in converter.sanitize_preprocessors
            if pp is not CheckCellMetadata
        ]
        source = converter._format_source(self.course.assignment, student)
        sanitized = {}
        for name in names:
            filename = os.path.join(source, f"{name}.ipynb")
            try:
                resources = converter.init_single_notebook_resources(filename)
                nb = nbformat.read(filename, as_version=4)
                for preprocessor in preprocessors:
                    nb, resources = preprocessor(nb, resources)
            except Exception as error:  # noqa: BLE001 - nbgrader's scoring run will say why
                log.warning("sanitizing %s of %s failed: %s", name, student, error)
                continue
            sanitized[name] = nb
        return sanitized


def gradebook_kernelspec(recorded: str | None, submitted: NotebookNode) -> dict | None:
    """The kernel the gradebook recorded; nbgrader keeps the submitted one when it has none."""
    kernelspec = json.loads(recorded) if recorded else None
    meta = submitted.get("metadata", {})
    meta = meta.get("kernelspec") if isinstance(meta, dict) else None
    if not kernelspec and isinstance(meta, dict):
        name = meta.get("name")
        if isinstance(name, str) and name:
            kernelspec = {
                "name": name,
                "display_name": str(meta.get("display_name", name)),
                "language": str(meta.get("language", "")),
            }
    return kernelspec


def _config_dict(config: Config, name: str) -> dict:
    value = config.Autograde.get(name, {}) if "Autograde" in config else {}
    return value if isinstance(value, dict) else {}
