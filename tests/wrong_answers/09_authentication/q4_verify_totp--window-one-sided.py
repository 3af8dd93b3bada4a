"""Accepts only the current and earlier steps: a phone a little ahead is refused."""


def verify_totp(
    totp: pyotp.TOTP, code: str, clock, window: int = 1, used: set | None = None
) -> bool:
    step = int(clock() // totp.interval)
    for candidate in range(step - window, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            if used is not None:
                if candidate in used:
                    return False
                used.add(candidate)
            return True
    return False
