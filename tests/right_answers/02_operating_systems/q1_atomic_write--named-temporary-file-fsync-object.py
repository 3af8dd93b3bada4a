"""Uses NamedTemporaryFile(delete=False) and calls os.fsync with the file object itself, which
os.fsync accepts as well as a descriptor."""


def atomic_write(path, chunks) -> int:
    """Replace the file at `path` with the bytes of `chunks`, all or nothing; return the size."""
    folder = os.path.dirname(os.path.abspath(path))
    file = tempfile.NamedTemporaryFile(dir=folder, delete=False)
    try:
        with file:
            size = 0
            for chunk in chunks:
                file.write(chunk)
                size += len(chunk)
            file.flush()
            os.fsync(file)
        os.replace(file.name, path)
    except BaseException:
        os.unlink(file.name)
        raise
    return size
