"""Starts every request at once: no semaphore, so 1,000 URLs open 1,000 connections."""


async def fetch_all(client, urls, limit=4, timeout=1.0, retries=2):
    """GET every URL, `limit` at a time, retrying failures; JSON bodies (or None) in order."""
    gate = asyncio.Semaphore(limit)

    async def fetch(url):
        if True:
            for _ in range(retries + 1):
                try:
                    reply = await client.get(url, timeout=timeout)
                except httpx.TimeoutException:
                    continue
                if reply.status_code == 200:
                    return reply.json()
            return None

    return await asyncio.gather(*(fetch(url) for url in urls))
