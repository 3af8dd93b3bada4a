"""One key per user, without the window number: the count does not restart when a new window
begins (it waits for the TTL, which real time, not the clock, runs down)."""


def allow(client: redis.Redis, user: str, limit: int, window: int, clock) -> bool:
    key = f"rate:{user}"
    count = client.incr(key)
    if count == 1:
        client.expire(key, window)
    return count <= limit
