"""The instructor's side: nbgrader preprocessors and grading helpers that keep grading safe.

The package imports nothing eagerly (``HideHiddenTests`` is loaded on first use), so that
``python -m backend_roadmap_tools.grading`` can set its import guard in ``__main__`` before
anything imports nbformat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backend_roadmap_tools.grading.feedback import HideHiddenTests

__all__ = ["HideHiddenTests"]


def __getattr__(name: str):
    if name == "HideHiddenTests":
        from backend_roadmap_tools.grading.feedback import HideHiddenTests

        return HideHiddenTests
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
