"""Shared set-up: the environment's own tools first on PATH, as `make test` arranges."""

from backend_roadmap.grading.release import put_environment_on_path

put_environment_on_path()
