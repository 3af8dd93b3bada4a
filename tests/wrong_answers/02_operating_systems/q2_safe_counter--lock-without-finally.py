"""Takes the lock with acquire() and releases it with release() without try/finally: when the store raises, the lock is never released and every later call hangs."""


class SafeCounter:
    """Counts per key in `store`; safe to use from many threads at once."""

    def __init__(self, store=None):
        self.store = {} if store is None else store
        self._lock = threading.Lock()

    def increment(self, key, by=1) -> int:
        """Add `by` to the count of `key`; return the count this increment produced."""
        self._lock.acquire()
        count = self.store.get(key, 0) + by
        self.store[key] = count
        self._lock.release()
        return count

    def get(self, key) -> int:
        """The count of `key`, 0 if it was never incremented."""
        with self._lock:
            return self.store.get(key, 0)

    def snapshot(self) -> dict:
        """A copy of all counts."""
        with self._lock:
            return dict(self.store)
