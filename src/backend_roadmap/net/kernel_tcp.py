"""Read the kernel's own table of TCP sockets, to see connection states as they happen.

On Linux every TCP socket of the machine (of its network namespace) is a line of
``/proc/net/tcp`` (IPv4) or ``/proc/net/tcp6`` (IPv6): local and remote address in hex, and the
state as a number. ``tcp_states(port)`` turns the lines that involve one port into readable
``(state, local, remote)`` triples, the same view ``ss -tan`` gives. Other systems have no such
file; there ``netstat -an -p tcp`` shows the same states.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
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
#: How many times to read the tables until two reads in a row agree.
ATTEMPTS = 5


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

    The kernel is asked the way ``ss`` asks it (sock_diag over netlink), with the port as a
    filter it applies itself, so the answer is taken in one pass. Where netlink is refused
    (some sandboxes), the ``/proc/net/tcp*`` tables are read until two reads agree.
    """
    if not sys.platform.startswith("linux"):
        raise OSError(
            f"tcp_states reads Linux's /proc/net/tcp; here run: netstat -an | grep {port}"
        )
    try:
        rows = [row for family in FAMILIES for row in diag_dump(family, port)]
    except OSError:
        rows = proc_rows(port)
    return sorted(rows)


def proc_rows(port: int) -> list[tuple[str, tuple[str, int], tuple[str, int]]]:
    """The rows of ``/proc/net/tcp*`` for ``port``, read until two reads in a row agree.

    The kernel writes those files a page (4 KB) per read() and resumes by position, so a
    socket opened or closed elsewhere between two pages can make it skip a line.
    """
    previous = None
    for _ in range(ATTEMPTS):
        rows = []
        for table in TABLES:
            if table.exists():
                rows += parse_table(table.read_text())
        current = sorted(row for row in rows if port in (row[1][1], row[2][1]))
        if current == previous:
            break
        previous = current
    return current


NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
INET_DIAG_REQ_BYTECODE = 1
INET_DIAG_BC_JMP = 1
INET_DIAG_BC_S_GE, INET_DIAG_BC_S_LE, INET_DIAG_BC_D_GE, INET_DIAG_BC_D_LE = 2, 3, 4, 5
FAMILIES = (socket.AF_INET, socket.AF_INET6)
HEADER = struct.Struct("=IHHII")  # struct nlmsghdr
REQUEST = struct.Struct("=BBBBI48x")  # struct inet_diag_req_v2, its socket id left zero
MESSAGE = struct.Struct("=BBBB2s2s16s16s")  # the start of struct inet_diag_msg


def port_filter(port: int) -> bytes:
    """Bytecode the kernel runs on each socket: source port == port or destination == port.

    A comparison is two 4-byte ops (the second carries the port); ``yes`` and ``no`` are
    forward jumps in bytes. Landing on the end accepts, 4 bytes past it refuses, and the
    kernel insists that following every ``yes`` visits every op, hence the jump op (which
    always takes ``no``) between the two halves, as ``ss`` writes an "or".
    """

    def compare(code: int, yes: int, no: int) -> bytes:
        return struct.pack("=BBH", code, yes, no) + struct.pack("=BBH", 0, 0, port)

    return (
        compare(INET_DIAG_BC_S_GE, 8, 20)  # at 0: sport >= port, else try dport at 20
        + compare(INET_DIAG_BC_S_LE, 8, 12)  # at 8: sport <= port, else try dport at 20
        + struct.pack("=BBH", INET_DIAG_BC_JMP, 4, 20)  # at 16: sport == port: accept
        + compare(INET_DIAG_BC_D_GE, 8, 20)  # at 20: dport >= port, else refuse
        + compare(INET_DIAG_BC_D_LE, 8, 12)  # at 28: dport <= port accepts, else refuse
    )


def diag_dump(family: int, port: int) -> list[tuple[str, tuple[str, int], tuple[str, int]]]:
    """Every TCP socket of ``family`` with ``port`` at either end, from the kernel itself."""
    bytecode = port_filter(port)
    attribute = struct.pack("=HH", 4 + len(bytecode), INET_DIAG_REQ_BYTECODE) + bytecode
    body = REQUEST.pack(family, socket.IPPROTO_TCP, 0, 0, 0xFFFFFFFF) + attribute
    flags = NLM_F_REQUEST | NLM_F_DUMP
    request = HEADER.pack(HEADER.size + len(body), SOCK_DIAG_BY_FAMILY, flags, 1, 0) + body
    rows = []
    with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG) as nl:
        nl.settimeout(5)
        nl.sendall(request)
        while True:
            data = nl.recv(1 << 16)
            offset = 0
            while offset + HEADER.size <= len(data):
                length, kind, _, _, _ = HEADER.unpack_from(data, offset)
                if kind == NLMSG_DONE:
                    return rows
                if kind == NLMSG_ERROR:
                    (error,) = struct.unpack_from("=i", data, offset + HEADER.size)
                    raise OSError(-error, "sock_diag refused the request")
                rows.append(parse_message(data, offset + HEADER.size))
                offset += (length + 3) & ~3
            if not data:
                return rows


def parse_message(data: bytes, offset: int) -> tuple[str, tuple[str, int], tuple[str, int]]:
    """One ``struct inet_diag_msg`` as ``(state, local, remote)``."""
    family, state, _, _, sport, dport, src, dst = MESSAGE.unpack_from(data, offset)
    size = 4 if family == socket.AF_INET else 16

    def endpoint(raw: bytes, port: bytes) -> tuple[str, int]:
        host = ipaddress.ip_address(raw[:size])
        if isinstance(host, ipaddress.IPv6Address) and host.ipv4_mapped is not None:
            host = host.ipv4_mapped
        return str(host), int.from_bytes(port, "big")

    name = STATES.get(state, f"state {state:02X}")
    return name, endpoint(src, sport), endpoint(dst, dport)
