"""Takes fields by position after splitting on spaces: a malformed line ("-" request, a cut line) crashes or is misread."""


def top_error_paths(lines, n) -> list:
    """The `n` paths with the most 5xx responses in `lines`, as (path, count), most first."""
    counts = {}
    for line in lines:
        if not line.strip():
            continue
        fields = line.split()
        target, status = fields[6], int(fields[8])
        if 500 <= status <= 599:
            path = target.split("?")[0]
            counts[path] = counts.get(path, 0) + 1
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:n]
