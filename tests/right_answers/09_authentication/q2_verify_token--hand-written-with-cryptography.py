"""A verifier written by hand with cryptography: the algorithm pinned, each claim checked,
PyJWT's exception classes raised."""


def verify_token(
    token: str, public_pem: bytes, *, audience: str, issuer: str, leeway: int = 30
) -> dict:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    def unb64(part: str) -> bytes:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

    try:
        head, body, signature = token.split(".")
        header, claims = json.loads(unb64(head)), json.loads(unb64(body))
    except ValueError as error:
        raise jwt.DecodeError("not a JWT") from error
    if header.get("alg") != "RS256":
        raise jwt.InvalidAlgorithmError("only RS256")
    key = serialization.load_pem_public_key(public_pem)
    try:
        key.verify(unb64(signature), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as error:
        raise jwt.InvalidSignatureError("bad signature") from error
    if not isinstance(claims.get("exp"), int | float):
        raise jwt.MissingRequiredClaimError("exp")
    if time.time() >= claims["exp"] + leeway:
        raise jwt.ExpiredSignatureError("expired")
    audiences = claims.get("aud")
    audiences = [audiences] if isinstance(audiences, str) else audiences or []
    if audience not in audiences:
        raise jwt.InvalidAudienceError("audience")
    if claims.get("iss") != issuer:
        raise jwt.InvalidIssuerError("issuer")
    return claims
