"""Returns whatever "after" holds without checking it is an int of at least 0, or that it is the only key."""


def encode_cursor(last_id):
    """An opaque, URL-safe cursor for the page after the item with id `last_id`."""
    text = json.dumps({"after": last_id}).encode()
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


def decode_cursor(cursor):
    """The id inside a cursor made by encode_cursor; ValueError if it is not one."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except ValueError as error:
        raise ValueError(f"not a cursor: {cursor!r}") from error
    return data["after"]
