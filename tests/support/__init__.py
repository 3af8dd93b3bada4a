"""What several test files need: the repository's paths, the course's nbgrader settings and
the hidden-test markers. Imported as ``support`` (``pythonpath = ["tests"]`` in pyproject)."""

from __future__ import annotations

from pathlib import Path

from backend_roadmap_tools.release import nbgrader_config, put_environment_on_path

REPO = Path(__file__).resolve().parents[2]
NBGRADER_CONFIG = REPO / "nbgrader_config.py"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"


def visible_part(source: str) -> str:
    """A test cell's source without its hidden tests (what a learner's copy shows)."""
    out, rest = [], source
    while HIDDEN_BEGIN in rest:
        before, rest = rest.split(HIDDEN_BEGIN, 1)
        out.append(before)
        rest = rest.split(HIDDEN_END, 1)[1] if HIDDEN_END in rest else ""
    out.append(rest)
    return "".join(out)


__all__ = [
    "HIDDEN_BEGIN",
    "HIDDEN_END",
    "NBGRADER_CONFIG",
    "REPO",
    "SOLUTION_BEGIN",
    "SOLUTION_END",
    "nbgrader_config",
    "put_environment_on_path",
    "visible_part",
]
