"""Reads all rows into a list before the first chunk: memory grows with the export."""


def ndjson_chunks(rows, batch_size=100):
    """Yield the rows as NDJSON, `batch_size` rows per bytes chunk."""
    batch = []
    rows = list(rows)
    for row in rows:
        batch.append(json.dumps(row) + "\n")
        if len(batch) == batch_size:
            yield "".join(batch).encode()
            batch = []
    if batch:
        yield "".join(batch).encode()
