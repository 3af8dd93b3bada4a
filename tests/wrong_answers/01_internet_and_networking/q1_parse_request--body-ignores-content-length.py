"""The body is everything after the empty line instead of Content-Length bytes, so a pipelined next request ends up in the body."""


def parse_request(raw: bytes) -> dict:
    """Split one HTTP/1.1 request into method, target, version, headers and body."""
    head, blank, body = raw.partition(b"\r\n\r\n")
    if not blank:
        raise ValueError("the head does not end with an empty line")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not all(parts) or not parts[2].startswith("HTTP/"):
        raise ValueError(f"bad request line: {lines[0]!r}")
    method, target, version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line[:1] in (" ", "\t"):
            raise ValueError(f"a folded header line: {line!r}")
        name, colon, value = line.partition(":")
        if not colon or not name:
            raise ValueError(f"bad header line: {line!r}")
        name, value = name.lower(), value.strip(" \t")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return {"method": method, "target": target, "version": version, "headers": headers, "body": body}
