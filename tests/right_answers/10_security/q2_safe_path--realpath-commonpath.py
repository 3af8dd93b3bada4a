"""os.path.realpath and os.path.commonpath instead of pathlib's resolve and is_relative_to."""


def safe_path(root: str | Path, name: str) -> Path:
    base = os.path.realpath(root)
    target = os.path.realpath(os.path.join(base, name))
    if os.path.commonpath([base, target]) != base:
        raise PermissionError(name)
    return Path(target)
