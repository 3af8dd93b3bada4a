"""Builds Host from urlsplit(url).hostname and .port: hostname is lowercased and loses the brackets of an IPv6 address ("Host: ::1:8080" is not a valid Host)."""


def build_request(method: str, url: str, *, headers: dict[str, str] | None = None,
                  params: dict[str, str] | None = None, body: bytes | str = b"") -> bytes:
    """The bytes of an HTTP/1.1 request for `url`, ready to send on a socket."""
    parts = urlsplit(url)
    target, query = parts.path or "/", parts.query
    if params:
        query = f"{query}&{urlencode(params)}" if query else urlencode(params)
    if query:
        target += "?" + query
    data = body.encode("utf-8") if isinstance(body, str) else body
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.hostname}" + (f":{parts.port}" if parts.port else "")]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if data or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(data)}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data
