"""Issue 11, item 12: can a course server end up on, or a course client talk to, a kernel's port?

What was seen: Restart & Run All stayed at [*] for minutes, and the server logged
"Replacing stale connection" then `struct.error: unpack requires a buffer of 402653184 bytes`.

These tests show why that cannot come from the course:
- the course's servers bind port 0 (the system picks a free one) and never share a port
  (no SO_REUSEADDR/SO_REUSEPORT), so one can never take a port a kernel listens on: asking
  for a kernel's port explicitly fails with ServerError;
- the exact error is jupyter_server decoding a browser's v1 websocket message with the legacy
  decoder, which happens when the websocket it arrived on was replaced (its subprotocol
  reads as None): between JupyterLab and the server, where no course code runs.
"""

from __future__ import annotations

import json
import struct

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def kernel_ports():
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        info = manager.get_connection_info()
        yield {name: info[name] for name in info if name.endswith("_port")}
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def quiet_tcp(sock, address):
    pass


def quiet_udp(datagram, address):
    return None


def test_course_servers_never_get_a_kernel_port(kernel_ports):
    from backend_roadmap import serve_tcp, serve_udp

    taken = set(kernel_ports.values())
    for _ in range(20):
        with serve_tcp(quiet_tcp) as tcp, serve_udp(quiet_udp) as udp:
            assert tcp.port not in taken and udp.port not in taken


@pytest.mark.parametrize("channel", ["shell_port", "iopub_port", "control_port", "hb_port"])
def test_asking_for_a_kernel_port_fails_instead_of_sharing_it(kernel_ports, channel):
    from backend_roadmap import ServerError, serve_tcp

    with pytest.raises(ServerError, match="already in use"):
        with serve_tcp(quiet_tcp, port=kernel_ports[channel]):
            pass


def test_the_seen_error_is_a_v1_websocket_message_read_by_the_legacy_decoder():
    from jupyter_server.services.kernels.connection.base import (
        deserialize_binary_message,
        serialize_msg_to_ws_v1,
    )

    header = {"msg_id": "1", "msg_type": "execute_request", "session": "s", "date": None}
    parts = [json.dumps(x).encode() for x in (header, {}, {}, {"code": "1"})]
    v1 = serialize_msg_to_ws_v1(parts, "shell")  # what JupyterLab sends
    with pytest.raises(struct.error, match="unpack requires a buffer of 402653184 bytes"):
        deserialize_binary_message(v1)  # what a replaced connection falls back to
