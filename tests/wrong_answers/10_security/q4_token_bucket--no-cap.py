"""Refills without the min(): a long idle period banks an unlimited burst."""


class TokenBucket:
    def __init__(self, capacity: float, rate: float, clock):
        self.rate, self.clock = rate, clock
        self.tokens = capacity
        self.last = clock()

    def allow(self) -> bool:
        now = self.clock()
        self.tokens += (now - self.last) * self.rate
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
