"""Leaves base64's `=` padding on the cursor, so some cursors end in `=` or `==`."""


def encode_cursor(last_id):
    """An opaque, URL-safe cursor for the page after the item with id `last_id`."""
    text = json.dumps({"after": last_id}).encode()
    return base64.urlsafe_b64encode(text).decode()


def decode_cursor(cursor):
    """The id inside a cursor made by encode_cursor; ValueError if it is not one."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except ValueError as error:
        raise ValueError(f"not a cursor: {cursor!r}") from error
    if not isinstance(data, dict) or list(data) != ["after"]:
        raise ValueError(f"not a cursor: {cursor!r}")
    after = data["after"]
    if type(after) is not int or after < 0:
        raise ValueError(f"not a cursor: {cursor!r}")
    return after
