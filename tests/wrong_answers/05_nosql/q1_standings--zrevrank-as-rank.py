"""Uses ZREVRANGE's order and ZREVRANK + 1 as the rank: ties get different ranks and are
listed in reverse alphabetical order."""


def standings(client: redis.Redis, key: str, top: int | None = None) -> list[tuple]:
    entries = client.zrevrange(key, 0, -1, withscores=True)
    table = [(client.zrevrank(key, player) + 1, player, score) for player, score in entries]
    return table if top is None else table[:top]
