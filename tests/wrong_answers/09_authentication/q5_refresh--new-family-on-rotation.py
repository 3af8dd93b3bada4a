"""Each rotation starts a new family, so a reuse cannot revoke the tokens issued after it."""


def issue_refresh(client: redis.Redis, user: str, family: str | None = None) -> str:
    token = secrets.token_urlsafe(32)
    family = family or secrets.token_hex(8)
    client.hset(f"refresh:{token}", mapping={"user": user, "family": family, "used": "0"})
    return token


def refresh(client: redis.Redis, token: str) -> tuple[str, str] | None:
    key = f"refresh:{token}"
    record = client.hgetall(key)
    if not record or client.exists(f"revoked:{record['family']}"):
        return None
    if client.hincrby(key, "used", 1) != 1:
        client.set(f"revoked:{record['family']}", "reuse")
        return None
    return record["user"], issue_refresh(client, record["user"])
