"""pyotp's own verify with the window: right codes pass, but a code can be replayed."""


def verify_totp(
    totp: pyotp.TOTP, code: str, clock, window: int = 1, used: set | None = None
) -> bool:
    return totp.verify(code, for_time=clock(), valid_window=window)
