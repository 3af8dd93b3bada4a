"""An HTTP acceptance check: send a list of requests, compare each reply with what a spec says.

``check_http(app_or_url, cases)`` serves ``app`` on loopback (or talks to a running server at a
URL), sends each :class:`Call` in order over real HTTP with httpx, and compares the reply with
its :class:`Reply`: the status code, headers, the media type and the JSON body. When a reply
differs, it raises :class:`HTTPCheckFailed`, an ``AssertionError`` whose message names every
request that failed, what was expected and what came back::

    check_http(app, [
        (Call("POST", "/notes", json={"text": "hi"}), Reply(201, json={"id": 1, "text": "hi"})),
        (Call("GET", "/notes/9"), Reply(404)),
    ])

``ANY`` in an expected JSON body or header accepts any value there (an id, a timestamp).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from backend_roadmap.checks import _difference
from backend_roadmap.net.serving import Address, is_asgi, serve_app

REQUEST_TIMEOUT = 5.0
BODY_SHOWN = 300


class _Anything:
    """Stands for any value in an expected body or header."""

    def __repr__(self) -> str:
        return "ANY"


ANY: Any = _Anything()
_UNSET: Any = object()


class HTTPCheckFailed(AssertionError):
    """Some requests did not get the reply the spec asks for; the message lists them."""

    def __init__(self, message: str, results: list[CallResult]) -> None:
        super().__init__(message)
        self.results = results


@dataclass(frozen=True)
class Call:
    """One request: a method, a path (with a query string if any), and what it sends.

    ``json`` sends a JSON body; ``content`` sends raw bytes or text (with the headers you
    give, e.g. a ``Content-Type``). ``note`` says what the request is for, in failure messages.
    """

    method: str
    path: str
    json: Any = _UNSET
    content: bytes | str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    note: str = ""

    def describe(self) -> str:
        text = f"{self.method.upper()} {self.path}"
        if self.json is not _UNSET:
            text += " " + _short(json.dumps(self.json))
        elif self.content is not None:
            text += " " + _short(repr(self.content))
        return text + (f" ({self.note})" if self.note else "")


@dataclass(frozen=True)
class Reply:
    """What the reply must be. Only what is given is checked.

    - ``status``: the status code.
    - ``json``: the body, decoded as JSON, compared strictly (``1`` is not ``1.0`` or ``"1"``);
      ``ANY`` anywhere inside accepts any value there.
    - ``headers``: header values, names in any case; ``None`` means the header must be absent,
      ``ANY`` that it must be present.
    - ``content_type``: the media type, without parameters (``"application/json"`` matches
      ``application/json; charset=utf-8``).
    - ``empty``: ``True`` when the body must be empty (a 204).
    """

    status: int
    json: Any = _UNSET
    headers: Mapping[str, str | None] = field(default_factory=dict)
    content_type: str | None = None
    empty: bool = False


@dataclass
class CallResult:
    """One request of a check, what came back, and what differed from the spec."""

    number: int
    call: Call
    status: int | None
    headers: dict[str, str]
    body: bytes
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems


def _short(text: str) -> str:
    return text if len(text) <= BODY_SHOWN else text[: BODY_SHOWN - 3] + "..."


def _fill_any(expected: Any, actual: Any) -> Any:
    """``expected`` with each ``ANY`` replaced by the value found at the same place."""
    if expected is ANY:
        return actual
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {k: _fill_any(v, actual[k]) if k in actual else v for k, v in expected.items()}
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [_fill_any(e, a) for e, a in zip(expected, actual, strict=True)]
    return expected


def compare_reply(expected: Reply, status: int, headers: Mapping[str, str], body: bytes):
    """The differences between a reply and what was expected, as sentences (none: it matched)."""
    problems = []
    if status != expected.status:
        problems.append(f"status: expected {expected.status}, got {status}")
    lower = {name.lower(): value for name, value in headers.items()}
    for name, value in expected.headers.items():
        found = lower.get(name.lower())
        if value is None and found is not None:
            problems.append(f"header {name}: expected none, got {found!r}")
        elif value is ANY and found is None:
            problems.append(f"header {name}: expected one, got none")
        elif value is not None and value is not ANY and found != value:
            got = "none" if found is None else repr(found)
            problems.append(f"header {name}: expected {value!r}, got {got}")
    if expected.content_type is not None:
        media = lower.get("content-type", "").split(";")[0].strip().lower()
        if media != expected.content_type.lower():
            problems.append(
                f"content-type: expected {expected.content_type!r}, got {media or 'none'!r}"
            )
    if expected.empty and body:
        problems.append(f"body: expected it empty, got {_short(repr(body))}")
    if expected.json is not _UNSET:
        try:
            decoded = json.loads(body)
        except ValueError:
            problems.append(f"body: expected JSON, got {_short(repr(body))}")
        else:
            found = _difference(decoded, _fill_any(expected.json, decoded), "JSON body")
            if found:
                problems.append(found)
    return problems


class _ErrorRecorder:
    """Wraps an ASGI app to keep the exceptions it raises, so a 500 can say why."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.errors: list[BaseException] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as error:
            self.errors.append(error)
            raise


def _send(client: Any, call: Call) -> tuple[int, dict[str, str], bytes]:
    options: dict[str, Any] = {"headers": dict(call.headers)}
    if call.json is not _UNSET:
        options["json"] = call.json
    elif call.content is not None:
        options["content"] = call.content
    response = client.request(call.method.upper(), call.path, **options)
    return response.status_code, dict(response.headers), response.content


def _run(base_url: str, cases: list[tuple[Call, Reply]], recorder: Any) -> list[CallResult]:
    import httpx

    results = []
    with httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT) as client:
        for number, (call, expected) in enumerate(cases, start=1):
            seen = len(recorder.errors) if recorder else 0
            try:
                status, headers, body = _send(client, call)
            except httpx.HTTPError as error:
                results.append(CallResult(number, call, None, {}, b"", [f"no reply: {error!r}"]))
                continue
            problems = compare_reply(expected, status, headers, body)
            if problems and recorder and len(recorder.errors) > seen:
                error = recorder.errors[seen]
                problems.append(f"the app raised {type(error).__name__}: {error}")
            results.append(CallResult(number, call, status, headers, body, problems))
    return results


def report(results: list[CallResult]) -> str:
    """A failure message naming each request that failed, with the body that came back."""
    failed = [r for r in results if not r.passed]
    lines = [f"{len(failed)} of {len(results)} requests did not get the reply the spec asks for"]
    for result in failed:
        lines.append(f"request {result.number}: {result.call.describe()}")
        lines.extend(f"    {problem}" for problem in result.problems)
        if result.status is not None:
            lines.append(f"    body was: {_short(repr(result.body))}")
    if failed and failed[0] is not results[-1]:
        lines.append("(requests run in order: a later failure may follow from an earlier one)")
    return "\n".join(lines)


def check_http(app_or_url: Any, cases: Iterable[tuple[Call, Reply]]) -> list[CallResult]:
    """Send each call in order and compare its reply; raise ``HTTPCheckFailed`` if any differs.

    ``app_or_url`` is a WSGI or ASGI app (served on loopback for the length of the check, so
    each check starts from a fresh server but the same app object), a base URL, or an
    ``Address``. Returns the results when every reply matched.
    """
    cases = list(cases)
    for case in cases:
        if not (isinstance(case, tuple) and len(case) == 2 and isinstance(case[1], Reply)):
            raise TypeError(f"each case is a (Call, Reply) pair, got {case!r}")
    if isinstance(app_or_url, Address):
        results = _run(app_or_url.url, cases, None)
    elif isinstance(app_or_url, str):
        results = _run(app_or_url, cases, None)
    else:
        recorder = _ErrorRecorder(app_or_url) if is_asgi(app_or_url) else None
        with serve_app(recorder or app_or_url, allow_errors=True) as address:
            results = _run(address.url, cases, recorder)
    if any(not result.passed for result in results):
        raise HTTPCheckFailed(report(results), results)
    return results
