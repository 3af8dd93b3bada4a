"""A hand-made verifier that dispatches on the header: alg none and HS256 keyed by the PEM
pass (the two classic attacks)."""


def verify_token(
    token: str, public_pem: bytes, *, audience: str, issuer: str, leeway: int = 30
) -> dict:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    def unb64(part: str) -> bytes:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

    head, body, signature = token.split(".")
    header, claims = json.loads(unb64(head)), json.loads(unb64(body))
    signed = f"{head}.{body}".encode()
    if header["alg"] == "HS256":
        mac = hmac.new(public_pem, signed, hashlib.sha256).digest()
        if not hmac.compare_digest(mac, unb64(signature)):
            raise jwt.InvalidSignatureError("bad HMAC")
    elif header["alg"].lower() != "none":
        key = serialization.load_pem_public_key(public_pem)
        try:
            key.verify(unb64(signature), signed, padding.PKCS1v15(), hashes.SHA256())
        except Exception as error:
            raise jwt.InvalidSignatureError("bad signature") from error
    if "exp" not in claims or time.time() >= claims["exp"] + leeway:
        raise jwt.ExpiredSignatureError("expired")
    audiences = claims.get("aud")
    audiences = [audiences] if isinstance(audiences, str) else audiences or []
    if audience not in audiences:
        raise jwt.InvalidAudienceError("audience")
    if claims.get("iss") != issuer:
        raise jwt.InvalidIssuerError("issuer")
    return claims
