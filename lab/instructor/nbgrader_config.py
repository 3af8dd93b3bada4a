"""The instructor's lab (`make lab-instructor`): nbgrader's exchange inside the course.

Loaded after the course's own nbgrader_config.py (the folder JupyterLab starts in comes
first), so only what the instructor's lab adds is here. exchange/ is created by the Makefile
and ignored by git: it holds released assignments and students' submissions.
"""

from pathlib import Path

c = get_config()  # noqa: F821 - traitlets injects get_config into config files

c.Exchange.root = str(Path(__file__).resolve().parents[2] / "exchange")
