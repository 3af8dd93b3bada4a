"""Marks a token used with a Lua script (atomic on the server) instead of HINCRBY."""

CLAIM = """
if redis.call('HGET', KEYS[1], 'used') == '0' then
  redis.call('HSET', KEYS[1], 'used', '1')
  return 1
end
return 0
"""


def issue_refresh(client: redis.Redis, user: str, family: str | None = None) -> str:
    token = secrets.token_urlsafe(32)
    if family is None:
        family = secrets.token_hex(8)
    client.hset(f"refresh:{token}", "user", user)
    client.hset(f"refresh:{token}", "family", family)
    client.hset(f"refresh:{token}", "used", "0")
    return token


def refresh(client: redis.Redis, token: str) -> tuple[str, str] | None:
    key = f"refresh:{token}"
    user, family = client.hmget(key, ["user", "family"])
    if user is None or client.get(f"revoked:{family}") is not None:
        return None
    if client.eval(CLAIM, 1, key) != 1:
        client.set(f"revoked:{family}", "1")
        return None
    return user, issue_refresh(client, user, family)
