"""Never checks for a field given twice, so "due,-due" is accepted."""


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
            raise ValueError(f"cannot sort by {name!r}")
        order.append((name, descending))
    return order
