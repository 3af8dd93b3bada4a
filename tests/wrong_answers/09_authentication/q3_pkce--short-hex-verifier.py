"""Makes the verifier from 16 random bytes in hex: 32 characters, under the minimum of 43."""

UNRESERVED = set(string.ascii_letters + string.digits + "-._~")


def new_verifier() -> str:
    return secrets.token_hex(16)


def challenge_of(verifier: str, method: str = "S256") -> str:
    if method == "plain":
        return verifier
    if method != "S256":
        raise ValueError(method)
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def check_pkce(verifier: str, challenge: str, method: str) -> bool:
    if not 43 <= len(verifier) <= 128 or not set(verifier) <= UNRESERVED:
        return False
    if method not in ("S256", "plain"):
        return False
    return hmac.compare_digest(challenge_of(verifier, method), challenge)
