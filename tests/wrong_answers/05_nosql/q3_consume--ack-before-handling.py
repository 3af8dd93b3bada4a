"""Acknowledges each entry before calling the handler: an entry whose handler fails is
acknowledged anyway and lost (at-most-once delivery)."""


def consume(client: redis.Redis, stream: str, group: str, consumer: str, handle,
            min_idle_ms: int = 60_000) -> list[str]:
    try:
        client.xgroup_create(stream, group, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise
    _, claimed, *_ = client.xautoclaim(stream, group, consumer, min_idle_ms, "0-0", count=1000)
    entries = list(claimed)
    for _, new in client.xreadgroup(group, consumer, {stream: ">"}):
        entries += new
    done = []
    for entry_id, fields in entries:
        client.xack(stream, group, entry_id)
        try:
            handle(entry_id, fields)
        except Exception:
            continue
        done.append(entry_id)
    return done
