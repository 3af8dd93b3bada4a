"""A clock that only moves when told to, so code with TTLs and timeouts can be shown exactly."""

from __future__ import annotations

from datetime import UTC, datetime

# 2025-01-01T00:00:00Z, the roadmap's year.
DEFAULT_START = 1_735_689_600.0


class FakeClock:
    """Stands in for ``time.time``/``time.monotonic``/``time.sleep`` where code accepts a clock.

    ``clock()`` and ``clock.time()`` give the current fake time in seconds; ``advance`` and
    ``sleep`` move it forward and never wait.
    """

    def __init__(self, start: float = DEFAULT_START) -> None:
        self._now = float(start)

    def time(self) -> float:
        return self._now

    __call__ = time
    monotonic = time

    def now(self) -> datetime:
        """The current fake time as an aware UTC datetime."""
        return datetime.fromtimestamp(self._now, UTC)

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError(f"a clock cannot go back: advance({seconds})")
        self._now += seconds
        return self._now

    sleep = advance

    def __repr__(self) -> str:
        return f"FakeClock({self.now().isoformat()})"
