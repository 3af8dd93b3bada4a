"""The workloads compute the right thing: primes counted, a TCP server asked."""

from backend_roadmap import serve_tcp
from backend_roadmap.workloads import ask, count_primes


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
