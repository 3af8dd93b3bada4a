"""Lower-cases each name before the whitelist check, so "Due" and "TITLE" are accepted."""


def parse_sort(text, allowed):
    """[(field, descending)] for a sort parameter such as "-due,title"."""
    order = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        descending = part.startswith("-")
        name = (part[1:] if descending else part).lower()
        if name not in allowed:
            raise ValueError(f"cannot sort by {name!r}")
        if name in [field for field, _ in order]:
            raise ValueError(f"{name!r} is given twice")
        order.append((name, descending))
    return order
