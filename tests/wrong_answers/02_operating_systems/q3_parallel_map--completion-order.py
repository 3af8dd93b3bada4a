"""Collects results with as_completed, so they come back in the order the calls finish, not the input order."""


def parallel_map(function, items, workers=4) -> list:
    """`[function(item) for item in items]`, with up to `workers` calls running at once."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(function, item) for item in items]
        return [future.result() for future in as_completed(futures)]
