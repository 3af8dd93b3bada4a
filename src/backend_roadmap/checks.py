"""Strict comparisons for exercise tests: the type must match as well as the value.

``expect(answer, 200)`` fails for ``"200"``, ``200.0``, ``True`` and for an object that claims
to equal everything, and its message says what was expected and what came back.
"""

from __future__ import annotations

from typing import Any


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 200:
        text = text[:197] + "..."
    return f"{type(value).__name__} {text}"


def _difference(actual: Any, expected: Any, where: str) -> str | None:
    if type(actual) is not type(expected):
        return f"{where}: expected {_describe(expected)}, got {_describe(actual)}"
    if isinstance(expected, dict):
        if sorted(map(repr, actual)) != sorted(map(repr, expected)):
            missing = [k for k in expected if k not in actual]
            extra = [k for k in actual if k not in expected]
            return f"{where}: keys differ (missing {missing!r}, unexpected {extra!r})"
        for key in expected:
            found = _difference(actual[key], expected[key], f"{where}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(expected, (list, tuple)):
        if len(actual) != len(expected):
            return (
                f"{where}: expected {len(expected)} items, got {len(actual)}: {_describe(actual)}"
            )
        for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
            found = _difference(a, e, f"{where}[{index}]")
            if found:
                return found
        return None
    if isinstance(expected, (set, frozenset)):
        if not (actual == expected and expected == actual):
            return f"{where}: expected {_describe(expected)}, got {_describe(actual)}"
        return None
    # Types are identical by now, so a look-alike's own __eq__ never decides.
    if expected != actual:
        return f"{where}: expected {_describe(expected)}, got {_describe(actual)}"
    return None


def expect(actual: Any, expected: Any, what: str = "the result") -> None:
    """Assert ``actual`` equals ``expected`` with the same types all the way down."""
    found = _difference(actual, expected, what)
    if found:
        raise AssertionError(found)
