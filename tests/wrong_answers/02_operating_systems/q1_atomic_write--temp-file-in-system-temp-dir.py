"""Creates the temporary file in the system's temp folder, which may be another file system where a rename is not atomic (or fails)."""


def atomic_write(path, chunks) -> int:
    """Replace the file at `path` with the bytes of `chunks`, all or nothing; return the size."""
    descriptor, temporary = tempfile.mkstemp()
    try:
        with os.fdopen(descriptor, "wb") as file:
            written = sum(file.write(chunk) for chunk in chunks)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return written
