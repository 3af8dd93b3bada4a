"""Calls os.fsync before flushing Python's buffer, so the last bytes are not in the file yet when it is synced."""


def atomic_write(path, chunks) -> int:
    """Replace the file at `path` with the bytes of `chunks`, all or nothing; return the size."""
    path = Path(path)
    temporary = path.with_name(path.name + ".tmp")
    try:
        with open(temporary, "wb") as file:
            written = sum(file.write(chunk) for chunk in chunks)
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return written
