"""Which tests share a worker when the suite runs in parallel (``pytest -n 2 --dist loadgroup``).

Loaded as a plugin from ``tests/conftest.py`` so that its hook sees every collected test,
the notebooks' cells included (a conftest's collection hooks see only its own folder).
"""

from __future__ import annotations

import pytest

#: Session fixtures that cache one exercise set's grading per worker process.
SET_FIXTURES = {"graded", "direct"}


def parallel_group(item: pytest.Item) -> str | None:
    """Which tests must share one worker under ``pytest -n`` (``--dist loadgroup``).

    - a notebook's cells run in order in one kernel, so each notebook is one group;
    - the book is built once per worker that uses it, into the one ``_build/``, so every test
      of the built book is in one group;
    - a module-scoped fixture (a browser, a DNS server, a graded class) is set up once per
      worker that runs the module, so such a module is one group;
    - the graded pipeline of an exercise set is cached per worker, so a set's tests are one
      group, named after the set.
    Every other test goes to whichever worker is free. Names keep to letters, digits, ``-``
    and ``_``: pytest-xdist appends them to node ids after an ``@``.
    """
    if item.__class__.__name__ == "IPyNbCell":
        return f"notebook-{item.path.stem}"
    fixtures = set(getattr(item, "fixturenames", ()))
    if "book" in fixtures:
        return "book"
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    if any(d.scope == "module" for defs in definitions.values() for d in defs):
        return f"module-{item.path.stem}"
    if fixtures & SET_FIXTURES:
        callspec = getattr(item, "callspec", None)
        for value in callspec.params.values() if callspec else ():
            for name in (value, getattr(getattr(value, "path", None), "parent", None)):
                name = getattr(name, "name", name)
                if isinstance(name, str) and name[:2].isdigit():
                    return f"set-{name}"
        return f"module-{item.path.stem}"
    return None


def pytest_itemcollected(item: pytest.Item) -> None:
    """Mark each test with its group as it is collected, before pytest-xdist reads the marks."""
    group = parallel_group(item)
    if group is not None:
        item.add_marker(pytest.mark.xdist_group(group))
