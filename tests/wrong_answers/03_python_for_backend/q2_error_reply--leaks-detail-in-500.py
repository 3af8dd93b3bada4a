"""Puts the exception's text in the 500 body, leaking whatever it holds to the client."""


def error_reply(error):
    """The (status, body) of the HTTP reply for `error`."""
    for kind, status, name in [(NotFound, 404, "not_found"), (Conflict, 409, "conflict"),
                               (Invalid, 422, "invalid"), (AppError, 400, "bad_request")]:
        if isinstance(error, kind):
            return status, {"error": name, "detail": str(error)}
    return 500, {"error": "internal", "detail": str(error)}
