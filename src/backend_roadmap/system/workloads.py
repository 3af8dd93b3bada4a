"""Two kinds of work for comparing threads, processes and asyncio, and a way to measure them.

``count_primes`` (computing) and ``ask`` (waiting) live in a module, not in a notebook cell, so
that a process pool can import them in its workers whatever the start method (``spawn`` on
macOS and Windows pickles functions by name). ``in_pool`` runs a function over a pool of
threads or processes; ``measure`` (``measure_async`` for a coroutine) records the wall-clock
time and the CPU time of a run.
"""

from __future__ import annotations

import resource
import socket
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any


def count_primes(limit: int) -> int:
    """How many primes are below ``limit``: pure Python arithmetic, so it holds the GIL."""
    count = 0
    for candidate in range(2, limit):
        divisor = 2
        while divisor * divisor <= candidate:
            if candidate % divisor == 0:
                break
            divisor += 1
        else:
            count += 1
    return count


def ask(address: tuple[str, int], message: bytes, timeout: float = 5.0) -> bytes:
    """Send ``message`` to a TCP server and return everything it answers: I/O-bound work."""
    with socket.create_connection(address, timeout=timeout) as conn:
        conn.sendall(message)
        conn.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := conn.recv(4096):
            chunks.append(chunk)
    return b"".join(chunks)


def in_pool(pool_class: type[Executor], workers: int, function, *iterables) -> list:
    """``list(map(function, *iterables))``, run by a pool of ``workers`` threads or processes."""
    with pool_class(workers) as pool:
        return list(pool.map(function, *iterables))


@dataclass
class Measurement:
    """What ``measure`` saw: wall-clock seconds, CPU seconds, and what the work returned."""

    wall: float
    cpu: float
    outcome: Any

    @property
    def cores_busy(self) -> float:
        """CPU seconds per wall-clock second: 1.0 is one core computing the whole time."""
        return self.cpu / self.wall


def _cpu_seconds() -> float:
    used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(usage.ru_utime + usage.ru_stime for usage in used)


def measure(run: Callable[[], Any]) -> Measurement:
    """Call ``run()`` and measure it.

    CPU time is that of this process (all its threads) plus that of the child processes that
    ended and were waited for meanwhile, such as the workers of a process pool that was shut
    down inside ``run``.
    """
    started_wall, started_cpu = time.perf_counter(), _cpu_seconds()
    outcome = run()
    wall = time.perf_counter() - started_wall
    return Measurement(wall=wall, cpu=_cpu_seconds() - started_cpu, outcome=outcome)


async def measure_async(run: Callable[[], Awaitable[Any]]) -> Measurement:
    """``measure`` for asyncio: ``await measure_async(lambda: asyncio.gather(...))``."""
    started_wall, started_cpu = time.perf_counter(), _cpu_seconds()
    outcome = await run()
    wall = time.perf_counter() - started_wall
    return Measurement(wall=wall, cpu=_cpu_seconds() - started_cpu, outcome=outcome)
