"""No check for folded lines: a line starting with a space that has a colon in it ("  X-B: 2") is read as a header named "  x-b", where a proxy might have joined it to the previous header: the disagreement request smuggling needs."""


def parse_request(raw: bytes) -> dict:
    """Split one HTTP/1.1 request into method, target, version, headers and body."""
    head, blank, rest = raw.partition(b"\r\n\r\n")
    if not blank:
        raise ValueError("the head does not end with an empty line")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not all(parts) or not parts[2].startswith("HTTP/"):
        raise ValueError(f"bad request line: {lines[0]!r}")
    method, target, version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, value = line.split(":", 1)
        name, value = name.lower(), value.strip(" \t")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    length = headers.get("content-length", "0")
    if not length.isdigit():
        raise ValueError(f"bad Content-Length: {length!r}")
    if len(rest) < int(length):
        raise ValueError("the body is shorter than Content-Length")
    return {
        "method": method,
        "target": target,
        "version": version,
        "headers": headers,
        "body": rest[: int(length)],
    }
