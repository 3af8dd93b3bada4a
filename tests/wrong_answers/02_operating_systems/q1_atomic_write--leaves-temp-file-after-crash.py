"""Atomic on success, but a crash leaves the half-written temporary file behind in the folder."""


def atomic_write(path, chunks) -> int:
    """Replace the file at `path` with the bytes of `chunks`, all or nothing; return the size."""
    path = Path(path)
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as file:
        written = sum(file.write(chunk) for chunk in chunks)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    return written
