"""Refuses unknown fields with a message that does not say which field is wrong."""


def parse_sort(text, allowed):
    """[(field, descending)] for a sort parameter such as "-due,title"."""
    order = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        descending = part.startswith("-")
        name = part[1:] if descending else part
        if name not in allowed:
            raise ValueError("invalid sort parameter")
        if name in [field for field, _ in order]:
            raise ValueError(f"{name!r} is given twice")
        order.append((name, descending))
    return order
