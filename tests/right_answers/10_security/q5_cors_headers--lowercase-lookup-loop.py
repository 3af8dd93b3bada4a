"""Looks headers up with a loop and casefold, and builds the answer in another order."""


def cors_headers(method, headers, allowed_origins, allowed_methods, credentials=False):
    wildcard = "*" in set(allowed_origins)
    if wildcard and credentials:
        raise ValueError("'*' with credentials")

    def header(wanted):
        for name, value in headers.items():
            if name.casefold() == wanted:
                return value
        return None

    origin = header("origin")
    if origin is None or not (wildcard or origin in set(allowed_origins)):
        return {}
    extra = {}
    requested = header("access-control-request-method")
    if method == "OPTIONS" and requested is not None:
        if requested not in set(allowed_methods):
            return {}
        extra = {
            "Access-Control-Allow-Methods": ", ".join(sorted(allowed_methods)),
            "Access-Control-Max-Age": "600",
        }
    answer = {"Access-Control-Allow-Origin": "*" if wildcard else origin}
    if not wildcard:
        answer["Vary"] = "Origin"
    if credentials:
        answer["Access-Control-Allow-Credentials"] = "true"
    return {**answer, **extra}
