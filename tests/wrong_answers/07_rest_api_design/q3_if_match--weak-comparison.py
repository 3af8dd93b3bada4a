"""Strips `W/` from both sides before comparing (the weak comparison of If-None-Match)."""


def if_match_allows(header, current_etag):
    """Whether a request with this If-Match header may change the resource."""
    if header is None:
        return True
    if current_etag is None:
        return False
    if header.strip() == "*":
        return True
    current = current_etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == current for tag in header.split(","))
