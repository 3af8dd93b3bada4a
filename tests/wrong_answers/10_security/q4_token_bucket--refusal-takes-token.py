"""Takes a token before checking: refused requests push the bucket into debt."""


class TokenBucket:
    def __init__(self, capacity: float, rate: float, clock):
        self.capacity, self.rate, self.clock = capacity, rate, clock
        self.tokens = capacity
        self.last = clock()

    def allow(self) -> bool:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        self.last = now
        self.tokens -= 1
        return self.tokens >= 0
