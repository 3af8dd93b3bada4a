"""``python -m backend_roadmap_tools.grading autograde ASSIGNMENT``: safe, parallel autograding.

Run it from the folder that holds ``nbgrader_config.py`` (the repository root), after
``nbgrader generate_assignment ASSIGNMENT`` and ``nbgrader collect``/``zip_collect`` have put
submissions under ``exercises/submitted/<student>/ASSIGNMENT/``. Exit status: 0 when every
submission was graded, 1 when some could not be graded fully (each has a recorded reason),
2 for a usage or set-up error.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import warnings
from pathlib import Path

from backend_roadmap_tools.grading.batch import Batch, NbGraderException, Record


class Progress:
    """A progress bar on stderr (one line per submission when stderr is not a terminal)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.started = time.monotonic()
        self.failed = 0

    def __call__(self, record: Record | None, total: int, done: int) -> None:
        if self.quiet:
            return
        if record is not None and record.status == "failed":
            self.failed += 1
        elapsed = time.monotonic() - self.started
        width = 30
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "." * (width - filled)
        line = f"[{bar}] {done}/{total} graded, {self.failed} failed, {elapsed:5.1f} s"
        if self.tty:
            sys.stderr.write("\r" + line + ("\n" if done == total else ""))
        else:
            what = f"  {record.student}: {record.status}" if record else ""
            sys.stderr.write(line + what + "\n")
        sys.stderr.flush()


def summary(records: list[Record], seconds: float, report: Path) -> str:
    lines = []
    width = max([len(r.student) for r in records] + [7])
    lines.append(f"{'student':<{width}}  {'score':>11}  status    reasons")
    for r in records:
        reasons = "; ".join(r.reasons) or ("; ".join(r.notes) if r.notes else "")
        lines.append(
            f"{r.student:<{width}}  {r.score:5g} / {r.max_score:<3g}  {r.status:<8}  {reasons}"
        )
    counts = {s: sum(1 for r in records if r.status == s) for s in ("ok", "repaired", "failed")}
    lines.append(
        f"{len(records)} submissions in {seconds:.1f} s: {counts['ok']} graded, "
        f"{counts['repaired']} graded after repairs, {counts['failed']} not fully gradable "
        f"(scored 0 where they could not be checked)."
    )
    lines.append(f"Details: {report} (and .csv); nbgrader log: {report.with_suffix('.log')}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend_roadmap_tools.grading")
    commands = parser.add_subparsers(dest="command", required=True)
    auto = commands.add_parser("autograde", help="autograde every submission of an assignment")
    auto.add_argument("assignment")
    auto.add_argument(
        "--workers", type=int, default=0, help="parallel submissions (default: cores)"
    )
    auto.add_argument("--student", action="append", help="only this student (repeatable)")
    auto.add_argument("--force", action="store_true", help="regrade submissions already graded")
    auto.add_argument("--config-dir", default=".", help="folder of nbgrader_config.py (default: .)")
    auto.add_argument("--quiet", action="store_true", help="no progress bar")
    auto.add_argument("--cell-timeout", type=int, help="seconds per cell (default Execute.timeout)")
    auto.add_argument("--notebook-timeout", type=int, help="seconds per notebook (default 300)")
    auto.add_argument("--memory-mb", type=int, help="kernel address space in MiB (default 1024)")
    args = parser.parse_args(argv)

    overrides = {
        key: value
        for key, value in (
            ("cell_timeout", args.cell_timeout),
            ("notebook_timeout", args.notebook_timeout),
            ("memory_mb", args.memory_mb),
        )
        if value
    }
    # nbgrader's gradebook logs SAWarning "Object ... not in session" (TOOLCHAIN_NOTES.md);
    # the scores are right, the noise would hide the summary.
    warnings.filterwarnings("ignore", message=".*not in session.*")
    # nbgrader runs the `alembic` script of this environment when it creates a gradebook.
    bindir = os.path.dirname(sys.executable)
    os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    progress = Progress(args.quiet)
    try:
        batch = Batch(
            args.assignment,
            Path(args.config_dir).resolve(),
            workers=args.workers or None,
            force=args.force,
            students=args.student,
            overrides=overrides,
            on_progress=progress,
        )
    except (OSError, NbGraderException) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    batch.report_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(batch.report_path.with_suffix(".log"), mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    for name in ("traitlets", "backend_roadmap_tools.grading", "nbgrader"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    started = time.monotonic()
    try:
        records = batch.run()
    except NbGraderException as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(summary(records, time.monotonic() - started, batch.report_path))
    return 1 if any(r.status == "failed" for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())
