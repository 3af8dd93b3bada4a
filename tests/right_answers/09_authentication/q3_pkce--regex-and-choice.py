"""Verifiers drawn character by character with secrets.choice, checked with a regular
expression; the challenge made with base64.b64encode and translated to base64url."""

import re

UNRESERVED = set(string.ascii_letters + string.digits + "-._~")
ALPHABET = string.ascii_letters + string.digits + "-._~"


def new_verifier() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(64))


def challenge_of(verifier: str, method: str = "S256") -> str:
    if method == "S256":
        text = base64.b64encode(hashlib.sha256(verifier.encode()).digest()).decode()
        return text.replace("+", "-").replace("/", "_").replace("=", "")
    if method == "plain":
        return verifier
    raise ValueError(method)


def check_pkce(verifier: str, challenge: str, method: str) -> bool:
    if method not in {"S256", "plain"}:
        return False
    if re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", verifier) is None:
        return False
    return secrets.compare_digest(challenge_of(verifier, method), challenge)
