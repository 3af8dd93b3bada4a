"""Submits every item to a pool and reads the futures back in submission order, without
len() of the items (an iterator works)."""


def parallel_map(function, items, workers=4) -> list:
    """`[function(item) for item in items]`, with up to `workers` calls running at once."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(function, item) for item in items]
        return [future.result() for future in futures]
