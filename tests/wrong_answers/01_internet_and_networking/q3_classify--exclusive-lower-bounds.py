"""The ranges are written with < at both ends, so the first code of each class (100, 200, 300, 400, 500) raises ValueError."""


def classify(status: int) -> str:
    """The class of an HTTP status code, from "informational" to "server error"."""
    if 100 < status < 200:
        return "informational"
    if 200 < status < 300:
        return "success"
    if 300 < status < 400:
        return "redirection"
    if 400 < status < 500:
        return "client error"
    if 500 < status < 600:
        return "server error"
    raise ValueError(f"{status} is not an HTTP status code")
