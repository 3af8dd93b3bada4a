"""Looks the reply up in a table by walking the exception's class hierarchy (its MRO), nearest
class first, instead of a chain of isinstance checks."""

REPLIES = {
    NotFound: (404, "not_found"),
    Conflict: (409, "conflict"),
    Invalid: (422, "invalid"),
    AppError: (400, "bad_request"),
}


def error_reply(error):
    """The (status, body) of the HTTP reply for `error`."""
    for kind in type(error).__mro__:
        if kind in REPLIES:
            status, name = REPLIES[kind]
            return status, {"error": name, "detail": str(error)}
    return 500, {"error": "internal", "detail": "internal server error"}
