"""Counts the whole target, so /api/orders?page=1 and /api/orders?page=2 are different paths."""


def top_error_paths(lines, n) -> list:
    """The `n` paths with the most 5xx responses in `lines`, as (path, count), most first."""
    counts = {}
    for line in lines:
        parts = line.split('"')
        if len(parts) < 3:
            continue
        request, after = parts[1].split(), parts[2].split()
        if len(request) == 3 and after and after[0].isdigit() and 500 <= int(after[0]) <= 599:
            counts[request[1]] = counts.get(request[1], 0) + 1
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:n]
