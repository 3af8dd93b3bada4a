"""Serve an app or a socket handler on 127.0.0.1, on a free port, for the length of a ``with``.

``serve_app`` takes a WSGI app (Flask, a plain function) or an ASGI app (FastAPI, Starlette)
and serves it with uvicorn, so HTTP/1.1 keep-alive and chunked bodies behave as in production.
``serve_tcp`` and ``serve_udp`` run a plain function per connection or per datagram.
Each yields an :class:`Address`; leaving the ``with`` stops the server and waits for it.
"""

from __future__ import annotations

import contextlib
import errno
import inspect
import logging
import socket
import socketserver
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

LOOPBACK = "127.0.0.1"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


class ServerError(RuntimeError):
    """A server could not start, or its handler failed while it ran."""


@dataclass(frozen=True)
class Address:
    """Where a server listens: ``pair`` for sockets, ``url`` for HTTP clients."""

    host: str
    port: int
    scheme: str = "http"

    @property
    def pair(self) -> tuple[str, int]:
        return (self.host, self.port)

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


def _bind(kind: int, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, kind)
    try:
        sock.bind((LOOPBACK, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServerError(
                f"port {port} on {LOOPBACK} is already in use; pass port=0 to get a free one"
            ) from exc
        raise ServerError(f"could not bind {LOOPBACK}:{port}: {exc}") from exc
    return sock


def is_asgi(app: Any) -> bool:
    """ASGI apps are ``async`` callables of (scope, receive, send); WSGI apps are plain."""
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else type(app).__call__
    return inspect.iscoroutinefunction(call)


class _AppErrors(logging.Filter):
    """Keep what uvicorn logs from one server's thread instead of printing it to stderr."""

    def __init__(self, thread_name: str) -> None:
        super().__init__()
        self.thread_name = thread_name
        self.records: list[logging.LogRecord] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if record.threadName != self.thread_name:
            return True
        if record.levelno >= logging.ERROR:
            self.records.append(record)
        return False

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
def serve_app(
    app: Any, *, port: int = 0, certificate: Any = None, allow_errors: bool = False
) -> Iterator[Address]:
    """Serve a WSGI or ASGI ``app`` over HTTP (or HTTPS with a ``LocalCA`` certificate).

    An exception in the app becomes a 500 for the client, as in production, and is reported
    as a ``ServerError`` when the ``with`` ends; pass ``allow_errors=True`` where a demo
    makes the app fail on purpose. Nothing is printed to stderr either way.
    """
    import uvicorn
    from a2wsgi import WSGIMiddleware

    asgi_app = app if is_asgi(app) else WSGIMiddleware(app)
    sock = _bind(socket.SOCK_STREAM, port)
    with contextlib.ExitStack() as stack:
        stack.callback(sock.close)
        tls_options: dict[str, Any] = {}
        if certificate is not None:
            pem = stack.enter_context(certificate.private_key_and_cert_chain_pem.tempfile())
            tls_options = {"ssl_certfile": pem}
        config = uvicorn.Config(
            asgi_app,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="auto",
            **tls_options,
        )
        server = uvicorn.Server(config)
        failure: list[BaseException] = []

        def run() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as exc:  # noqa: BLE001 - reported to the caller below
                failure.append(exc)

        thread = threading.Thread(
            target=run, name=f"serve_app:{sock.getsockname()[1]}", daemon=True
        )
        errors = _AppErrors(thread.name)
        uvicorn_log = logging.getLogger("uvicorn.error")
        uvicorn_log.addFilter(errors)
        stack.callback(uvicorn_log.removeFilter, errors)
        thread.start()
        while not server.started and thread.is_alive():
            thread.join(0.01)
        if not server.started:
            if failure:
                reason = repr(failure[0])
            elif errors.records:
                reason = errors.describe()
            else:
                reason = "it exited before listening"
            raise ServerError(f"the app server stopped during start-up: {reason}")
        address = Address(LOOPBACK, sock.getsockname()[1], "https" if certificate else "http")
        ok = False
        try:
            yield address
            ok = True
        finally:
            server.should_exit = True
            thread.join(STOP_TIMEOUT)
            if thread.is_alive():
                server.force_exit = True
                thread.join(STOP_TIMEOUT)
        if ok and errors.records and not allow_errors:
            raise ServerError(errors.describe() + "; pass allow_errors=True if that is the point")


# Errors that mean "the client went away or refused us", not "the handler is broken".
_CLIENT_SIDE_ERRORS = (ConnectionError, ssl.SSLError, TimeoutError)


class _RecordingServer:
    """Mixin: keep handler exceptions instead of printing them to stderr."""

    errors: list[BaseException]

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        exc = sys.exc_info()[1]
        if exc is not None and not isinstance(exc, _CLIENT_SIDE_ERRORS):
            self.errors.append(exc)


class _TCPServer(_RecordingServer, socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    # socketserver's default backlog of 5 makes the 6th simultaneous client wait a second.
    request_queue_size = 128


class _UDPServer(_RecordingServer, socketserver.ThreadingUDPServer):
    daemon_threads = True
    block_on_close = False


@contextlib.contextmanager
def _run(server: Any, kind: str) -> Iterator[int]:
    server.errors = []
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=kind, daemon=True
    )
    thread.start()
    ok = False
    try:
        yield server.server_address[1]
        ok = True
    finally:
        server.shutdown()
        server.server_close()
        thread.join(STOP_TIMEOUT)
    if ok and server.errors:
        first = server.errors[0]
        raise ServerError(
            f"the {kind} handler raised {type(first).__name__}: {first}"
            + (f" (and {len(server.errors) - 1} more)" if len(server.errors) > 1 else "")
        ) from first


def _adopt(server_class: type, kind: int, port: int, handler_class: type) -> Any:
    sock = _bind(kind, port)
    server = server_class(sock.getsockname(), handler_class, bind_and_activate=False)
    server.socket.close()
    server.socket = sock
    if kind == socket.SOCK_STREAM:
        server.server_activate()
    return server


@contextlib.contextmanager
def serve_tcp(
    handler: Callable[[socket.socket, tuple[str, int]], None],
    *,
    port: int = 0,
    certificate: Any = None,
    alpn: list[str] | None = None,
) -> Iterator[Address]:
    """Call ``handler(connection, client_address)`` in a thread for each TCP connection.

    With a ``LocalCA`` ``certificate`` the connection is TLS, handshaken in the handler's
    thread; the handler reads and writes plain bytes either way. ``alpn`` lists the
    application protocols the server accepts, in its order of preference (``["h2",
    "http/1.1"]``); the handler reads the one chosen with ``selected_alpn_protocol()``.
    """
    tls = None
    if certificate is not None:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(tls)
        if alpn:
            tls.set_alpn_protocols(alpn)
    elif alpn:
        raise ValueError("ALPN is part of the TLS handshake: pass a certificate too")

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            conn = self.request
            if tls is not None:
                conn = tls.wrap_socket(conn, server_side=True)
            handler(conn, self.client_address)

    server = _adopt(_TCPServer, socket.SOCK_STREAM, port, Handler)
    with _run(server, "tcp") as bound_port:
        yield Address(LOOPBACK, bound_port, "tls" if tls else "tcp")


@contextlib.contextmanager
def serve_udp(
    handler: Callable[[bytes, tuple[str, int]], bytes | None], *, port: int = 0
) -> Iterator[Address]:
    """Call ``handler(datagram, client_address)`` per UDP datagram; reply with what it returns."""

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            data, sock = self.request
            reply = handler(data, self.client_address)
            if reply is not None:
                sock.sendto(reply, self.client_address)

    server = _adopt(_UDPServer, socket.SOCK_DGRAM, port, Handler)
    with _run(server, "udp") as bound_port:
        yield Address(LOOPBACK, bound_port, "udp")
