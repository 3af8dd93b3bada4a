"""Accepts `*` before checking that the resource exists."""


def if_match_allows(header, current_etag):
    """Whether a request with this If-Match header may change the resource."""
    if header is None:
        return True
    if header.strip() == "*":
        return True
    if current_etag is None:
        return False
    if current_etag.startswith("W/"):
        return False
    return any(tag.strip() == current_etag for tag in header.split(","))
