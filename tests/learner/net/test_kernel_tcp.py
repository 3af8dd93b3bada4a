import socket
import sys
import threading
import time

import pytest

from backend_roadmap.net import kernel_tcp
from backend_roadmap.net.kernel_tcp import parse_address, parse_table, proc_rows, tcp_states

LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/net/tcp")


def test_ipv4_words_are_little_endian_and_the_port_big_endian():
    assert parse_address("0100007F:1F90") == ("127.0.0.1", 8080)
    assert parse_address("00000000:0000") == ("0.0.0.0", 0)


def test_ipv6_loopback_and_ipv4_mapped_addresses():
    assert parse_address("00000000000000000000000001000000:0050") == ("::1", 80)
    assert parse_address("0000000000000000FFFF00000100007F:0050") == ("127.0.0.1", 80)


def test_a_table_becomes_state_local_remote():
    table = (
        "  sl  local_address rem_address   st tx_queue rx_queue\n"
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000\n"
        "   1: 0100007F:C350 0100007F:1F90 06 00000000:00000000\n"
    )
    assert parse_table(table) == [
        ("LISTEN", ("127.0.0.1", 8080), ("0.0.0.0", 0)),
        ("TIME_WAIT", ("127.0.0.1", 50000), ("127.0.0.1", 8080)),
    ]


@LINUX
def test_a_listener_and_a_connection_are_seen_by_port():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        assert [row[0] for row in tcp_states(port)] == ["LISTEN"]
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            deadline = time.monotonic() + 5
            while len(tcp_states(port)) < 3 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert [row[0] for row in tcp_states(port)] == ["ESTABLISHED"] * 2 + ["LISTEN"]


def test_other_systems_are_told_what_to_run(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    with pytest.raises(OSError, match="netstat"):
        tcp_states(80)


@LINUX
def test_the_kernel_accepts_the_port_filter_so_netlink_is_really_used():
    """A filter the kernel refuses (EINVAL) would fall back to /proc without a word."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        assert kernel_tcp.diag_dump(socket.AF_INET, port) == [
            ("LISTEN", ("127.0.0.1", port), ("0.0.0.0", 0))
        ]
        assert kernel_tcp.diag_dump(socket.AF_INET6, port) == []


@LINUX
def test_the_kernel_filter_keeps_exactly_the_rows_of_proc_for_that_port():
    listeners = [socket.create_server(("127.0.0.1", 0)) for _ in range(20)]
    try:
        for listener in listeners:
            port = listener.getsockname()[1]
            assert (
                tcp_states(port)
                == proc_rows(port)
                == [("LISTEN", ("127.0.0.1", port), ("0.0.0.0", 0))]
            )
    finally:
        for listener in listeners:
            listener.close()


@LINUX
def test_a_connection_is_never_missed_while_other_sockets_come_and_go():
    """The flake this guards: a page-by-page read of /proc/net/tcp skipped a socket when
    others were opened and closed between two pages (seen under parallel test runs)."""
    stop = threading.Event()

    def churn():
        while not stop.is_set():
            batch = [socket.create_server(("127.0.0.1", 0)) for _ in range(30)]
            for sock in batch:
                sock.close()

    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            served, _ = listener.accept()
            with served:
                background = [socket.create_server(("127.0.0.1", 0)) for _ in range(100)]
                worker = threading.Thread(target=churn)
                worker.start()
                try:
                    seen = {len(tcp_states(port)) for _ in range(60)}
                finally:
                    stop.set()
                    worker.join()
                    for sock in background:
                        sock.close()
    assert seen == {3}


@LINUX
def test_without_netlink_the_proc_tables_give_the_same_rows(monkeypatch):
    def refused(family, port):
        raise PermissionError("netlink refused")

    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            served, _ = listener.accept()
            with served:
                expected = tcp_states(port)
                monkeypatch.setattr(kernel_tcp, "diag_dump", refused)
                assert tcp_states(port) == expected
                assert [row[0] for row in expected] == ["ESTABLISHED"] * 2 + ["LISTEN"]
