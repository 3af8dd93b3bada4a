"""serve_slow: a slow service that counts requests at once, and fails or stalls on purpose."""

import asyncio
import threading

import httpx

from backend_roadmap import ConcurrencyGauge, serve_slow


def test_gauge_counts_peak_and_total_across_threads():
    gauge = ConcurrencyGauge()
    barrier = threading.Barrier(3)

    def work():
        with gauge:
            barrier.wait(timeout=5)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (gauge.peak, gauge.total, gauge.current) == (3, 3, 0)
    gauge.reset()
    assert (gauge.peak, gauge.total) == (0, 0)


async def fetch(client, url, paths):
    replies = await asyncio.gather(*(client.get(url + path) for path in paths))
    return [(r.status_code, r.json()) for r in replies]


def test_replies_after_the_delay_with_attempt_numbers_and_measures_peak():
    async def main(service):
        async with httpx.AsyncClient(timeout=5) as client:
            return await fetch(client, service.url, ["/a", "/b", "/a", "/c"])

    with serve_slow(0.05, gather=4) as service:
        replies = asyncio.run(main(service))
    expected = [("/a", 1), ("/a", 2), ("/b", 1), ("/c", 1)]
    assert sorted(str(r) for r in replies) == sorted(
        str((200, {"path": p, "attempt": n})) for p, n in expected
    )
    assert service.peak == 4
    assert service.attempts == {"/a": 2, "/b": 1, "/c": 1}


def test_sequential_requests_have_a_peak_of_one_even_with_gather():
    with serve_slow(0.0, gather=3, patience=0.2) as service, httpx.Client(timeout=5) as client:
        for _ in range(3):
            client.get(service.url + "/x")
    assert service.peak == 1


def test_failures_answer_503_then_succeed():
    with serve_slow(0.0, failures={"/flaky": 2}) as service, httpx.Client(timeout=5) as client:
        statuses = [client.get(service.url + "/flaky").status_code for _ in range(3)]
        assert service.url == service.address.url
        assert client.post(service.url + "/flaky").status_code == 405
    assert statuses == [503, 503, 200]


def test_a_stalled_request_never_answers_is_not_counted_and_ends_with_the_server():
    with serve_slow(0.0, stalls={"/slow": 1}) as service, httpx.Client(timeout=0.3) as client:
        try:
            client.get(service.url + "/slow")
        except httpx.ReadTimeout:
            timed_out = True
        assert timed_out
        assert client.get(service.url + "/slow").json() == {"path": "/slow", "attempt": 2}
    assert service.attempts["/slow"] == 2
    assert service.peak == 1


def test_reset_forgets_attempts_and_peak_and_sets_gather():
    async def burst(service, count):
        async with httpx.AsyncClient(timeout=5) as client:
            await fetch(client, service.url, ["/r"] * count)

    with serve_slow(0.02, gather=3) as service:
        asyncio.run(burst(service, 3))
        assert (service.peak, service.attempts["/r"]) == (3, 3)
        service.reset(gather=2)
        asyncio.run(burst(service, 2))
        assert (service.peak, service.attempts["/r"], service.gather) == (2, 2, 2)
