"""Rotates, and refuses a used token, but revokes nothing: a thief's copy races the user."""


def issue_refresh(client: redis.Redis, user: str, family: str | None = None) -> str:
    token = secrets.token_urlsafe(32)
    family = family or secrets.token_hex(8)
    client.hset(f"refresh:{token}", mapping={"user": user, "family": family, "used": "0"})
    return token


def refresh(client: redis.Redis, token: str) -> tuple[str, str] | None:
    key = f"refresh:{token}"
    record = client.hgetall(key)
    if not record or client.hincrby(key, "used", 1) != 1:
        return None
    return record["user"], issue_refresh(client, record["user"], record["family"])
