"""A slow HTTP service on loopback that measures how many requests it served at once.

``serve_slow(delay)`` serves :class:`SlowService`, an ASGI app that answers every ``GET`` after
``delay`` seconds with ``{"path": ..., "attempt": n}`` (``n`` counts the requests to that path),
and records in a :class:`ConcurrencyGauge` the most requests it was handling at the same time.
Because the server counts, a client's concurrency limit is checked without timing anything.

For tests of retries and timeouts it can also fail on purpose: ``failures={"/a": 2}`` answers
the first two requests to ``/a`` with ``503``; ``stalls={"/b": 1}`` never answers the first
request to ``/b`` (it waits until the client gives up). ``gather=n`` makes each request wait,
before its delay, until ``n`` requests are in flight (or ``patience`` seconds have passed since
the first request), so requests that can overlap do overlap however busy the machine is.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from backend_roadmap.net.serving import Address, serve_app


class ConcurrencyGauge:
    """Counts what is in progress: ``with gauge:`` around each piece of work (thread-safe).

    ``peak`` is the most that were in progress at once, ``total`` how many entered.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current = 0
        self.peak = 0
        self.total = 0

    def __enter__(self) -> ConcurrencyGauge:
        with self._lock:
            self.current += 1
            self.total += 1
            self.peak = max(self.peak, self.current)
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self.current -= 1

    def reset(self) -> None:
        with self._lock:
            self.peak, self.total = self.current, 0


class SlowService:
    """An ASGI app that answers each GET after ``delay`` seconds and counts requests at once.

    ``attempts`` counts requests per path (failed and stalled ones included); ``gauge`` counts
    the requests being answered, stalled ones excluded (the client has given up on those).
    """

    def __init__(
        self,
        delay: float = 0.02,
        *,
        failures: Mapping[str, int] | None = None,
        stalls: Mapping[str, int] | None = None,
        gather: int = 0,
        patience: float = 2.0,
        stall_limit: float = 10.0,
    ) -> None:
        self.delay = delay
        self.failures = dict(failures or {})
        self.stalls = dict(stalls or {})
        self.gather = gather
        self.patience = patience
        self.stall_limit = stall_limit
        self.gauge = ConcurrencyGauge()
        self.attempts: Counter[str] = Counter()
        self.url = ""
        self.address: Address | None = None
        self._deadline: float | None = None
        self._changed: asyncio.Condition | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._release: asyncio.Event | None = None

    @property
    def peak(self) -> int:
        return self.gauge.peak

    def reset(self, *, gather: int | None = None) -> None:
        """Forget the attempts and the peak (between two runs on one server); set ``gather``."""
        self.attempts.clear()
        self.gauge.reset()
        self._deadline = None
        if gather is not None:
            self.gather = gather

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if self._changed is None:
            self._loop = asyncio.get_running_loop()
            self._changed = asyncio.Condition()
            self._release = asyncio.Event()
        path = scope["path"]
        self.attempts[path] += 1
        attempt = self.attempts[path]
        if attempt <= self.stalls.get(path, 0):
            await self._stall(receive)
            return
        with self.gauge:
            await self._wait_for_company()
            await asyncio.sleep(self.delay)
        if scope["method"] != "GET":
            await _respond(send, 405, {"detail": "only GET"})
        elif attempt <= self.failures.get(path, 0):
            await _respond(send, 503, {"detail": "try again", "attempt": attempt})
        else:
            await _respond(send, 200, {"path": path, "attempt": attempt})

    async def _wait_for_company(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()
            if self.gather <= 1:
                return
            if self._deadline is None:
                self._deadline = time.monotonic() + self.patience
            left = max(0.0, self._deadline - time.monotonic())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self.gauge.peak >= self.gather), left
                )

    async def _stall(self, receive: Any) -> None:
        """Answer nothing until the client disconnects, the server stops, or the limit."""
        assert self._release is not None

        async def disconnected() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        waits = [asyncio.ensure_future(disconnected()), asyncio.ensure_future(self._release.wait())]
        _, pending = await asyncio.wait(
            waits, timeout=self.stall_limit, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()

    def release_stalled(self) -> None:
        """Let every stalled request end now (called when the server stops)."""
        if self._loop is not None and self._release is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._release.set)


async def _respond(send: Any, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(data))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


@contextlib.contextmanager
def serve_slow(
    delay: float = 0.02,
    *,
    failures: Mapping[str, int] | None = None,
    stalls: Mapping[str, int] | None = None,
    gather: int = 0,
    patience: float = 2.0,
) -> Iterator[SlowService]:
    """Serve a :class:`SlowService` on loopback; yields it, with ``.url`` and ``.address`` set."""
    service = SlowService(delay, failures=failures, stalls=stalls, gather=gather, patience=patience)
    with serve_app(service) as address:
        service.url, service.address = address.url, address
        try:
            yield service
        finally:
            service.release_stalled()
