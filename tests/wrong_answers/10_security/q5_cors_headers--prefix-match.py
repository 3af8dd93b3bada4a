"""Allows any origin that starts with an allowed one: https://shop.example.evil.com gets in."""


def cors_headers(method, headers, allowed_origins, allowed_methods, credentials=False):
    if credentials and "*" in allowed_origins:
        raise ValueError("a wildcard origin cannot be used with credentials")
    request = {name.lower(): value for name, value in headers.items()}
    origin = request.get("origin")
    if origin is None:
        return {}
    if "*" in allowed_origins:
        answer = {"Access-Control-Allow-Origin": "*"}
    elif any(origin.startswith(allowed) for allowed in allowed_origins):
        answer = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    else:
        return {}
    if credentials:
        answer["Access-Control-Allow-Credentials"] = "true"
    wanted = request.get("access-control-request-method")
    if method == "OPTIONS" and wanted is not None:
        if wanted not in allowed_methods:
            return {}
        answer["Access-Control-Allow-Methods"] = ", ".join(sorted(allowed_methods))
        answer["Access-Control-Max-Age"] = "600"
    return answer
