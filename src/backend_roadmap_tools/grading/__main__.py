"""``python -m backend_roadmap_tools.grading autograde ASSIGNMENT``: safe, parallel autograding.

Run it from the folder that holds ``nbgrader_config.py`` (the repository root), after
``nbgrader generate_assignment ASSIGNMENT`` and ``nbgrader collect``/``zip_collect`` have put
submissions under ``exercises/submitted/<student>/ASSIGNMENT/``.

The command is a traitlets application built on nbgrader's own ``AutogradeApp``: it reads the
same config files and takes the same flags and aliases (``--db``, ``--student``,
``--notebook``, ``--force``/``-f``, ``--create``, ``--course-dir``, ``--Class.trait=value``,
...), plus its own: ``--config-dir``, ``--quiet``, ``--strict`` and one flag per
``SafeAutograde`` setting, named after it (``--workers``, ``--cell-timeout``, ``--disk-mb``,
...; ``--help-all`` lists them). Progress and the summary table are drawn with rich.
``--no-execute`` is refused: scores would come from the student's own saved outputs.

Exit status, as nbgrader's: 0 when every submission got a record (a student's infinite loop,
time-out, crash or missing notebook is a record with its reason, not an error); 1 when some
submission could not be graded at all (status ``error``: kernel not installed, student not in
the gradebook with ``create_student=False``, an internal error) or the run could not start
(assignment not generated, sandbox unavailable), and with ``--strict`` also when some
submission was not fully gradable (status ``failed``); 2 for a command-line mistake.
"""

from __future__ import annotations

import sys

# jsonschema (imported by nbformat) compiles the IRI grammars of its optional dependency
# rfc3987_syntax at import, about 2 s of every run's start-up; nothing the grader does
# validates IRI formats, so that dependency is skipped (as worker.py does), here, before
# anything imports nbformat.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

import logging
import os
import time
import warnings
from pathlib import Path

from jupyter_core.application import JupyterApp
from nbgrader.apps.autogradeapp import AutogradeApp
from nbgrader.apps.autogradeapp import aliases as nbgrader_aliases
from nbgrader.apps.autogradeapp import flags as nbgrader_flags
from nbgrader.converters import Autograde
from nbgrader.preprocessors import Execute
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table
from traitlets import Bool, Integer, List, Unicode, default
from traitlets.config.loader import KVArgParseConfigLoader

from backend_roadmap_tools.grading.batch import (
    Batch,
    NbGraderException,
    Record,
    SafeAutograde,
    config_value,
)


class Progress:
    """A rich progress bar on stderr (one line per submission when stderr is not a terminal)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.console = Console(stderr=True)
        self.started = time.monotonic()
        self.failed = 0
        self.bar: RichProgress | None = None
        self.task = None

    def __call__(self, record: Record | None, total: int, done: int) -> None:
        if self.quiet:
            return
        if record is not None and record.status == "failed":
            self.failed += 1
        if not self.console.is_terminal:
            elapsed = time.monotonic() - self.started
            what = f"  {record.student}: {record.status}" if record else ""
            line = f"{done}/{total} graded, {self.failed} failed, {elapsed:5.1f} s{what}"
            self.console.file.write(line + "\n")
            self.console.file.flush()
            return
        if self.bar is None:
            self.bar = RichProgress(
                TextColumn("grading"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]} failed"),
                TimeElapsedColumn(),
                console=self.console,
            )
            self.bar.start()
            self.task = self.bar.add_task("grading", total=total, failed=0)
        self.bar.update(self.task, completed=done, failed=self.failed)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


STATUS_STYLE = {"ok": "green", "repaired": "cyan", "failed": "yellow", "error": "bold red"}


def summary(records: list[Record]) -> Table:
    """The table of every submission: score, status and what was found."""
    table = Table()
    table.add_column("student")
    table.add_column("score", justify="right")
    table.add_column("status")
    table.add_column("reasons", overflow="fold")
    for r in records:
        reasons = "; ".join(r.reasons) or ("; ".join(r.notes) if r.notes else "")
        table.add_row(
            r.student,
            f"{r.score:g} / {r.max_score:g}",
            f"[{STATUS_STYLE.get(r.status, '')}]{r.status}[/]",
            escape(reasons),
        )
    return table


def totals(records: list[Record], seconds: float, report: Path) -> str:
    counts = {
        s: sum(1 for r in records if r.status == s) for s in ("ok", "repaired", "failed", "error")
    }
    return (
        f"{len(records)} submissions in {seconds:.1f} s: {counts['ok']} graded, "
        f"{counts['repaired']} graded after repairs, {counts['failed']} not fully gradable "
        f"(scored 0 where they could not be checked), {counts['error']} not graded (errors).\n"
        f"Details: {report} (and .csv); nbgrader log: {report.with_suffix('.log')}"
    )


aliases = dict(nbgrader_aliases)
aliases.update(
    {
        "student": "SafeAutogradeApp.students",
        "config-dir": "SafeAutogradeApp.config_dir",
    }
)
# Every SafeAutograde setting is a flag, named after it (``disk_mb``: ``--disk-mb``).
aliases.update(
    {
        name.replace("_", "-"): f"SafeAutograde.{name}"
        for name in sorted(SafeAutograde.class_trait_names(config=True))
    }
)
flags = dict(nbgrader_flags)
flags.update(
    {
        "quiet": (
            {"Application": {"log_level": "CRITICAL"}, "SafeAutogradeApp": {"progress": False}},
            "no progress bar, and log only critical messages",
        ),
        "strict": (
            {"SafeAutogradeApp": {"strict": True}},
            "exit 1 also when some submission could not be graded fully (status failed)",
        ),
        "no-execute": (
            {"Execute": {"enabled": False}, "ClearOutput": {"enabled": False}},
            "refused: the safe grader always re-executes (scores would come from the "
            "student's own saved outputs)",
        ),
    }
)


class StrictLoader(KVArgParseConfigLoader):
    """No abbreviations, and an unknown ``--option`` is an error, not a warning."""

    def _handle_unrecognized_alias(self, arg: str) -> None:
        self.parser.error(f"unrecognized option: --{arg}")


class SafeAutogradeApp(AutogradeApp):
    """nbgrader's ``autograde`` command with each submission graded in its own jail."""

    name = "backend-roadmap-autograde"
    description = "Autograde every submission of an assignment, each in its own sandbox"
    aliases = aliases
    flags = flags

    students = List(
        Unicode(),
        help="grade only these students (globs; repeat --student for several)",
    ).tag(config=True)
    config_dir = Unicode("", help="also read nbgrader_config.py from this folder").tag(config=True)
    progress = Bool(True, help="show a progress bar on stderr").tag(config=True)
    strict = Bool(
        False, help="exit 1 also when a submission was not fully gradable (status failed)"
    ).tag(config=True)
    exit_code = Integer(0)

    @default("classes")
    def _classes_default(self):
        return [*super()._classes_default(), SafeAutograde]

    def _create_loader(self, argv, aliases, flags, classes):
        # argparse would read `--notebook-t 5` or `--note p1` as some other option.
        return StrictLoader(
            argv,
            aliases,
            flags,
            classes=classes,
            log=self.log,
            subcommands=self.subcommands,
            allow_abbrev=False,
        )

    def load_config_file(self, **kwargs) -> None:
        super().load_config_file(**kwargs)
        if self.config_dir:
            # The same call nbgrader makes for the working directory's config file.
            path = os.path.abspath(self.config_dir)
            super(JupyterApp, self).load_config_file(self.config_file_name, path)

    def start(self) -> None:
        # What nbgrader's AutogradeApp.start checks, then the safe batch instead of Autograde.
        super(AutogradeApp, self).start()
        if len(self.extra_args) > 1:
            self.fail("Only one argument (the assignment id) may be specified")
        elif len(self.extra_args) == 1 and self.coursedir.assignment_id != "":
            self.fail("The assignment cannot both be specified in config and as an argument")
        elif len(self.extra_args) == 0 and self.coursedir.assignment_id == "":
            self.fail(
                "An assignment id must be specified, either as an argument or with --assignment"
            )
        elif len(self.extra_args) == 1:
            self.coursedir.assignment_id = self.extra_args[0]
        if not config_value(self.config, Execute, "enabled"):
            self.fail(
                "--no-execute (Execute.enabled=False) is refused: the safe grader scores what "
                "the code does when run, never the outputs saved in a student's notebook. "
                "Use `nbgrader autograde --no-execute` if you really mean to trust them."
            )
        self.exit_code = run_batch(self)
        if self.exit_code:
            sys.exit(self.exit_code)


def run_batch(app: SafeAutogradeApp) -> int:
    """Grade ``app.coursedir.assignment_id``; return the exit status."""
    config = app.config.copy()
    # The app's CourseDirectory (config files, --course-dir, --db, root=...) is the truth.
    for name in app.coursedir.trait_names(config=True):
        setattr(config.CourseDirectory, name, getattr(app.coursedir, name))
    # nbgrader's gradebook logs SAWarning "Object ... not in session" (TOOLCHAIN_NOTES.md);
    # the scores are right, the noise would hide the summary.
    warnings.filterwarnings("ignore", message=".*not in session.*")
    # nbgrader runs the `alembic` script of this environment when it creates a gradebook.
    bindir = os.path.dirname(sys.executable)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    progress = Progress(not app.progress)
    try:
        batch = Batch(
            app.coursedir.assignment_id,
            Path(app.coursedir.root),
            force=bool(config_value(config, Autograde, "force")),
            students=list(app.students) or None,
            on_progress=progress,
            config=config,
        )
    except (OSError, NbGraderException) as error:
        app.log.error("%s", error)
        return 1
    batch.report_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(batch.report_path.with_suffix(".log"), mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    loggers = [logging.getLogger(n) for n in ("backend_roadmap_tools.grading", "nbgrader")]
    saved = [(lg, lg.level, lg.propagate) for lg in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    started = time.monotonic()
    try:
        records = batch.run()
    except NbGraderException as error:
        app.log.error("%s", error)
        return 1
    finally:
        progress.close()
        for logger, level, propagate in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate
        handler.close()
    # Wide enough that a reason stays on one line when the output goes to a file or a pipe.
    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(summary(records))
    print(totals(records, time.monotonic() - started, batch.report_path), flush=True)
    for record in records:
        if record.status == "error":
            app.log.error("%s: not graded: %s", record.student, "; ".join(record.reasons))
    bad = ("error", "failed") if app.strict else ("error",)
    return 1 if any(r.status in bad for r in records) else 0


USAGE = "usage: python -m backend_roadmap_tools.grading autograde ASSIGNMENT [options]"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] != "autograde":
        print(USAGE, file=sys.stderr)
        print("(--help-all after `autograde` lists every option)", file=sys.stderr)
        return 2
    app = SafeAutogradeApp.instance()
    try:
        app.initialize(argv[1:])
        app.start()
    except SystemExit as stop:
        code = stop.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    finally:
        SafeAutogradeApp.clear_instance()
    return app.exit_code


if __name__ == "__main__":
    sys.exit(main())
