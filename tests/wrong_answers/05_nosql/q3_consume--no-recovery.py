"""Reads only new entries (">"): entries left pending by a crashed consumer, or by a failed
handler, are never handled again."""


def consume(client: redis.Redis, stream: str, group: str, consumer: str, handle,
            min_idle_ms: int = 60_000) -> list[str]:
    try:
        client.xgroup_create(stream, group, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise
    done = []
    for _, entries in client.xreadgroup(group, consumer, {stream: ">"}):
        for entry_id, fields in entries:
            try:
                handle(entry_id, fields)
            except Exception:
                continue
            client.xack(stream, group, entry_id)
            done.append(entry_id)
    return done
