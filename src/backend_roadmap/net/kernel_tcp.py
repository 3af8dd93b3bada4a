"""Read the kernel's own table of TCP sockets, to see connection states as they happen.

On Linux every TCP socket of the machine (of its network namespace) is a line of
``/proc/net/tcp`` (IPv4) or ``/proc/net/tcp6`` (IPv6): local and remote address in hex, and the
state as a number. ``tcp_states(port)`` turns the lines that involve one port into readable
``(state, local, remote)`` triples, the same view ``ss -tan`` gives. Other systems have no such
file; there ``netstat -an -p tcp`` shows the same states.
"""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

#: The state numbers of include/net/tcp_states.h.
STATES = {
    1: "ESTABLISHED",
    2: "SYN_SENT",
    3: "SYN_RECV",
    4: "FIN_WAIT1",
    5: "FIN_WAIT2",
    6: "TIME_WAIT",
    7: "CLOSE",
    8: "CLOSE_WAIT",
    9: "LAST_ACK",
    10: "LISTEN",
    11: "CLOSING",
}
TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))


def parse_address(text: str) -> tuple[str, int]:
    """``0100007F:1F90`` -> ``("127.0.0.1", 8080)``: the kernel prints each 32-bit word of the
    address in host byte order (little-endian on x86 and ARM), and the port big-endian."""
    address, port = text.split(":")
    raw = bytes.fromhex(address)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    host = ipaddress.ip_address(words)
    if isinstance(host, ipaddress.IPv6Address) and host.ipv4_mapped is not None:
        host = host.ipv4_mapped
    return str(host), int(port, 16)


def parse_table(text: str) -> list[tuple[str, tuple[str, int], tuple[str, int]]]:
    """Every socket of one ``/proc/net/tcp*`` file as ``(state, local, remote)``."""
    rows = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 4:
            continue
        state = STATES.get(int(fields[3], 16), f"state {fields[3]}")
        rows.append((state, parse_address(fields[1]), parse_address(fields[2])))
    return rows


def tcp_states(port: int) -> list[tuple[str, tuple[str, int], tuple[str, int]]]:
    """The kernel's TCP sockets whose local or remote port is ``port``, sorted.

    Each is ``(state, (local host, local port), (remote host, remote port))``. Linux only:
    elsewhere ``OSError`` says what to run instead.
    """
    if not sys.platform.startswith("linux"):
        raise OSError(
            f"tcp_states reads Linux's /proc/net/tcp; here run: netstat -an | grep {port}"
        )
    rows = []
    for table in TABLES:
        if table.exists():
            rows += parse_table(table.read_text())
    return sorted(row for row in rows if port in (row[1][1], row[2][1]))
