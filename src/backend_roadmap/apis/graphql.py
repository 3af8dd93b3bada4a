"""Run a GraphQL query against a strawberry schema as a server would, from any cell.

``run_graphql(schema, query, variables)`` returns the JSON-shaped response a GraphQL server
sends: ``{"data": ...}`` and, when something failed, ``"errors"`` beside the partial data.
The query runs on a fresh event loop in a worker thread, so it works the same in a notebook
(where a loop is already running) and in a plain script. ``context`` is the request's
context: a value, or a function called once per request (where a DataLoader belongs, so
that one request's cache never leaks into the next).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any


def run_graphql(
    schema: Any,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    context: Any = None,
    operation_name: str | None = None,
) -> dict[str, Any]:
    """Execute ``query`` on ``schema`` and return ``{"data": ..., "errors": [...]}``."""
    outcome: list[Any] = []

    async def execute() -> Any:
        value = context() if isinstance(context, Callable) else context
        return await schema.execute(
            query,
            variable_values=variables,
            context_value=value,
            operation_name=operation_name,
        )

    def run() -> None:
        try:
            outcome.append(("ok", asyncio.run(execute())))
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            outcome.append(("error", exc))

    # strawberry logs each resolver error with its traceback; the response already holds
    # the error, so keep the log quiet (a test cell must not print to stderr).
    log = logging.getLogger("strawberry.execution")
    quiet = logging.Filter("no record has this name")
    log.addFilter(quiet)
    try:
        worker = threading.Thread(target=run, name="run_graphql", daemon=True)
        worker.start()
        worker.join()
    finally:
        log.removeFilter(quiet)
    kind, value = outcome[0]
    if kind == "error":
        raise value
    response: dict[str, Any] = {"data": value.data}
    if value.errors:
        response["errors"] = [error.formatted for error in value.errors]
    return response
