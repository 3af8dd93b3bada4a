"""Dense ranking (1, 1, 2) instead of competition ranking (1, 1, 3): the rank after a tie
counts distinct scores, not players."""


def standings(client: redis.Redis, key: str, top: int | None = None) -> list[tuple]:
    entries = sorted(client.zrange(key, 0, -1, withscores=True), key=lambda e: (-e[1], e[0]))
    table, rank = [], 0
    for position, (player, score) in enumerate(entries):
        if position == 0 or score != entries[position - 1][1]:
            rank += 1
        table.append((rank, player, score))
    return table if top is None else table[:top]
