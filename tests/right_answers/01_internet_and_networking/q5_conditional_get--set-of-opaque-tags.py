"""Compares the opaque parts of the tags (without W/ and quotes) in a set: the weak
comparison written another way."""


def conditional_get(body: bytes, if_none_match: str | None) -> tuple[int, dict[str, str], bytes]:
    """The response to a GET of `body`: 304 when If-None-Match matches its ETag, else 200."""
    opaque = hashlib.sha256(body).hexdigest()[:16]
    etag = f'"{opaque}"'
    wanted = set()
    for tag in (if_none_match or "").split(","):
        tag = tag.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        wanted.add(tag)
    if "*" in wanted or etag in wanted:
        return 304, {"ETag": etag}, b""
    return 200, {"ETag": etag, "Content-Length": str(len(body))}, body
