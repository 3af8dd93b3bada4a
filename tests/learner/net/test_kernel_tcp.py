import socket
import sys
import time

import pytest

from backend_roadmap.net.kernel_tcp import parse_address, parse_table, tcp_states

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
