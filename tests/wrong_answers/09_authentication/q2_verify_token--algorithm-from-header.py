"""Trusts the token's own header for the algorithm, as the naive verifiers did."""


def verify_token(
    token: str, public_pem: bytes, *, audience: str, issuer: str, leeway: int = 30
) -> dict:
    algorithm = jwt.get_unverified_header(token)["alg"]
    return jwt.decode(
        token,
        public_pem,
        algorithms=[algorithm],
        audience=audience,
        issuer=issuer,
        leeway=leeway,
        options={"require": ["exp", "aud", "iss"]},
    )
