"""If-None-Match is compared to the ETag as one whole string, so a list of ETags, a weak W/ tag, spaces or * never give 304."""


def conditional_get(body: bytes, if_none_match: str | None) -> tuple[int, dict[str, str], bytes]:
    """The response to a GET of `body`: 304 when If-None-Match matches its ETag, else 200."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
    if if_none_match == etag:
        return 304, {"ETag": etag}, b""
    return 200, {"ETag": etag, "Content-Length": str(len(body))}, body
