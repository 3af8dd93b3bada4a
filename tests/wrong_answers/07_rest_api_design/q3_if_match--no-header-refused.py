"""Treats a request without If-Match as failing the precondition instead of having none."""


def if_match_allows(header, current_etag):
    """Whether a request with this If-Match header may change the resource."""
    if header is None:
        return False
    if current_etag is None:
        return False
    if header.strip() == "*":
        return True
    if current_etag.startswith("W/"):
        return False
    return any(tag.strip() == current_etag for tag in header.split(","))
