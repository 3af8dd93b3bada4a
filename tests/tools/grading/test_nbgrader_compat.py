"""`make grade` behaves as ``nbgrader autograde`` where it should (issue 18), one test each.

The fast tests check the command line (nbgrader's flags and aliases, ``--Class.trait=value``,
no abbreviations, ``--no-execute`` refused). The slow ones grade one small course twice: a
notebook with its own kernel, a test cell whose ``locked`` flag is unset in the source, a cell
that writes a file, an excluded student, a folder of an unknown student with
``create_student=False``, and an infinite loop.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.converters import Autograde
from nbgrader.preprocessors import Execute

from backend_roadmap_tools.grading.__main__ import SafeAutogradeApp, main
from backend_roadmap_tools.grading.batch import SafeAutograde, config_value
from backend_roadmap_tools.grading.normalize import TrustedCell, normalize

BIN = Path(sys.executable).parent


def parse(argv: list[str], tmp_path: Path, monkeypatch) -> SafeAutogradeApp:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    app = SafeAutogradeApp()
    app.initialize(argv)
    return app


# -- the command line (regressions 5, 7, 8, 9) ------------------------------------------------


def test_nbgrader_flags_and_aliases_are_accepted(tmp_path, monkeypatch):
    app = parse(
        [
            "ps1",
            "--db",
            "sqlite:///x.db",
            "-f",
            "--create",
            "--notebook",
            "p1",
            "--Execute.timeout=5",
            "--CourseDirectory.student_id_exclude=bar,baz",
        ],
        tmp_path,
        monkeypatch,
    )
    assert app.extra_args == ["ps1"]
    assert app.coursedir.db_url == "sqlite:///x.db"
    assert app.coursedir.notebook_id == "p1"
    assert app.coursedir.student_id_exclude == "bar,baz"
    assert config_value(app.config, Execute, "timeout") == 5
    assert config_value(app.config, Autograde, "create_student") is True
    assert config_value(app.config, Autograde, "force") is True
    # `--notebook p1` is the notebook filter, never `--notebook-timeout`.
    assert "notebook_timeout" not in app.config.SafeAutograde


def test_own_options_still_work(tmp_path, monkeypatch):
    app = parse(
        [
            "ps1",
            "--workers",
            "3",
            "--cell-timeout",
            "4",
            "--notebook-timeout",
            "60",
            "--memory-mb",
            "512",
            "--student",
            "alice",
            "--student",
            "bob",
            "--force",
            "--quiet",
        ],
        tmp_path,
        monkeypatch,
    )
    assert dict(app.config.SafeAutograde) == {
        "workers": 3,
        "cell_timeout": 4,
        "notebook_timeout": 60,
        "memory_mb": 512,
    }
    assert app.students == ["alice", "bob"]
    assert app.progress is False


def test_every_setting_is_a_flag_listed_by_help_all(tmp_path, monkeypatch):
    """Each ``SafeAutograde`` setting has its own ``--name-with-dashes`` flag (as nbgrader's
    apps expose theirs), ``--help-all`` lists it with its help, and it sets the setting."""
    settings = sorted(SafeAutograde.class_trait_names(config=True))
    assert len(settings) >= 18
    shown = subprocess.run(
        [sys.executable, "-m", "backend_roadmap_tools.grading", "autograde", "--help-all"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    ).stdout
    argv = ["ps1"]
    expected = {}
    for index, name in enumerate(settings):
        flag = "--" + name.replace("_", "-")
        trait = SafeAutograde.class_traits()[name]
        assert f"\n{flag}=" in shown, flag
        assert trait.help in shown, flag
        assert f"Equivalent to: [--SafeAutograde.{name}]" in shown, flag
        value = index + 2 if isinstance(trait.default_value, int) else index + 0.5
        argv += [flag, str(value)]
        expected[name] = value
    app = parse(argv, tmp_path, monkeypatch)
    assert dict(app.config.SafeAutograde) == expected
    settings_seen = SafeAutograde(config=app.config)
    assert {name: getattr(settings_seen, name) for name in settings} == expected


def test_config_dir_is_read(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "nbgrader_config.py").write_text("c = get_config()\nc.SafeAutograde.workers = 7\n")
    app = parse(["ps1", "--config-dir", str(elsewhere)], tmp_path, monkeypatch)
    assert config_value(app.config, SafeAutograde, "workers") == 7


@pytest.mark.parametrize(
    "argv", [["ps1", "--note", "p1"], ["ps1", "--notebook-t", "5"], ["ps1", "--stud", "alice"]]
)
def test_abbreviations_and_unknown_options_are_errors(argv, tmp_path, monkeypatch):
    with pytest.raises(SystemExit) as stop:
        parse(argv, tmp_path, monkeypatch)
    assert stop.value.code == 2


def test_autogradeapp_permissions_reach_the_converter(tmp_path, monkeypatch):
    app = parse(["ps1", "--AutogradeApp.permissions=644"], tmp_path, monkeypatch)
    assert int(app.config.Autograde.permissions) == 644


@pytest.mark.parametrize("flag", ["--no-execute", "--Execute.enabled=False"])
def test_no_execute_is_refused_with_a_message(flag, tmp_path, monkeypatch, capfd):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(tmp_path)!r}\n"
    )
    assert main(["autograde", "ps1", flag]) == 1
    assert "refused" in capfd.readouterr().err


def test_usage_error_is_exit_2(capfd):
    assert main([]) == 2
    assert main(["grade", "ps1"]) == 2


# -- normalize: the locked flag (regression 4) ---------------------------------------------


def cell(grade_id: str, source: str, **flags) -> dict:
    meta = {"grade": False, "solution": False, "locked": False, "schema_version": 3}
    meta.update(flags, grade_id=grade_id)
    return new_code_cell(source, metadata={"nbgrader": meta})


def test_locked_flag_of_test_and_answer_cells_is_not_a_repair():
    # In the order generate_assignment recorded them (normalize restores that order).
    trusted = [
        TrustedCell("setup", "code", "import math", None, True, False, False, False, None),
        TrustedCell("answer", "code", "x = 1", None, False, False, True, False, None),
        TrustedCell("tests", "code", "assert x == 1", None, True, True, False, False, 1.0),
    ]
    # The release marks test cells locked; a source may not, and old copies may differ.
    for test_locked in (True, False):
        nb = new_notebook(
            cells=[
                cell("setup", "import math", locked=True),
                cell("answer", "x = 1", solution=True, locked=test_locked),
                cell("tests", "assert x == 1", grade=True, points=1, locked=test_locked),
            ]
        )
        assert normalize(nb, trusted, None).notes == []
    # A read-only cell unlocked by hand is still reported.
    nb = new_notebook(
        cells=[
            cell("setup", "import math"),
            cell("answer", "x = 1", solution=True),
            cell("tests", "assert x == 1", grade=True, points=1),
        ]
    )
    assert any("locked" in note for note in normalize(nb, trusted, None).notes)


# -- grading a small course (regressions 1, 2, 3, 4, 6, 9) --------------------------------

KERNEL = "course-kernel"


def source_notebook() -> nbformat.NotebookNode:
    nb = new_notebook(
        cells=[
            cell("answer", "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION", solution=True),
            # `locked` left unset on purpose: nbgrader treats test cells as locked anyway.
            cell("test_answer", "assert answer == 42", grade=True, points=1),
            cell("test_kernel", f"assert KERNEL_TAG == {KERNEL!r}", grade=True, points=1),
            new_code_cell('with open("side-effect.txt", "w") as f:\n    f.write("written")'),
        ]
    )
    nb.metadata.kernelspec = {"name": KERNEL, "display_name": "Course", "language": "python"}
    return nb


def submission(release: Path, answer: str) -> nbformat.NotebookNode:
    nb = nbformat.read(str(release), as_version=4)
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade_id") == "answer":
            c.source = answer
    return nb


def run(root: Path, *args: str) -> int:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return main(["autograde", "ps1", "--workers", "1", "--quiet", *args])
    finally:
        os.chdir(cwd)


def students_in_gradebook(root: Path) -> set[str]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'course' / 'gradebook.db'}") as gb:
        return {s.id for s in gb.students}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("compat")
    old_env = dict(os.environ)
    # A kernel of the course's own, found through JUPYTER_PATH as nbgrader would find it.
    kernel_dir = root / "jupyter" / "kernels" / KERNEL
    kernel_dir.mkdir(parents=True)
    argv = [
        sys.executable,
        "-m",
        "ipykernel_launcher",
        "-f",
        "{connection_file}",
        f"--IPKernelApp.exec_lines=KERNEL_TAG = {KERNEL!r}",
    ]
    (kernel_dir / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "Course", "language": "python"})
    )
    os.environ["JUPYTER_PATH"] = str(root / "jupyter")
    os.environ["PATH"] = str(BIN) + os.pathsep + os.environ.get("PATH", "")
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root / 'course')!r}\n"
        "c.Execute.timeout = 10\n"
    )
    try:
        source = root / "course" / "source" / "ps1"
        source.mkdir(parents=True)
        nbformat.write(source_notebook(), str(source / "p1.ipynb"))
        for command in (["db", "student", "add", "honest"], ["generate_assignment", "ps1"]):
            subprocess.run(
                [str(BIN / "nbgrader"), *command], cwd=root, check=True, capture_output=True
            )
        release = root / "course" / "release" / "ps1" / "p1.ipynb"
        for student, answer in (
            ("honest", "answer = 42"),
            ("excluded", "answer = 42"),
            ("stranger", "answer = 42"),
            ("looping", "while True:\n    pass"),
        ):
            folder = root / "course" / "submitted" / student / "ps1"
            folder.mkdir(parents=True)
            nbformat.write(submission(release, answer), str(folder / "p1.ipynb"))
        first = run(
            root,
            "--Autograde.create_student=False",
            "--CourseDirectory.student_id_exclude=excluded,looping",
        )
        after_first = students_in_gradebook(root)
        second = run(root, "--student", "looping", "--cell-timeout", "3")
        report = json.loads((root / "course" / "grading_reports" / "ps1.json").read_text())
        yield {
            "root": root,
            "first": first,
            "second": second,
            "after_first": after_first,
            "report": report["students"],
        }
    finally:
        os.environ.clear()
        os.environ.update(old_env)


@pytest.mark.slow
def test_the_notebooks_kernel_runs_it(course):
    honest = course["report"]["honest"]
    assert (honest["score"], honest["max_score"]) == (2.0, 2.0), honest


@pytest.mark.slow
def test_an_untouched_release_copy_is_not_repaired(course):
    honest = course["report"]["honest"]
    assert honest["status"] == "ok", honest


@pytest.mark.slow
def test_excluded_students_get_no_record(course):
    assert "excluded" not in course["after_first"]
    assert "excluded" not in course["report"]


@pytest.mark.slow
def test_create_student_false_is_honoured(course):
    assert course["after_first"] == {"honest"}
    stranger = course["report"]["stranger"]
    assert stranger["status"] == "error"
    assert "create_student" in " ".join(stranger["reasons"])
    assert not (course["root"] / "course" / "autograded" / "stranger").exists()
    assert course["first"] == 1  # a submission without a record: nbgrader's exit status


@pytest.mark.slow
def test_files_written_while_graded_reach_autograded(course):
    course_dir = course["root"] / "course"
    written = course_dir / "autograded" / "honest" / "ps1" / "side-effect.txt"
    assert written.read_text() == "written"
    assert not (course_dir / "submitted" / "honest" / "ps1" / "side-effect.txt").exists()


@pytest.mark.slow
def test_a_students_infinite_loop_is_a_record_and_exit_0(course):
    looping = course["report"]["looping"]
    assert looping["status"] == "failed", looping
    assert looping["score"] < looping["max_score"]
    assert course["second"] == 0
