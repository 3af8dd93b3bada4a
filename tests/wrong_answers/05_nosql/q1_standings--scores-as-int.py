"""Converts the scores to int, so 300.0 becomes 300 and 2.5 becomes 2: the score is not
returned as Redis gives it."""


def standings(client: redis.Redis, key: str, top: int | None = None) -> list[tuple]:
    entries = sorted(client.zrange(key, 0, -1, withscores=True), key=lambda e: (-e[1], e[0]))
    table = []
    for position, (player, score) in enumerate(entries):
        tied = position > 0 and score == entries[position - 1][1]
        table.append((table[-1][0] if tied else position + 1, player, int(score)))
    return table if top is None else table[:top]
