"""The per-assignment record: ``<course>/grading_reports/<assignment>.json`` (and ``.csv``).

For every student: the status, score, reasons and notes, the seconds taken, and a fingerprint
of the submitted files. A re-run skips a submission that is unchanged and already recorded
(nbgrader's own skip rule, the autograded copy exists, plus the fingerprint; ``--force``
regrades), so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from backend_roadmap_tools.grading.stage import Course

REPORTS = "grading_reports"


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


class Report:
    """Load, update and save the record; decide which submissions are already graded."""

    def __init__(self, course: Course, force: bool) -> None:
        self.course = course
        self.force = force
        self.directory = course.root / REPORTS
        self.path = self.directory / f"{course.assignment}.json"
        self.records: dict[str, dict] = {}

    def load(self) -> None:
        try:
            self.records = json.loads(self.path.read_text())["students"]
        except (OSError, ValueError, KeyError, TypeError):
            self.records = {}

    def add(self, record: Record) -> None:
        self.records[record.student] = asdict(record)
        self.save()

    def save(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        data = {
            "assignment": self.course.assignment,
            "students": dict(sorted(self.records.items())),
        }
        temporary = self.path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(data, indent=1))
        os.replace(temporary, self.path)
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
        temporary = self.path.with_suffix(".csv.tmp")
        temporary.write_text(out.getvalue())
        os.replace(temporary, self.path.with_suffix(".csv"))

    def up_to_date(self, student: str) -> Record | None:
        """The recorded result when nbgrader would skip it (the autograded copy exists) and the
        submission is unchanged; None when it must be graded."""
        old = self.records.get(student)
        if self.force or not old or old.get("status") == "error":
            return None
        course = self.course
        dest = course.autograded(student)
        if not dest.is_dir():
            return None
        source = course.submitted(student)
        if course.notebook_glob != "*":
            wanted = [p.stem for p in source.glob("*.ipynb") if course.in_scope(p.stem)]
            if any(not (dest / f"{name}.ipynb").is_file() for name in wanted):
                return None
        if old.get("fingerprint") != fingerprint(source):
            return None
        try:
            return Record(**old)
        except TypeError:
            return None
