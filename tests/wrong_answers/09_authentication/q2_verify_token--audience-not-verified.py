"""Turns the audience check off (a common fix for InvalidAudienceError): any API's token
passes."""


def verify_token(
    token: str, public_pem: bytes, *, audience: str, issuer: str, leeway: int = 30
) -> dict:
    return jwt.decode(
        token,
        public_pem,
        algorithms=["RS256"],
        issuer=issuer,
        leeway=leeway,
        options={"require": ["exp", "iss"], "verify_aud": False},
    )
