"""Guesses a CNAME loop from a hop count (more than 8 names) instead of a name seen twice: a long but legitimate CDN chain raises ValueError."""


class Resolver:
    """Resolves names from `records`, following CNAMEs and caching each record for its TTL."""

    def __init__(self, records: dict[str, tuple[str, str, int]], clock: FakeClock) -> None:
        self.records = records
        self.clock = clock
        self.lookups = 0
        self.cache: dict = {}  # yours to use, e.g. name -> (record, expiry)

    def resolve(self, name: str) -> tuple[str, int]:
        """The address `name` leads to, and how many seconds that answer stays valid."""
        now = self.clock.time()
        name = name.lower().rstrip(".")
        chain: list[str] = []
        expiries: list[float] = []
        while True:
            if name in chain or len(chain) > 8:
                raise ValueError("CNAME loop: " + " -> ".join([*chain, name]))
            chain.append(name)
            cached = self.cache.get(name)
            if cached is None or now >= cached[1]:
                self.lookups += 1
                record = self.records[name]
                cached = (record, now + record[2])
                self.cache[name] = cached
            (kind, value, _), expiry = cached
            expiries.append(expiry)
            if kind == "A":
                return value, int(min(expiries) - now)
            name = value.lower().rstrip(".")
