"""With '*' and credentials it reflects the caller's origin instead of refusing the
configuration: every site can then read answers made with the user's cookies."""


def cors_headers(method, headers, allowed_origins, allowed_methods, credentials=False):
    request = {name.lower(): value for name, value in headers.items()}
    origin = request.get("origin")
    if origin is None or ("*" not in allowed_origins and origin not in allowed_origins):
        return {}
    if "*" in allowed_origins and not credentials:
        answer = {"Access-Control-Allow-Origin": "*"}
    else:
        answer = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    if credentials:
        answer["Access-Control-Allow-Credentials"] = "true"
    wanted = request.get("access-control-request-method")
    if method == "OPTIONS" and wanted is not None:
        if wanted not in allowed_methods:
            return {}
        answer["Access-Control-Allow-Methods"] = ", ".join(sorted(allowed_methods))
        answer["Access-Control-Max-Age"] = "600"
    return answer
