"""Checks whether the ETag's text appears anywhere in If-None-Match, so a different tag that contains it ("<tag>-gzip") gets a 304 for the wrong content."""


def conditional_get(body: bytes, if_none_match: str | None) -> tuple[int, dict[str, str], bytes]:
    """The response to a GET of `body`: 304 when If-None-Match matches its ETag, else 200."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
    if if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        if "*" in tags or etag.strip('"') in if_none_match:
            return 304, {"ETag": etag}, b""
    return 200, {"ETag": etag, "Content-Length": str(len(body))}, body
