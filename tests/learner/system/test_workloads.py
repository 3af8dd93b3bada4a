"""The workloads compute the right thing; in_pool keeps the order; measure counts CPU time."""

import asyncio
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from backend_roadmap import serve_tcp
from backend_roadmap.system.workloads import ask, count_primes, in_pool, measure, measure_async


def test_count_primes():
    assert [count_primes(n) for n in (0, 2, 3, 10, 100, 1000)] == [0, 0, 1, 4, 25, 168]


def test_ask_reads_the_whole_answer():
    def shout(conn, _address):
        data = b""
        while chunk := conn.recv(1024):
            data += chunk
        conn.sendall(data.upper() * 3000)

    with serve_tcp(shout) as address:
        assert ask(address.pair, b"hi") == b"HI" * 3000


def test_in_pool_keeps_the_order_with_threads_and_processes():
    for pool_class in (ThreadPoolExecutor, ProcessPoolExecutor):
        assert in_pool(pool_class, 2, count_primes, [100, 10, 1000]) == [25, 4, 168]


def test_measure_counts_cpu_time_of_this_process_and_of_pool_workers():
    waited = measure(lambda: time.sleep(0.2) or "slept")
    assert waited.outcome == "slept"
    assert waited.wall >= 0.2
    assert waited.cores_busy < 0.5  # sleeping uses no CPU

    computed = measure(lambda: in_pool(ProcessPoolExecutor, 2, count_primes, [30_000] * 2))
    assert computed.outcome == [3245, 3245]
    assert computed.cpu > 0.05  # the workers' CPU time is counted, though they are children


def test_measure_async_times_a_coroutine():
    async def nap():
        await asyncio.sleep(0.1)
        return "rested"

    measured = asyncio.run(measure_async(nap))
    assert measured.outcome == "rested"
    assert measured.wall >= 0.1
