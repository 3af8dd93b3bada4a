"""serve_http2, serve_http3 and http3_get: HTTP/2 over TLS and HTTP/3 over QUIC on loopback."""

import asyncio
import socket
import threading

import httpx
import pytest

from backend_roadmap import (
    HTTP3Exchange,
    HTTP3Response,
    LocalCA,
    ServerError,
    http3_get,
    serve_http2,
    serve_http3,
)

#: Set once any other path has been answered: ``/slow`` waits for it, so the order of the
#: answers never depends on how busy the machine is.
answered = threading.Event()


async def version_app(scope, receive, send):
    """Answers with the HTTP version; ``/slow`` answers after another path has, ``/boom`` raises."""
    if scope["type"] != "http":
        return
    if scope["path"] == "/boom":
        raise RuntimeError("the database is down")
    if scope["path"] == "/slow":
        await asyncio.to_thread(answered.wait, 10)
        await asyncio.sleep(0.05)
    await send({"type": "http.response.start", "status": 200, "headers": [(b"x-kind", b"asgi")]})
    await send({"type": "http.response.body", "body": scope["http_version"].encode()})
    if scope["path"] != "/slow":
        answered.set()


def hello_wsgi(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["PATH_INFO"].encode()]


@pytest.fixture(scope="module")
def ca():
    return LocalCA()


@pytest.fixture(scope="module")
def certificate(ca):
    return ca.issue_certificate()


def test_serve_http2_speaks_h2_to_clients_that_offer_it_and_1_1_to_the_others(ca, certificate):
    with serve_http2(version_app, certificate=certificate) as address:
        assert address.url.startswith("https://127.0.0.1:")
        with httpx.Client(http2=True, verify=ca.client_context()) as client:
            first, second = client.get(address.url), client.get(address.url)
        assert (first.http_version, first.text, first.headers["x-kind"]) == ("HTTP/2", "2", "asgi")
        assert (first.extensions["stream_id"], second.extensions["stream_id"]) == (1, 3)
        plain = httpx.get(address.url, verify=ca.client_context())
        assert (plain.http_version, plain.text) == ("HTTP/1.1", "1.1")


def test_serve_http2_serves_a_wsgi_app_too(ca, certificate):
    with serve_http2(hello_wsgi, certificate=certificate) as address:
        with httpx.Client(http2=True, verify=ca.client_context()) as client:
            response = client.get(address.url + "/path")
    assert (response.http_version, response.text) == ("HTTP/2", "/path")


def test_serve_http2_is_refused_by_a_client_that_does_not_trust_the_ca(certificate):
    with serve_http2(version_app, certificate=certificate) as address:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(address.url, verify=LocalCA().client_context())


def test_both_servers_need_a_certificate():
    for serve in (serve_http2, serve_http3):
        with pytest.raises(ValueError, match="TLS"), serve(version_app, certificate=None):
            pass


def test_serve_http2_stops_listening_when_the_block_ends(certificate):
    with serve_http2(version_app, certificate=certificate) as address:
        pass
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(address.pair, timeout=5)


def test_a_port_in_use_is_reported(certificate):
    with serve_http2(version_app, certificate=certificate) as address:
        with pytest.raises(ServerError, match=rf"port {address.port} .* already in use"):
            with serve_http2(version_app, certificate=certificate, port=address.port):
                pass


def test_an_exception_in_the_app_is_a_500_and_reported_not_printed(ca, certificate, capfd):
    with pytest.raises(ServerError, match="the app raised RuntimeError: the database is down"):
        with serve_http2(version_app, certificate=certificate) as address:
            response = httpx.get(address.url + "/boom", verify=ca.client_context())
            assert response.status_code == 500
    assert capfd.readouterr().err == ""
    with serve_http2(version_app, certificate=certificate, allow_errors=True) as address:
        assert httpx.get(address.url + "/boom", verify=ca.client_context()).status_code == 500


def test_an_app_that_fails_at_startup_raises_server_error(certificate):
    async def failing_lifespan(scope, receive, send):
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.failed", "message": "no database"})

    with pytest.raises(ServerError, match="start-up"):
        with serve_http2(failing_lifespan, certificate=certificate):
            pass


def test_http3_get_fetches_every_path_on_one_quic_connection(ca, certificate):
    with serve_http3(version_app, certificate=certificate) as address:
        answered.clear()
        exchange = http3_get(address, "/slow", "/fast", ca=ca)
    assert isinstance(exchange, HTTP3Exchange)
    assert exchange.alpn == "h3"
    assert [r.stream_id for r in exchange.responses] == [0, 4]
    slow, fast = exchange.responses
    assert slow == HTTP3Response(0, 200, {**slow.headers}, b"3")
    assert fast.headers["x-kind"] == "asgi" and ":status" not in fast.headers
    assert exchange.connection_id_lengths == (8, 8)
    last = {stream: n for n, (stream, _) in enumerate(exchange.events)}
    assert last[4] < last[0], "the fast answer is not held up by the slow one"
    assert (None, "HandshakeCompleted") in exchange.events


def test_http3_get_defaults_to_the_root_path(ca, certificate):
    with serve_http3(version_app, certificate=certificate) as address:
        exchange = http3_get(address, ca=ca)
    assert [(r.status, r.body) for r in exchange.responses] == [(200, b"3")]


def test_http3_get_refuses_a_server_whose_ca_it_does_not_trust(certificate):
    with serve_http3(version_app, certificate=certificate) as address:
        with pytest.raises(ConnectionError, match="unable to get local issuer certificate"):
            http3_get(address, ca=LocalCA())
