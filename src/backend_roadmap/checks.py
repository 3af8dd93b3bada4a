"""Strict comparisons for exercise tests: the type must match as well as the value.

``expect(answer, 200)`` fails for ``"200"``, ``200.0``, ``True`` and for an object that claims
to equal everything, and its message says what was expected and what came back.
"""

from __future__ import annotations

from typing import Any

_PLAIN = (int, float, complex, str, bytes, bool, type(None))
_CONTAINERS = (list, tuple, dict, set, frozenset)


def _type_name(value: Any) -> str:
    # Read through ``type``'s own descriptor: a metaclass cannot run code here.
    return type.__dict__["__name__"].__get__(type(value), type)


def _plain(value: Any, depth: int = 0) -> bool:
    """Built from built-in types only, so comparing and showing it runs no learner code."""
    kind = type(value)
    if kind in _PLAIN:
        return True
    if kind not in _CONTAINERS or depth > 20:
        return False
    items = value.items() if kind is dict else value
    if kind is dict:
        return all(_plain(k, depth + 1) and _plain(v, depth + 1) for k, v in items)
    return all(_plain(item, depth + 1) for item in items)


def _describe(value: Any) -> str:
    """Type and value; a value that is not made of built-in types shows its type only.

    Never calls a learner's ``__repr__``: a failure message must not run learner code.
    """
    if not _plain(value):
        return f"{_type_name(value)} object"
    text = repr(value)
    if len(text) > 200:
        text = text[:197] + "..."
    return f"{_type_name(value)} {text}"


def _key(value: Any) -> tuple[str, str]:
    return (_type_name(value), repr(value))


def _difference(actual: Any, expected: Any, where: str) -> str | None:
    if type(actual) is not type(expected):
        return f"{where}: expected {_describe(expected)}, got {_describe(actual)}"
    if isinstance(expected, dict):
        if all(_plain(k) for k in expected) and not all(_plain(k) for k in actual):
            return f"{where}: a key is not a built-in value: {_describe(actual)}"
        if sorted(map(_key, actual)) != sorted(map(_key, expected)):
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
        if _plain(expected):
            # Elements of other types never reach their own __eq__ or __hash__.
            if not _plain(actual) or sorted(map(_key, actual)) != sorted(map(_key, expected)):
                return f"{where}: expected {_describe(expected)}, got {_describe(actual)}"
            return None
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
