"""Uses Counter.most_common, which breaks ties by first appearance in the log, not alphabetically."""


def top_error_paths(lines, n) -> list:
    """The `n` paths with the most 5xx responses in `lines`, as (path, count), most first."""
    from collections import Counter

    counts = Counter()
    for line in lines:
        parts = line.split('"')
        if len(parts) < 3:
            continue
        request, after = parts[1].split(), parts[2].split()
        if len(request) == 3 and after and after[0].isdigit() and 500 <= int(after[0]) <= 599:
            counts[request[1].split("?")[0]] += 1
    return counts.most_common(n)
