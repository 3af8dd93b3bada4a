"""The class is looked up by the first character of str(status), so 42 is a "client error" and 1000 "informational" instead of raising ValueError."""


def classify(status: int) -> str:
    """The class of an HTTP status code, from "informational" to "server error"."""
    classes = {
        "1": "informational",
        "2": "success",
        "3": "redirection",
        "4": "client error",
        "5": "server error",
    }
    first = str(status)[0]
    if first not in classes:
        raise ValueError(f"{status} is not an HTTP status code")
    return classes[first]
