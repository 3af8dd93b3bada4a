"""A learner's path through JupyterLab in a real browser (Playwright driving Debian's Chromium).

It starts the learner's lab as `make lab` does (settings from lab/learner), opens the first
exercise set from workspace/, runs it, presses Validate, writes one answer, validates again
and checks that the progress cell's line for that answer changed. Then it opens a chapter and
presses Validate there: a chapter has no graded cells, and Validate says so (issue 11, item 9).
The lab runs on loopback in a temporary folder, so a learner's own workspace/ is never touched.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

from backend_roadmap_tools.book import chromium, launch_browser
from backend_roadmap_tools.lab_validate import NOTHING_TO_VALIDATE
from support import REPO

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ASSIGNMENT = "01_internet_and_networking"
ANSWER = "q3_classify"  # the answer the learner writes (its solution from the source)
NOTEBOOK = f"workspace/{ASSIGNMENT}/{ASSIGNMENT}_exercises.ipynb"
CHAPTER = f"notebooks/{ASSIGNMENT}.ipynb"
LEARNER_NOISE = (
    "Error fetching courses",
    "exchange directory does not exist",
    "Formgrader",
    "Create Assignment",
    "Would you like to get notified",
)
SOLUTION_MARKER = re.compile(r"^[ \t]*### (?:BEGIN|END) SOLUTION[^\n]*\n?", re.M)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """The learner's lab on 127.0.0.1, serving a temporary course folder; yields its URL."""
    if chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run should have installed it")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from backend_roadmap_tools.release import student_copies

    root = tmp_path_factory.mktemp("course")
    student_copies(ASSIGNMENT, root / "workspace" / ASSIGNMENT)
    (root / "notebooks").mkdir()
    shutil.copy(REPO / CHAPTER, root / CHAPTER)
    token, port = secrets.token_hex(16), free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(REPO / "lab" / "learner"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYTHONHASHSEED": "0",
        "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}",
    }
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
        f"--LabApp.user_settings_dir={root / '.settings'}",
        f"--LabApp.workspaces_dir={root / '.workspaces'}",
        "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    log = open(root / "lab.log", "w")  # noqa: SIM115 - closed below, after the server stops
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}api/status?token={token}", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the lab did not start:\n" + (root / "lab.log").read_text())
                time.sleep(0.5)
        yield {"url": url, "token": token, "root": root}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def solution_of(grade_id: str) -> str:
    path = REPO / "exercises" / "source" / ASSIGNMENT / f"{ASSIGNMENT}_exercises.ipynb"
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return SOLUTION_MARKER.sub("", cell.source)
    raise LookupError(grade_id)


RUN_CELL = """async ([index]) => {
    const app = window.jupyterapp;
    const panel = app.shell.currentWidget;
    panel.content.activeCellIndex = index;
    await app.commands.execute("notebook:run-cell");
}"""
LAST_OUTPUT = """() => {
    const cells = window.jupyterapp.shell.currentWidget.content.widgets;
    return cells[cells.length - 1].node.querySelector(".jp-OutputArea")?.innerText ?? "";
}"""


def progress_view(page) -> str:
    cells = page.evaluate("window.jupyterapp.shell.currentWidget.content.widgets.length")
    page.evaluate(RUN_CELL, [cells - 1])
    page.wait_for_function(f"({LAST_OUTPUT})().includes('Visible tests')", timeout=120_000)
    return page.evaluate(LAST_OUTPUT)


def validate(page) -> str:
    page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_timeout(500)
    panel = page.evaluate("window.jupyterapp.shell.currentWidget.id")
    page.locator(f"[id='{panel}']").get_by_role("button", name="Validate").click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(state="visible", timeout=30_000)
    page.wait_for_function(
        "!document.querySelector('.jp-Dialog').innerText.includes('Validating')",
        timeout=180_000,
    )
    text = dialog.inner_text()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden", timeout=10_000)
    return text


def line_of(view: str, label: str) -> str:
    return next(line for line in view.splitlines() if line.strip().startswith(label))


def test_learner_path(lab):
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{lab['url']}lab/tree/{NOTEBOOK}?token={lab['token']}")
        page.wait_for_function(
            "window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel"
            "?.status === 'idle'",
            timeout=120_000,
        )
        # Only what a learner needs: no instructor tools, no exchange errors, no news.
        body = page.inner_text("body")
        for noise in LEARNER_NOISE:
            assert noise not in body, f"the learner's lab shows {noise!r}"

        # Run it as a new learner would: Run All stops at the first unanswered question.
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_timeout(2000)
        before = progress_view(page)
        assert line_of(before, "Q3 classify").split()[2:4] == ["not", "attempted"], before

        first = validate(page)
        assert "failed" in first.lower()

        # Write one answer, run it, and look again.
        cells = page.evaluate(
            """() => window.jupyterapp.shell.currentWidget.content.widgets
                .map(c => c.model.getMetadata('nbgrader')?.grade_id ?? '')"""
        )
        index = cells.index(ANSWER)
        page.evaluate(
            """([index, source]) => window.jupyterapp.shell.currentWidget.content
                .widgets[index].model.sharedModel.setSource(source)""",
            [index, solution_of(ANSWER)],
        )
        page.evaluate(RUN_CELL, [index])
        after = progress_view(page)
        assert line_of(after, "Q3 classify").split()[2:4] == ["passed", "2/2"], after
        assert "BEGIN HIDDEN TESTS" not in after

        second = validate(page)
        assert second != first, "Validate shows the same after a correct answer"

        # A chapter has no graded cells: Validate says so, and never "Success".
        page.evaluate(
            "async ([path]) => { await window.jupyterapp.commands.execute("
            "'docmanager:open', {path}); }",
            [CHAPTER],
        )
        page.wait_for_function(
            f"window.jupyterapp.shell.currentWidget?.context?.path === '{CHAPTER}'"
            " && window.jupyterapp.shell.currentWidget.context.isReady",
            timeout=60_000,
        )
        chapter = validate(page)
        assert NOTHING_TO_VALIDATE in chapter, chapter
        assert "Success" not in chapter, chapter
        browser.close()
    seconds = time.perf_counter() - started
    (REPO / "_build").mkdir(exist_ok=True)
    (REPO / "_build" / "learner_path.json").write_text(json.dumps({"seconds": seconds}))
