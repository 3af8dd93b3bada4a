"""Takes an RLock with acquire() and releases it in finally, instead of a with block."""


class SafeCounter:
    """Counts per key in `store`; safe to use from many threads at once."""

    def __init__(self, store=None):
        self.store = {} if store is None else store
        self._lock = threading.RLock()

    def increment(self, key, by=1) -> int:
        """Add `by` to the count of `key`; return the count this increment produced."""
        self._lock.acquire()
        try:
            self.store[key] = self.store.get(key, 0) + by
            return self.store.get(key, 0)
        finally:
            self._lock.release()

    def get(self, key) -> int:
        """The count of `key`, 0 if it was never incremented."""
        self._lock.acquire()
        try:
            return self.store.get(key, 0)
        finally:
            self._lock.release()

    def snapshot(self) -> dict:
        """A copy of all counts."""
        self._lock.acquire()
        try:
            return dict(self.store)
        finally:
            self._lock.release()
