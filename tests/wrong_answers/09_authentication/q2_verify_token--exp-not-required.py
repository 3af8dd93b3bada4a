"""Checks exp only when the token has one: a token without exp never expires."""


def verify_token(
    token: str, public_pem: bytes, *, audience: str, issuer: str, leeway: int = 30
) -> dict:
    return jwt.decode(
        token,
        public_pem,
        algorithms=["RS256"],
        audience=audience,
        issuer=issuer,
        leeway=leeway,
    )
