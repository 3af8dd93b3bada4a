"""Takes the target as everything after the host, so a #fragment, which never leaves the browser, is sent to the server."""


def build_request(method: str, url: str, *, headers: dict[str, str] | None = None,
                  params: dict[str, str] | None = None, body: bytes | str = b"") -> bytes:
    """The bytes of an HTTP/1.1 request for `url`, ready to send on a socket."""
    parts = urlsplit(url)
    target = url.split(parts.netloc, 1)[1] or "/"
    if params:
        target += ("&" if "?" in target else "?") + urlencode(params)
    data = body.encode("utf-8") if isinstance(body, str) else body
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if data or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(data)}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data
