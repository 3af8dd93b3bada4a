"""Looks for the current tag anywhere in the header text, so a weak W/"v3" in the header matches a strong "v3"."""


def if_match_allows(header, current_etag):
    """Whether a request with this If-Match header may change the resource."""
    if header is None:
        return True
    if current_etag is None:
        return False
    if header.strip() == "*":
        return True
    if current_etag.startswith("W/"):
        return False
    return current_etag in header
