"""nbgrader's Validate in the course's lab, honest about notebooks that have nothing to check.

nbgrader's Validate runs a notebook and lists the graded cells that fail; when none fails,
JupyterLab shows "Success! Your notebook passes all the tests." A chapter has no graded
cells, so Validate on a chapter said "Success" without checking anything. This jupyter_server
extension answers ``/assignments/validate`` in place of nbgrader's ``validate_assignment``
extension: a notebook with no graded cells gets a message that says so, in the shape nbgrader
uses for any notebook it cannot validate (``success: false``, shown under "There was an error
running the validate command:"); every other request goes to nbgrader's own handler
unchanged, so exercise notebooks keep their real pass and fail messages.

Both labs load it: ``lab/learner`` and ``lab/instructor`` (``jupyter_server_config.json``)
turn nbgrader's ``validate_assignment`` off and this module on. It also serves
``/nbgrader_version``, which the Validate button asks first.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.server_extensions.validate_assignment.handlers import (
    NbGraderVersionHandler,
    ValidateAssignmentHandler,
)
from nbgrader.utils import is_grade

#: What Validate says about a notebook with no graded cells (a chapter). JupyterLab shows it
#: in a <pre>, so its lines are kept short.
NOTHING_TO_VALIDATE = """\
Nothing to validate: this notebook has no graded cells.
Validate checks the exercise notebooks in workspace/.
To check this chapter, run its cells
(Kernel > Restart Kernel and Run All Cells)."""


def has_graded_cells(notebook: nbformat.NotebookNode) -> bool:
    """Whether nbgrader grades any cell of `notebook` (a test cell or a graded answer)."""
    return any(is_grade(cell) for cell in notebook.cells)


def nothing_to_validate(root: str | Path, path: str) -> bool:
    """Whether `path` (relative to the lab's `root`) is a notebook with no graded cells.

    False for anything else, so nbgrader answers it as it always does: a path outside the
    root, a file that is missing or is not a notebook, and every notebook with graded cells.
    """
    base = Path(root).resolve()
    target = (base / path).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        return False
    try:
        notebook = nbformat.read(target, as_version=nbformat.NO_CONVERT)
        return not has_graded_cells(notebook)
    except Exception:  # noqa: BLE001 - any unreadable file is nbgrader's to report
        return False


class ValidateHandler(ValidateAssignmentHandler):
    """nbgrader's handler, except that a notebook with no graded cells is not "Success"."""

    def validate_notebook(self, path: str) -> dict:
        if nothing_to_validate(self.root_dir, path):
            self.log.info("Validate: %s has no graded cells, nothing to validate", path)
            return {"success": False, "value": NOTHING_TO_VALIDATE}
        return super().validate_notebook(path)


HANDLERS = [
    (r"/assignments/validate", ValidateHandler),
    (r"/nbgrader_version", NbGraderVersionHandler),
]


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp) -> None:
    """Register the handlers, as nbgrader's validate_assignment extension does its own."""
    from jupyter_server.utils import url_path_join

    webapp = serverapp.web_app
    webapp.settings["root_dir"] = serverapp.root_dir
    base_url = webapp.settings["base_url"]
    webapp.add_handlers(
        ".*$", [(url_path_join(base_url, pattern), handler) for pattern, handler in HANDLERS]
    )
    serverapp.log.info("Validate: the course's handler answers /assignments/validate")
