"""The instructor's side: nbgrader preprocessors and grading helpers that keep grading safe."""

from backend_roadmap_tools.grading.feedback import HideHiddenTests

__all__ = ["HideHiddenTests"]
