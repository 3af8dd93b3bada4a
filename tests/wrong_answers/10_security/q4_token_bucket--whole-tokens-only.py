"""Adds only whole tokens but moves the timestamp on every call: fractions are lost, so
two quarter seconds at 2/s never make a token."""


class TokenBucket:
    def __init__(self, capacity: float, rate: float, clock):
        self.capacity, self.rate, self.clock = capacity, rate, clock
        self.tokens = capacity
        self.last = clock()

    def allow(self) -> bool:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + int((now - self.last) * self.rate))
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
