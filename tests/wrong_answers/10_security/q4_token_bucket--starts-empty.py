"""The bucket starts with no tokens, so the first burst is refused."""


class TokenBucket:
    def __init__(self, capacity: float, rate: float, clock):
        self.capacity, self.rate, self.clock = capacity, rate, clock
        self.tokens = 0
        self.last = clock()

    def allow(self) -> bool:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
