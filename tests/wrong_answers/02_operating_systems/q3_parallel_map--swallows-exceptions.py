"""Catches every exception and puts None in its place: a failed call looks like a result."""


def parallel_map(function, items, workers=4) -> list:
    """`[function(item) for item in items]`, with up to `workers` calls running at once."""
    from concurrent.futures import ThreadPoolExecutor

    def safely(item):
        try:
            return function(item)
        except Exception:
            return None

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(safely, items))
