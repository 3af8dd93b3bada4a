"""CNAMEs are followed by recursion with no record of the names already seen, so a CNAME loop ends in RecursionError instead of ValueError."""


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
        cached = self.cache.get(name)
        if cached is None or now >= cached[1]:
            self.lookups += 1
            record = self.records[name]
            cached = (record, now + record[2])
            self.cache[name] = cached
        (kind, value, _), expiry = cached
        if kind == "A":
            return value, int(expiry - now)
        address, ttl = self.resolve(value)
        return address, min(ttl, int(expiry - now))
