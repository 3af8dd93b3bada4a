"""Reads the real time instead of the clock it was given."""


def verify_totp(
    totp: pyotp.TOTP, code: str, clock, window: int = 1, used: set | None = None
) -> bool:
    step = int(time.time() // totp.interval)
    for candidate in range(step - window, step + window + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            if used is not None:
                if candidate in used:
                    return False
                used.add(candidate)
            return True
    return False
