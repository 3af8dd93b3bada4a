"""Refuses names containing '..' but misses absolute names and symbolic links, and refuses
harmless names such as notes..txt."""


def safe_path(root: str | Path, name: str) -> Path:
    if ".." in name:
        raise PermissionError(name)
    return (Path(root) / name).resolve()
