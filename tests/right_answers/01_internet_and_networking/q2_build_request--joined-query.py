"""Joins the query parts with "&".join(filter(None, ...)) and encodes the head as ASCII-safe
latin-1 line by line: a different way to the same bytes."""


def build_request(method: str, url: str, *, headers: dict[str, str] | None = None,
                  params: dict[str, str] | None = None, body: bytes | str = b"") -> bytes:
    """The bytes of an HTTP/1.1 request for `url`, ready to send on a socket."""
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, urlencode(params or {})]))
    target = (parts.path or "/") + (f"?{query}" if query else "")
    data = body if isinstance(body, bytes) else body.encode()
    head = f"{method} {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
    for name, value in (headers or {}).items():
        head += f"{name}: {value}\r\n"
    if len(data) > 0 or method in {"POST", "PUT", "PATCH"}:
        head += f"Content-Length: {len(data)}\r\n"
    head += "Connection: close\r\n\r\n"
    return head.encode("latin-1") + data
