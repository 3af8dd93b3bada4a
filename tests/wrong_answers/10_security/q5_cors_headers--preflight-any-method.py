"""Answers every preflight with the allowed methods without checking the one requested:
the browser would still block it, but the server says yes to a method it does not allow."""


def cors_headers(method, headers, allowed_origins, allowed_methods, credentials=False):
    if credentials and "*" in allowed_origins:
        raise ValueError("a wildcard origin cannot be used with credentials")
    request = {name.lower(): value for name, value in headers.items()}
    origin = request.get("origin")
    if origin is None or ("*" not in allowed_origins and origin not in allowed_origins):
        return {}
    if "*" in allowed_origins:
        answer = {"Access-Control-Allow-Origin": "*"}
    else:
        answer = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    if credentials:
        answer["Access-Control-Allow-Credentials"] = "true"
    if method == "OPTIONS" and "access-control-request-method" in request:
        answer["Access-Control-Allow-Methods"] = ", ".join(sorted(allowed_methods))
        answer["Access-Control-Max-Age"] = "600"
    return answer
