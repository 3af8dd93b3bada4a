"""serve_app, serve_tcp and serve_udp: real servers on loopback, started and stopped cleanly."""

import socket

import httpx
import pytest

from backend_roadmap import LocalCA, ServerError, serve_app, serve_tcp, serve_udp


def echo_upper(conn, _client):
    with conn:
        conn.sendall(conn.recv(1024).upper())


def hello_wsgi(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}".encode()]


async def hello_asgi(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 201, "headers": [(b"x-kind", b"asgi")]})
    await send({"type": "http.response.body", "body": b"created"})


def test_serve_tcp_runs_the_handler_per_connection_on_loopback():
    with serve_tcp(echo_upper) as address:
        assert address.host == "127.0.0.1" and address.port > 0
        for word in (b"one", b"two"):
            with socket.create_connection(address.pair, timeout=5) as conn:
                conn.sendall(word)
                assert conn.recv(1024) == word.upper()


def test_serve_tcp_stops_listening_when_the_block_ends():
    with serve_tcp(echo_upper) as address:
        pass
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(address.pair, timeout=5)


def test_serve_udp_replies_with_what_the_handler_returns():
    with serve_udp(lambda data, _client: data[::-1]) as address:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(5)
            sock.sendto(b"abc", address.pair)
            assert sock.recvfrom(64)[0] == b"cba"
        assert address.scheme == "udp"


def test_serve_app_serves_a_wsgi_app_over_http_1_1():
    with serve_app(hello_wsgi) as address, httpx.Client(base_url=address.url) as client:
        response = client.get("/path")
        assert (response.status_code, response.text) == (200, "GET /path")
        assert response.http_version == "HTTP/1.1"


def test_serve_app_serves_an_asgi_app():
    with serve_app(hello_asgi) as address:
        response = httpx.post(address.url)
    assert (response.status_code, response.headers["x-kind"]) == (201, "asgi")


def test_serve_app_over_tls_is_trusted_only_by_clients_that_trust_the_ca():
    ca = LocalCA()
    with serve_app(hello_wsgi, certificate=ca.issue_certificate()) as address:
        assert address.url.startswith("https://127.0.0.1:")
        assert httpx.get(address.url, verify=ca.client_context()).status_code == 200
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(address.url, verify=LocalCA().client_context())


def test_a_port_in_use_is_reported_with_the_port_and_what_to_do():
    with serve_tcp(echo_upper) as address:
        with pytest.raises(ServerError, match=rf"port {address.port} .* already in use.*port=0"):
            with serve_app(hello_wsgi, port=address.port):
                pass


def test_a_crashing_handler_is_reported_when_the_block_ends():
    def broken(conn, _client):
        raise ValueError("handler bug")

    with pytest.raises(ServerError, match="tcp handler raised ValueError: handler bug"):
        with serve_tcp(broken) as address, socket.create_connection(address.pair) as conn:
            conn.recv(1)


def test_an_error_in_the_with_body_is_not_masked_by_the_server():
    with pytest.raises(KeyError), serve_tcp(echo_upper):
        raise KeyError("from the body")


def test_an_app_that_fails_at_startup_raises_server_error():
    async def failing_lifespan(scope, receive, send):
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.failed", "message": "no database"})

    with pytest.raises(ServerError, match="start-up"), serve_app(failing_lifespan):
        pass


def failing_wsgi(environ, start_response):
    raise RuntimeError("the database is down")


def test_an_exception_in_the_app_is_a_500_and_reported_not_printed(capfd):
    with pytest.raises(ServerError, match="the app raised RuntimeError: the database is down"):
        with serve_app(failing_wsgi) as address:
            assert httpx.get(address.url).status_code == 500
    assert capfd.readouterr().err == ""


def test_a_demo_that_fails_on_purpose_can_allow_errors(capfd):
    with serve_app(failing_wsgi, allow_errors=True) as address:
        assert httpx.get(address.url).status_code == 500
    assert capfd.readouterr().err == ""
