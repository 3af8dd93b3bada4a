"""Looks headers up by their exact spelling: 'origin' in lowercase (as HTTP/2 sends it) is
treated as missing."""


def cors_headers(method, headers, allowed_origins, allowed_methods, credentials=False):
    if credentials and "*" in allowed_origins:
        raise ValueError("a wildcard origin cannot be used with credentials")
    origin = headers.get("Origin")
    if origin is None or ("*" not in allowed_origins and origin not in allowed_origins):
        return {}
    if "*" in allowed_origins:
        answer = {"Access-Control-Allow-Origin": "*"}
    else:
        answer = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    if credentials:
        answer["Access-Control-Allow-Credentials"] = "true"
    wanted = headers.get("Access-Control-Request-Method")
    if method == "OPTIONS" and wanted is not None:
        if wanted not in allowed_methods:
            return {}
        answer["Access-Control-Allow-Methods"] = ", ".join(sorted(allowed_methods))
        answer["Access-Control-Max-Age"] = "600"
    return answer
