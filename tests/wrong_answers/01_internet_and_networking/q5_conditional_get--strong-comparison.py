"""ETags in the list are compared strongly, so a weak W/"..." tag from the client never matches, although If-None-Match uses the weak comparison."""


def conditional_get(body: bytes, if_none_match: str | None) -> tuple[int, dict[str, str], bytes]:
    """The response to a GET of `body`: 304 when If-None-Match matches its ETag, else 200."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
    if if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        if "*" in tags or etag in tags:
            return 304, {"ETag": etag}, b""
    return 200, {"ETag": etag, "Content-Length": str(len(body))}, body
