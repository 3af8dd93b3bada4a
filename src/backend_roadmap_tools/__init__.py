"""The course's own tools: grading, feedback, student copies, the book and the learner's workspace.

Notebooks and exercises never import this package; they import only ``backend_roadmap``.
Instructors and contributors reach it through the Makefile and ``python -m``.
"""

from pathlib import Path

#: The repository's root folder (this package lives in ``src/`` of an editable install).
REPO_ROOT = Path(__file__).resolve().parents[2]
