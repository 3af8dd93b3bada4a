"""Normalises the path with os.path.normpath, which removes .. but does not follow
symbolic links: a link inside root that points outside gets through."""


def safe_path(root: str | Path, name: str) -> Path:
    base = Path(root).resolve()
    target = Path(os.path.normpath(base / name))
    if not target.is_relative_to(base):
        raise PermissionError(name)
    return target
