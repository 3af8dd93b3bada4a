"""Decodes without verifying the signature: any forged token passes."""


def verify_token(
    token: str, public_pem: bytes, *, audience: str, issuer: str, leeway: int = 30
) -> dict:
    claims = jwt.decode(token, options={"verify_signature": False})
    if "exp" not in claims or time.time() >= claims["exp"] + leeway:
        raise jwt.ExpiredSignatureError("expired")
    audiences = claims.get("aud")
    audiences = [audiences] if isinstance(audiences, str) else audiences or []
    if audience not in audiences or claims.get("iss") != issuer:
        raise jwt.InvalidTokenError("audience or issuer")
    return claims
