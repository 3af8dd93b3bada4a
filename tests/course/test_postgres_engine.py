"""The database chapters on PostgreSQL: the same cells, with DATABASE_URL naming a real server.

The committed outputs come from the default run (SQLite for `db`). Here each chapter runs again
with `DATABASE_URL` pointing at an embedded PostgreSQL, and every output is compared strictly
with the committed one, except in cells whose output differs by design:

- cells tagged `nbval-ignore-output` show measured times (ratios), different on every run;
- cells tagged `depends-on-engine` print what only the engine decides (listed with the
  reason in ENGINE_DEPENDENT below).

The solved exercise sets run against PostgreSQL too: every test cell must pass, which is what
full marks from the autograder mean.
"""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from backend_roadmap import embedded_postgres_available, postgres_server
from support import REPO

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not embedded_postgres_available(), reason="no embedded PostgreSQL"),
]

CHAPTERS = ["04_sql", "06_orms_and_data_access"]
#: A cell tagged `depends-on-engine` must be listed here, by its first line, with the reason.
ENGINE_DEPENDENT: dict[str, str] = {}


def text_outputs(cell) -> str:
    """Everything a cell printed or returned, as text (how the kernel split streams aside)."""
    found = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            found.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            found.append(output.data.get("text/plain", ""))
        elif output.output_type == "error":
            found.append(f"{output.ename}: {output.evalue}")
    return "".join(found)


def execute(path, monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        coalesce_streams=True,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    return notebook


@pytest.mark.parametrize("stem", CHAPTERS)
def test_chapter_gives_the_same_outputs_on_postgresql(stem, monkeypatch):
    path = REPO / "notebooks" / f"{stem}.ipynb"
    committed = nbformat.read(path, as_version=4)
    with postgres_server() as pg:
        executed = execute(path, monkeypatch, pg.url)
    differences = []
    for number, (before, after) in enumerate(zip(committed.cells, executed.cells, strict=True)):
        if before.cell_type != "code":
            continue
        tags = before.metadata.get("tags", [])
        if "nbval-ignore-output" in tags:
            continue
        if "depends-on-engine" in tags:
            assert before.source.splitlines()[0] in ENGINE_DEPENDENT, (number, before.source)
            continue
        if text_outputs(before) != text_outputs(after):
            differences.append((number, text_outputs(before), text_outputs(after)))
    assert not differences, differences


@pytest.mark.parametrize("stem", CHAPTERS)
def test_solved_exercises_pass_every_test_on_postgresql(stem, monkeypatch):
    path = REPO / "exercises" / "source" / stem / f"{stem}_exercises.ipynb"
    with postgres_server() as pg:
        executed = execute(path, monkeypatch, pg.url)
    errors = [
        (cell.metadata.get("nbgrader", {}).get("grade_id"), text_outputs(cell))
        for cell in executed.cells
        if cell.cell_type == "code" and any(o.output_type == "error" for o in cell.outputs)
    ]
    assert not errors
