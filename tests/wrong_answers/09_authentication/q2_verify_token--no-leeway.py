"""Ignores the leeway: a token a few seconds past exp is refused although allowed."""


def verify_token(
    token: str, public_pem: bytes, *, audience: str, issuer: str, leeway: int = 30
) -> dict:
    return jwt.decode(
        token,
        public_pem,
        algorithms=["RS256"],
        audience=audience,
        issuer=issuer,
        options={"require": ["exp", "aud", "iss"]},
    )
