"""Lists and weak tags are handled but "If-None-Match: *" is not, so it gives 200 instead of 304 for an existing resource."""


def conditional_get(body: bytes, if_none_match: str | None) -> tuple[int, dict[str, str], bytes]:
    """The response to a GET of `body`: 304 when If-None-Match matches its ETag, else 200."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        if etag in tags:
            return 304, {"ETag": etag}, b""
    return 200, {"ETag": etag, "Content-Length": str(len(body))}, body
