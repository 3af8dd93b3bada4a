"""HTTP/2 and HTTP/3 on loopback: serve an app with hypercorn, fetch over QUIC with aioquic.

``serve_http2`` serves a WSGI or ASGI app over TLS on TCP; ALPN picks ``h2`` for clients
that offer it (``httpx.Client(http2=True)``) and ``http/1.1`` for the others.
``serve_http3`` serves the same app over QUIC on UDP (ALPN ``h3``). Both need a certificate
from ``LocalCA``: HTTP/2 in practice, and QUIC always, runs inside TLS. ``http3_get`` is a
small HTTP/3 client (httpx has none) that sends GETs on one QUIC connection and records what
happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from backend_roadmap.net.serving import (
    LOOPBACK,
    START_TIMEOUT,
    STOP_TIMEOUT,
    Address,
    ServerError,
    _bind,
    is_asgi,
)


class _Records(logging.Handler):
    """Keep what hypercorn logs at ERROR and above, instead of printing it to stderr."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def describe(self) -> str:
        first = self.records[0]
        if first.exc_info and first.exc_info[1] is not None:
            error = first.exc_info[1]
            text = f"the app raised {type(error).__name__}: {error}"
        else:
            text = f"the app server logged: {first.getMessage()}"
        more = len(self.records) - 1
        return text + (f" (and {more} more)" if more else "")


@contextlib.contextmanager
def _certificate_files(certificate: Any) -> Iterator[tuple[str, str]]:
    """The chain and the key as two PEM files (aioquic wants them apart)."""
    with tempfile.TemporaryDirectory(prefix="backend-roadmap-tls-") as folder:
        chain = os.path.join(folder, "chain.pem")
        key = os.path.join(folder, "key.pem")
        with open(chain, "wb") as out:
            out.write(b"".join(blob.bytes() for blob in certificate.cert_chain_pems))
        with open(key, "wb") as out:
            out.write(certificate.private_key_pem.bytes())
        yield chain, key


@contextlib.contextmanager
def _serve_hypercorn(
    app: Any, certificate: Any, kind: int, port: int, allow_errors: bool
) -> Iterator[int]:
    from hypercorn.asyncio.run import worker_serve
    from hypercorn.config import Config, Sockets
    from hypercorn.utils import wrap_app

    if certificate is None:
        raise ValueError("HTTP/2 and HTTP/3 run inside TLS here: pass a LocalCA certificate")
    sock = _bind(kind, port)
    bound_port = sock.getsockname()[1]
    with contextlib.ExitStack() as stack:
        stack.callback(sock.close)
        chain, key = stack.enter_context(_certificate_files(certificate))
        records = _Records()
        log = logging.getLogger(f"backend_roadmap.hypercorn.{kind}.{bound_port}")
        log.propagate = False
        log.addHandler(records)
        stack.callback(log.removeHandler, records)
        config = Config()
        config.certfile, config.keyfile = chain, key
        config.errorlog = log
        config.accesslog = None
        config.include_server_header = False
        # Requests have had their answers when the ``with`` ends. Hypercorn's QUIC server
        # notices a shutdown only on its next datagram, so do not wait long for it.
        config.graceful_timeout = 1.0 if kind == socket.SOCK_STREAM else 0.05
        if kind == socket.SOCK_STREAM:
            sock.listen(128)
            sockets = Sockets([sock], [], [])
        else:
            sockets = Sockets([], [], [sock])
        mode = "asgi" if is_asgi(app) else "wsgi"
        loop = asyncio.new_event_loop()
        stop = asyncio.Event()
        started = threading.Event()
        failure: list[BaseException] = []

        async def until_stopped() -> None:
            started.set()  # hypercorn awaits this once every socket is served
            await stop.wait()

        def run() -> None:
            try:
                loop.run_until_complete(
                    worker_serve(
                        wrap_app(app, config.wsgi_max_body_size, mode),
                        config,
                        sockets=sockets,
                        shutdown_trigger=until_stopped,
                    )
                )
            except BaseException as exc:  # noqa: BLE001 - reported to the caller below
                failure.append(exc)
            finally:
                started.set()
                # Hypercorn leaves its UDP transport open; close it, and with it the socket.
                for transport in list(getattr(loop, "_transports", {}).values()):
                    transport.close()
                loop.run_until_complete(asyncio.sleep(0.01))
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        thread = threading.Thread(target=run, name=f"hypercorn:{bound_port}", daemon=True)
        thread.start()
        started.wait(START_TIMEOUT)
        if failure or not thread.is_alive():
            reason = repr(failure[0]) if failure else "it exited before serving"
            raise ServerError(f"the app server stopped during start-up: {reason}")
        ok = False
        try:
            yield bound_port
            ok = True
        finally:
            if not loop.is_closed():
                with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                    loop.call_soon_threadsafe(stop.set)
            thread.join(STOP_TIMEOUT)
        if ok and records.records and not allow_errors:
            raise ServerError(records.describe() + "; pass allow_errors=True if that is the point")


@contextlib.contextmanager
def serve_http2(
    app: Any, *, certificate: Any, port: int = 0, allow_errors: bool = False
) -> Iterator[Address]:
    """Serve a WSGI or ASGI ``app`` over TLS on TCP, speaking HTTP/2 (and HTTP/1.1).

    ALPN chooses the protocol during the TLS handshake: ``h2`` when the client offers it,
    ``http/1.1`` otherwise. ``certificate`` comes from ``LocalCA().issue_certificate()``.
    An exception in the app is a 500 for the client and a ``ServerError`` when the ``with``
    ends, unless ``allow_errors=True``.
    """
    with _serve_hypercorn(app, certificate, socket.SOCK_STREAM, port, allow_errors) as bound:
        yield Address(LOOPBACK, bound, "https")


@contextlib.contextmanager
def serve_http3(
    app: Any, *, certificate: Any, port: int = 0, allow_errors: bool = False
) -> Iterator[Address]:
    """Serve a WSGI or ASGI ``app`` over QUIC on a UDP port, speaking HTTP/3 (ALPN ``h3``).

    The address's port is a UDP port: fetch from it with ``http3_get``.
    """
    with _serve_hypercorn(app, certificate, socket.SOCK_DGRAM, port, allow_errors) as bound:
        yield Address(LOOPBACK, bound, "https")


@dataclass(frozen=True)
class HTTP3Response:
    """One response of an HTTP/3 exchange, and the QUIC stream that carried it."""

    stream_id: int
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class HTTP3Exchange:
    """What ``http3_get`` saw: the protocol chosen, the responses in request order, the
    QUIC connection IDs' lengths in bytes, and every event in arrival order as
    ``(stream_id or None, event name)``."""

    alpn: str | None
    responses: list[HTTP3Response]
    connection_id_lengths: tuple[int, int]
    events: list[tuple[int | None, str]] = field(default_factory=list)


async def _http3_get(address: Address, paths: tuple[str, ...], ca: Any, host: str) -> Any:
    from aioquic.asyncio import connect
    from aioquic.asyncio.protocol import QuicConnectionProtocol
    from aioquic.h3.connection import H3_ALPN, H3Connection
    from aioquic.h3.events import DataReceived, HeadersReceived
    from aioquic.quic.configuration import QuicConfiguration

    class Client(QuicConnectionProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.h3 = H3Connection(self._quic)
            self.events: list[tuple[int | None, str]] = []
            self.headers: dict[int, list[tuple[bytes, bytes]]] = {}
            self.bodies: dict[int, bytes] = {}
            self.waiting: dict[int, asyncio.Future[None]] = {}

        def quic_event_received(self, event: Any) -> None:
            self.events.append((getattr(event, "stream_id", None), type(event).__name__))
            for h3_event in self.h3.handle_event(event):
                stream = h3_event.stream_id
                self.events.append((stream, "h3." + type(h3_event).__name__))
                if isinstance(h3_event, HeadersReceived):
                    self.headers[stream] = h3_event.headers
                elif isinstance(h3_event, DataReceived):
                    self.bodies[stream] = self.bodies.get(stream, b"") + h3_event.data
                ended = getattr(h3_event, "stream_ended", False)
                if ended and stream in self.waiting and not self.waiting[stream].done():
                    self.waiting[stream].set_result(None)

    configuration = QuicConfiguration(is_client=True, alpn_protocols=H3_ALPN, server_name=host)
    configuration.load_verify_locations(cadata=ca.certificate_pem)
    configuration.idle_timeout = START_TIMEOUT
    made: list[Client] = []

    def create_protocol(*args: Any, **kwargs: Any) -> Client:
        made.append(Client(*args, **kwargs))
        return made[-1]

    async def exchange(client: Client) -> HTTP3Exchange:
        quic = client._quic
        stream_ids = []
        for path in paths:
            stream_id = quic.get_next_available_stream_id()
            client.waiting[stream_id] = asyncio.get_running_loop().create_future()
            client.h3.send_headers(
                stream_id,
                [
                    (b":method", b"GET"),
                    (b":scheme", b"https"),
                    (b":authority", f"{host}:{address.port}".encode()),
                    (b":path", path.encode()),
                ],
                end_stream=True,
            )
            stream_ids.append(stream_id)
        client.transmit()
        await asyncio.wait_for(asyncio.gather(*client.waiting.values()), START_TIMEOUT)
        responses = []
        for stream_id in stream_ids:
            headers = {k.decode(): v.decode() for k, v in client.headers[stream_id]}
            status = int(headers.pop(":status"))
            body = client.bodies.get(stream_id, b"")
            responses.append(HTTP3Response(stream_id, status, headers, body))
        lengths = (len(quic.host_cid), len(quic._peer_cid.cid))
        return HTTP3Exchange(quic.tls.alpn_negotiated, responses, lengths, client.events)

    try:
        async with connect(
            address.host, address.port, configuration=configuration, create_protocol=create_protocol
        ):
            return await exchange(made[0])
    except ConnectionError as exc:  # aioquic's says no more; the connection's close event does
        close = made[0]._quic._close_event if made else None
        reason = close.reason_phrase if close is not None else "no reason given"
        raise ConnectionError(f"the QUIC connection failed: {reason}") from exc


def http3_get(address: Address, *paths: str, ca: Any, host: str = "localhost") -> HTTP3Exchange:
    """GET each of ``paths`` (default ``/``) over ONE QUIC connection, all at once.

    ``ca`` is the ``LocalCA`` whose certificate the server presents; ``host`` is the name
    checked against it. Runs its own event loop in a thread, so it works in a notebook too.
    """
    result: list[Any] = []

    def run() -> None:
        try:
            result.append(asyncio.run(_http3_get(address, paths or ("/",), ca, host)))
        except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread
            result.append(exc)

    thread = threading.Thread(target=run, name="http3_get", daemon=True)
    thread.start()
    thread.join(START_TIMEOUT + STOP_TIMEOUT)
    if not result:
        raise TimeoutError(f"no HTTP/3 answer from {address.host}:{address.port}")
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]
