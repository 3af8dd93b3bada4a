"""Claims every pending entry whatever its idle time: it steals entries that a live consumer
read a moment ago and is still working on."""


def consume(client: redis.Redis, stream: str, group: str, consumer: str, handle,
            min_idle_ms: int = 60_000) -> list[str]:
    try:
        client.xgroup_create(stream, group, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise
    entries, start = [], "0-0"
    while True:
        start, claimed, *_ = client.xautoclaim(stream, group, consumer, 0, start)
        entries += claimed
        if start == "0-0":
            break
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
