"""Uses len(items) to size the result list: works for lists and ranges, but an iterator or a generator has no len()."""


def parallel_map(function, items, workers=4) -> list:
    """`[function(item) for item in items]`, with up to `workers` calls running at once."""
    from concurrent.futures import ThreadPoolExecutor

    results = [None] * len(items)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(function, item): n for n, item in enumerate(items)}
        for future, n in futures.items():
            results[n] = future.result()
    return results
