"""Forgets the rows left over after the last full batch."""


def ndjson_chunks(rows, batch_size=100):
    """Yield the rows as NDJSON, `batch_size` rows per bytes chunk."""
    batch = []
    for row in rows:
        batch.append(json.dumps(row) + "\n")
        if len(batch) == batch_size:
            yield "".join(batch).encode()
            batch = []
