"""The server's check lets challenge_of raise on an unknown method instead of saying False;
and any method other than S256 is treated as plain when making a challenge."""

UNRESERVED = set(string.ascii_letters + string.digits + "-._~")


def new_verifier() -> str:
    return secrets.token_urlsafe(48)


def challenge_of(verifier: str, method: str = "S256") -> str:
    if method.upper() == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")
    if method == "plain":
        return verifier
    raise ValueError(method)


def check_pkce(verifier: str, challenge: str, method: str) -> bool:
    if not 43 <= len(verifier) <= 128 or not set(verifier) <= UNRESERVED:
        return False
    return hmac.compare_digest(challenge_of(verifier, method), challenge)
