"""Keeps the tokens in a property computed from the clock; a refusal changes nothing."""


class TokenBucket:
    def __init__(self, capacity, rate, clock):
        self.capacity, self.rate, self.clock = capacity, rate, clock
        self.saved, self.at = float(capacity), clock()

    @property
    def tokens(self):
        return min(self.capacity, self.saved + (self.clock() - self.at) * self.rate)

    def allow(self):
        available = self.tokens
        if available < 1:
            return False
        self.saved, self.at = available - 1, self.clock()
        return True
