"""Issue 11, item 9: Validate on a chapter notebook must not say "Success".

The course's jupyter_server extension (backend_roadmap_tools.lab_validate) answers
/assignments/validate in both labs: a notebook with no graded cells gets an honest message,
anything else goes to nbgrader's own handler. The browser test of the learner's path presses
Validate on a chapter in the real lab; these tests check the logic and the labs' settings.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from types import SimpleNamespace
from unittest.mock import Mock

import nbformat
import pytest
import tornado.httputil
import tornado.web
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from nbgrader.server_extensions.validate_assignment.handlers import (
    NbGraderVersionHandler,
    ValidateAssignmentHandler,
)

from backend_roadmap_tools import lab_validate
from backend_roadmap_tools.lab_validate import (
    NOTHING_TO_VALIDATE,
    ValidateHandler,
    nothing_to_validate,
)
from support import REPO

CHAPTER = "notebooks/01_internet_and_networking.ipynb"
ASSIGNMENT = "01_internet_and_networking"
EXERCISE = f"exercises/source/{ASSIGNMENT}/{ASSIGNMENT}_exercises.ipynb"
EXTENSION = "backend_roadmap_tools.lab_validate"
NBGRADER_VALIDATE = "nbgrader.server_extensions.validate_assignment"


def nbgrader_cell(cell, **metadata):
    cell.metadata["nbgrader"] = {
        "schema_version": 3,
        "locked": False,
        "solution": False,
        "grade": False,
        "task": False,
        **metadata,
    }
    return cell


def write(folder, name, cells):
    path = folder / name
    nbformat.write(new_notebook(cells=cells), path)
    return name


def request(path="/assignments/validate"):
    start = tornado.httputil.RequestStartLine("POST", path, "HTTP/1.1")
    headers = tornado.httputil.HTTPHeaders({"Host": "127.0.0.1"})
    return tornado.httputil.HTTPServerRequest(start_line=start, headers=headers, connection=Mock())


def handler(root):
    app = tornado.web.Application([], root_dir=str(root), base_url="/")
    return ValidateHandler(app, request())


def test_a_chapter_has_nothing_to_validate():
    assert nothing_to_validate(REPO, CHAPTER)


def test_an_exercise_set_has_something_to_validate():
    assert not nothing_to_validate(REPO, EXERCISE)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ([], True),
        ([new_markdown_cell("# Notes"), new_code_cell("x = 1")], True),
        # nbgrader cells that it does not grade: an answer cell and a read-only cell
        ([nbgrader_cell(new_code_cell("x = 1"), solution=True, grade_id="a")], True),
        ([nbgrader_cell(new_code_cell("import os"), locked=True, grade_id="i")], True),
        # a test cell, and a manually graded answer (markdown, solution and grade)
        ([nbgrader_cell(new_code_cell("assert x"), grade=True, grade_id="t", points=1)], False),
        (
            [
                nbgrader_cell(
                    new_markdown_cell("?"), solution=True, grade=True, grade_id="m", points=2
                )
            ],
            False,
        ),
    ],
    ids=["empty", "plain", "answer-only", "locked-only", "test-cell", "manual-answer"],
)
def test_only_a_notebook_without_graded_cells_has_nothing_to_validate(tmp_path, cells, expected):
    assert nothing_to_validate(tmp_path, write(tmp_path, "n.ipynb", cells)) is expected


def test_what_is_not_a_notebook_of_the_lab_is_left_to_nbgrader(tmp_path):
    (tmp_path / "lab").mkdir()
    write(tmp_path, "outside.ipynb", [])
    (tmp_path / "lab" / "broken.ipynb").write_text("{not json")
    (tmp_path / "lab" / "folder.ipynb").mkdir()
    root = tmp_path / "lab"
    for path in ["../outside.ipynb", "missing.ipynb", "broken.ipynb", "folder.ipynb"]:
        assert not nothing_to_validate(root, path), path


def test_the_handler_answers_a_chapter_honestly(tmp_path, monkeypatch):
    called = []
    monkeypatch.setattr(
        ValidateAssignmentHandler, "validate_notebook", lambda self, path: called.append(path)
    )
    name = write(tmp_path, "chapter.ipynb", [new_markdown_cell("# 01"), new_code_cell("1")])
    answer = handler(tmp_path).validate_notebook(name)
    assert answer == {"success": False, "value": NOTHING_TO_VALIDATE}
    assert called == [], "nbgrader ran a notebook that has nothing to validate"
    # What JupyterLab shows under "There was an error running the validate command:"
    assert "no graded cells" in answer["value"]
    assert "Success" not in answer["value"]
    assert all(len(line) <= 60 for line in answer["value"].splitlines())


def test_the_handler_gives_nbgrader_every_other_notebook(tmp_path, monkeypatch):
    sentinel = {"success": True, "value": {"failed": ["as nbgrader says"]}}
    called = []

    def nbgrader(self, path):
        called.append(path)
        return sentinel

    monkeypatch.setattr(ValidateAssignmentHandler, "validate_notebook", nbgrader)
    graded = write(
        tmp_path,
        "set.ipynb",
        [nbgrader_cell(new_code_cell("assert 1"), grade=True, grade_id="t", points=1)],
    )
    for path in [graded, "missing.ipynb", "../elsewhere.ipynb"]:
        assert handler(tmp_path).validate_notebook(path) is sentinel
    assert called == [graded, "missing.ipynb", "../elsewhere.ipynb"]


def load_extensions(*modules):
    app = tornado.web.Application([], base_url="/")
    serverapp = SimpleNamespace(web_app=app, root_dir="/course", log=logging.getLogger("t"))
    for module in modules:
        module._load_jupyter_server_extension(serverapp)
    return app


def handler_for(app, path):
    return app.find_handler(request(path)).handler_class


def test_the_extension_serves_validate_and_the_version_check():
    app = load_extensions(lab_validate)
    assert app.settings["root_dir"] == "/course"
    assert handler_for(app, "/assignments/validate") is ValidateHandler
    assert handler_for(app, "/nbgrader_version") is NbGraderVersionHandler
    assert lab_validate._jupyter_server_extension_points() == [{"module": EXTENSION}]


def test_the_extension_wins_if_nbgrader_validate_is_loaded_too():
    """jupyter_server loads extensions sorted by name, and tornado takes the first match."""
    from nbgrader.server_extensions import validate_assignment

    assert sorted([EXTENSION, NBGRADER_VALIDATE])[0] == EXTENSION
    nbgrader_handlers = validate_assignment.handlers
    app = tornado.web.Application([], base_url="/")
    serverapp = SimpleNamespace(web_app=app, root_dir="/course", log=logging.getLogger("t"))
    lab_validate._load_jupyter_server_extension(serverapp)
    nbgrader_handlers.load_jupyter_server_extension(serverapp)
    assert handler_for(app, "/assignments/validate") is ValidateHandler


@pytest.mark.parametrize("audience", ["learner", "instructor"])
def test_both_labs_use_the_course_validate(audience):
    config = json.loads((REPO / "lab" / audience / "jupyter_server_config.json").read_text())
    extensions = config["ServerApp"]["jpserver_extensions"]
    assert extensions[EXTENSION] is True
    assert extensions[NBGRADER_VALIDATE] is False


# -- the real thing: nbgrader's answer for an exercise is unchanged, and each lab serves it --


@pytest.mark.slow
def test_an_exercise_gets_exactly_nbgraders_answer(tmp_path):
    from backend_roadmap_tools.release import student_copies

    student_copies(ASSIGNMENT, tmp_path / ASSIGNMENT)
    path = f"{ASSIGNMENT}/{ASSIGNMENT}_exercises.ipynb"
    app = tornado.web.Application([], root_dir=str(tmp_path), base_url="/")
    ours = ValidateHandler(app, request()).validate_notebook(path)
    theirs = ValidateAssignmentHandler(app, request()).validate_notebook(path)
    assert ours == theirs
    assert ours["success"] is True and ours["value"]["failed"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post(url):
    with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=60) as r:
        return json.load(r)


@pytest.mark.slow
@pytest.mark.parametrize("audience", ["learner", "instructor"])
def test_each_lab_answers_validate_on_a_chapter_honestly(tmp_path, audience):
    """The server as `make lab` / `make lab-instructor` configure it (no browser)."""
    (tmp_path / "notebooks").mkdir()
    shutil.copy(REPO / CHAPTER, tmp_path / CHAPTER)
    token, port = secrets.token_hex(16), free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(REPO / "lab" / audience),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "server",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={tmp_path}",
        f"--IdentityProvider.token={token}",
    ]
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}api/status?token={token}", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log_text = (tmp_path / "server.log").read_text()
                    pytest.fail(f"the server did not start:\n{log_text}")
                time.sleep(0.3)
        answer = post(f"{url}assignments/validate?path={CHAPTER}&token={token}")
        assert answer == {"success": False, "value": NOTHING_TO_VALIDATE}
        with urllib.request.urlopen(f"{url}nbgrader_version?version=0&token={token}") as r:
            assert json.load(r)["success"] is False  # nbgrader's version check still answers
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
