"""The final answer is cached under the name asked for, with the chain's smallest TTL, instead of caching each record: when one record expires the whole chain is read again, and other names in the chain are not cached."""


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
        if cached is not None and now < cached[1]:
            return cached[0], int(cached[1] - now)
        chain: list[str] = []
        ttls: list[int] = []
        current = name
        while True:
            if current in chain:
                raise ValueError("CNAME loop: " + " -> ".join([*chain, current]))
            chain.append(current)
            self.lookups += 1
            kind, value, ttl = self.records[current]
            ttls.append(ttl)
            if kind == "A":
                self.cache[name] = (value, now + min(ttls))
                return value, min(ttls)
            current = value.lower().rstrip(".")
