"""Every 5xx is treated as temporary, so a 500 or 501 is retried although a bug or a missing feature does not go away."""


def should_retry(method: str, status: int, attempt: int, max_attempts: int = 3) -> bool:
    """May a client send this request again after getting `status` on attempt `attempt`?"""
    if attempt >= max_attempts:
        return False
    if method.upper() not in {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}:
        return False
    return status >= 500 or status in {408, 429}
