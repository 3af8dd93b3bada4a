"""Reads the head line by line with split(":", 1) and checks each rule where it applies,
instead of partition: a different shape of the same rules."""


def parse_request(raw: bytes) -> dict:
    """Split one HTTP/1.1 request into method, target, version, headers and body."""
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        raise ValueError("no empty line after the head")
    head, body = raw[:end].decode("latin-1"), raw[end + 4 :]
    request_line, *header_lines = head.split("\r\n")
    method, target, version = (request_line.split(" ") + ["", "", ""])[:3]
    if request_line.count(" ") != 2 or "" in (method, target, version):
        raise ValueError("bad request line")
    if not version.startswith("HTTP/"):
        raise ValueError("bad version")
    headers = {}
    for line in header_lines:
        if line.startswith((" ", "\t")):
            raise ValueError("folded header line")
        if ":" not in line or line.startswith(":"):
            raise ValueError("bad header line")
        name, value = line.split(":", 1)
        name, value = name.lower(), value.strip(" \t")
        headers[name] = headers[name] + ", " + value if name in headers else value
    length = headers.get("content-length")
    if length is None:
        return {"method": method, "target": target, "version": version, "headers": headers,
                "body": b""}
    if not length or any(c not in "0123456789" for c in length):
        raise ValueError("bad Content-Length")
    if len(body) < int(length):
        raise ValueError("short body")
    return {"method": method, "target": target, "version": version, "headers": headers,
            "body": body[: int(length)]}
