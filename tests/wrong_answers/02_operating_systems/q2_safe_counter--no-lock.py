"""No lock at all: two threads read the same count and both write count + 1, so updates are lost."""


class SafeCounter:
    """Counts per key in `store`; safe to use from many threads at once."""

    def __init__(self, store=None):
        self.store = {} if store is None else store

    def increment(self, key, by=1) -> int:
        """Add `by` to the count of `key`; return the count this increment produced."""
        count = self.store.get(key, 0) + by
        self.store[key] = count
        return count

    def get(self, key) -> int:
        """The count of `key`, 0 if it was never incremented."""
        return self.store.get(key, 0)

    def snapshot(self) -> dict:
        """A copy of all counts."""
        return dict(self.store)
