"""Two kinds of work for comparing threads, processes and asyncio: waiting and computing.

They live in a module (not in a notebook cell) so that a process pool can import them in its
workers whatever the start method (``spawn`` on macOS and Windows pickles functions by name).
"""

from __future__ import annotations

import socket


def count_primes(limit: int) -> int:
    """How many primes are below ``limit``: pure Python arithmetic, so it holds the GIL."""
    count = 0
    for candidate in range(2, limit):
        divisor = 2
        while divisor * divisor <= candidate:
            if candidate % divisor == 0:
                break
            divisor += 1
        else:
            count += 1
    return count


def ask(address: tuple[str, int], message: bytes, timeout: float = 5.0) -> bytes:
    """Send ``message`` to a TCP server and return everything it answers: I/O-bound work."""
    with socket.create_connection(address, timeout=timeout) as conn:
        conn.sendall(message)
        conn.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := conn.recv(4096):
            chunks.append(chunk)
    return b"".join(chunks)
