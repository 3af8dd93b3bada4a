"""Times out with asyncio.wait_for (TimeoutError, not httpx's timeout) and runs the fetches in a
TaskGroup, keeping the results in order by index: the other documented way to abandon a call."""


async def fetch_all(client, urls, limit=4, timeout=1.0, retries=2):
    """GET every URL, `limit` at a time, retrying failures; JSON bodies (or None) in order."""
    gate = asyncio.Semaphore(limit)
    results = [None] * len(urls)

    async def fetch(index, url):
        for _ in range(retries + 1):
            async with gate:
                try:
                    reply = await asyncio.wait_for(client.get(url), timeout)
                except TimeoutError:
                    continue
            if reply.status_code == 200:
                results[index] = reply.json()
                return

    async with asyncio.TaskGroup() as group:
        for index, url in enumerate(urls):
            group.create_task(fetch(index, url))
    return results
