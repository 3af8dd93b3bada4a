"""Deletes a token when it is used, so its reuse looks like an unknown token and nothing is
revoked."""


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
    if client.delete(key) != 1:
        client.set(f"revoked:{record['family']}", "reuse")
        return None
    return record["user"], issue_refresh(client, record["user"], record["family"])
