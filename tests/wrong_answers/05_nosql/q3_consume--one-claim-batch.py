"""Calls XAUTOCLAIM once: only the first 100 pending entries are recovered in a pass."""


def consume(client: redis.Redis, stream: str, group: str, consumer: str, handle,
            min_idle_ms: int = 60_000) -> list[str]:
    try:
        client.xgroup_create(stream, group, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise
    _, entries, *_ = client.xautoclaim(stream, group, consumer, min_idle_ms, "0-0")
    for _, new in client.xreadgroup(group, consumer, {stream: ">"}):
        entries += new
    done = []
    for entry_id, fields in entries:
        try:
            handle(entry_id, fields)
        except Exception:
            continue
        client.xack(stream, group, entry_id)
        done.append(entry_id)
    return done
