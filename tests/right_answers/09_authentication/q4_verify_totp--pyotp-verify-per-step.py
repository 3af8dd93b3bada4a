"""Asks pyotp's own verify (window 0) at the time of each step, the nearest step first."""


def verify_totp(
    totp: pyotp.TOTP, code: str, clock, window: int = 1, used: set | None = None
) -> bool:
    now = clock()
    step = int(now // totp.interval)
    for offset in sorted(range(-window, window + 1), key=abs):
        candidate = step + offset
        if totp.verify(code, for_time=candidate * totp.interval):
            if used is not None and candidate in used:
                return False
            if used is not None:
                used.add(candidate)
            return True
    return False
