"""Joins rows with newlines, so a chunk's last row has no newline and chunks run together."""


def ndjson_chunks(rows, batch_size=100):
    """Yield the rows as NDJSON, `batch_size` rows per bytes chunk."""
    batch = []
    for row in rows:
        batch.append(json.dumps(row))
        if len(batch) == batch_size:
            yield "\n".join(batch).encode()
            batch = []
    if batch:
        yield "".join(batch).encode()
