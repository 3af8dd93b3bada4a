"""Records the current step, not the step of the code that matched: a code of the previous
step can be used again one step later."""


def verify_totp(
    totp: pyotp.TOTP, code: str, clock, window: int = 1, used: set | None = None
) -> bool:
    step = int(clock() // totp.interval)
    for candidate in range(step - window, step + window + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            if used is not None:
                if step in used:
                    return False
                used.add(step)
            return True
    return False
