"""Shared set-up: the environment's own tools first on PATH, as `make test` arranges."""

from backend_roadmap_tools.release import put_environment_on_path

put_environment_on_path()


import pytest  # noqa: E402 - after the PATH set-up above, which nbgrader needs at import

from support.book_build import build_book  # noqa: E402

#: Groups tests for `pytest -n` (a plugin, so its hook also sees the notebooks' cells).
pytest_plugins = ["support.parallel"]


@pytest.fixture(scope="session")
def book():
    """The book, built once per session with -W, as `make book` builds it."""
    built = build_book()
    assert built.returncode == 0, f"the book build failed:\n{built.output[-6000:]}"
    return built
