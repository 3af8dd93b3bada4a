"""Compares with < instead of <=: allows only limit - 1 requests per window."""


def allow(client: redis.Redis, user: str, limit: int, window: int, clock) -> bool:
    key = f"rate:{user}:{int(clock() // window)}"
    count = client.incr(key)
    if count == 1:
        client.expire(key, window)
    return count < limit
