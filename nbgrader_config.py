"""nbgrader configuration for the course. Run nbgrader commands and formgrader from this folder.

The course directory is ``exercises/``: ``source/`` is committed; ``release/``, ``submitted/``,
``autograded/``, ``feedback/`` and ``gradebook.db`` are generated or student data, and
.gitignore keeps them out of git.
"""

from pathlib import Path

c = get_config()

c.CourseDirectory.root = str(Path(__file__).resolve().parent / "exercises")
c.CourseDirectory.course_id = "backend-roadmap"

# Grading limits. A cell that runs longer than this is stopped and its tests score 0.
c.Execute.timeout = 30
c.Execute.startup_timeout = 60
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Feedback shows which tests failed, never the source or traceback of a hidden test.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "backend_roadmap_tools.grading.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
