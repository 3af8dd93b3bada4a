"""Serve a WebSocket handler on 127.0.0.1, on a free port, for the length of a ``with``.

``serve_websocket(handler)`` runs the ``websockets`` library's asyncio server in a thread of
its own (with its own event loop), so the cells that follow can connect real clients to it:
``websockets.sync.client.connect(address.url)`` in plain code, or the asyncio client.
``handler(websocket)`` is an ``async`` function called once per connection. An exception in
the handler closes that connection with code 1011, as in production, and is reported as a
``ServerError`` when the ``with`` ends (``allow_errors=True`` where that is the point).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from backend_roadmap.net.serving import LOOPBACK, STOP_TIMEOUT, Address, ServerError


@contextlib.contextmanager
def serve_websocket(
    handler: Callable[[Any], Awaitable[None]],
    *,
    allow_errors: bool = False,
    **options: Any,
) -> Iterator[Address]:
    """Serve ``handler`` over WebSocket; ``options`` go to ``websockets`` ``serve()``
    (``ping_interval``, ``ping_timeout``, ``max_size``, ``write_limit``, ...)."""
    from websockets.asyncio.server import serve
    from websockets.exceptions import ConnectionClosed

    errors: list[BaseException] = []
    quiet = logging.getLogger(f"backend_roadmap.websocket.{id(errors)}")
    quiet.propagate = False
    quiet.addHandler(logging.NullHandler())

    async def guarded(websocket: Any) -> None:
        try:
            await handler(websocket)
        except ConnectionClosed:
            pass
        except Exception as exc:
            errors.append(exc)
            raise

    started = threading.Event()
    state: dict[str, Any] = {}

    async def main() -> None:
        try:
            async with serve(guarded, LOOPBACK, 0, logger=quiet, **options) as server:
                state["port"] = next(iter(server.sockets)).getsockname()[1]
                state["stop"] = asyncio.Event()
                state["loop"] = asyncio.get_running_loop()
                started.set()
                await state["stop"].wait()
        except BaseException as exc:
            state["failure"] = exc
            raise
        finally:
            started.set()

    thread = threading.Thread(
        target=lambda: asyncio.run(main()), name="serve_websocket", daemon=True
    )
    thread.start()
    started.wait()
    if "port" not in state:
        thread.join(STOP_TIMEOUT)
        raise ServerError(f"the WebSocket server did not start: {state.get('failure')!r}")
    ok = False
    try:
        yield Address(LOOPBACK, state["port"], "ws")
        ok = True
    finally:
        state["loop"].call_soon_threadsafe(state["stop"].set)
        thread.join(STOP_TIMEOUT)
    if ok and errors and not allow_errors:
        first = errors[0]
        raise ServerError(
            f"the WebSocket handler raised {type(first).__name__}: {first}"
            + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
            + "; pass allow_errors=True if that is the point"
        ) from first
