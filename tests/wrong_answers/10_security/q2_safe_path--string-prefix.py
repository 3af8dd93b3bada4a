"""Compares with a string prefix: /srv/files-private 'starts with' /srv/files."""


def safe_path(root: str | Path, name: str) -> Path:
    base = Path(root).resolve()
    target = (base / name).resolve()
    if not str(target).startswith(str(base)):
        raise PermissionError(name)
    return target
