"""Starts one thread per item and ignores `workers`: 1,000 items would mean 1,000 calls at once."""


def parallel_map(function, items, workers=4) -> list:
    """`[function(item) for item in items]`, with up to `workers` calls running at once."""
    items = list(items)
    results = [None] * len(items)
    errors = []

    def run(index, item):
        try:
            results[index] = function(item)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
