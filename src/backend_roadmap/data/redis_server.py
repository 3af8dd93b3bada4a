"""A real Redis server for tests and demos: ``redis-server`` (or ``valkey-server``) started in a
temporary directory, listening on a Unix socket or on 127.0.0.1, stopped on exit.

Debian ships both as packages (``apt-get install redis-server``). When neither binary is on
``PATH``, :func:`redis_server_binary` returns ``None`` and :func:`redis_server` raises
:class:`RedisServerUnavailable`, so callers can skip or fall back to fakeredis.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BINARIES = ("redis-server", "valkey-server")


class RedisServerUnavailable(RuntimeError):
    """No Redis-compatible server binary on PATH, or it did not start."""


@dataclass(frozen=True)
class RedisServer:
    """A running server: the URL redis-py connects to, and its data directory."""

    url: str
    directory: Path
    binary: str


def redis_server_binary() -> str | None:
    """The path of ``redis-server`` or ``valkey-server``, whichever is found first."""
    for name in BINARIES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def redis_server(
    *,
    unix_socket: bool = True,
    config: dict[str, str] | None = None,
    directory: Path | str | None = None,
    timeout: float = 10.0,
) -> Iterator[RedisServer]:
    """Start a private Redis server and yield it; stop it and delete its files on exit.

    ``unix_socket=True`` listens on a socket file only (no TCP port at all); otherwise on a free
    port of 127.0.0.1. ``config`` adds directives, e.g. ``{"appendonly": "yes"}``. Persistence is
    off unless ``config`` turns it on, so a test server leaves nothing behind. ``directory``
    keeps the data files there instead of a temporary directory, so a second server started on
    the same directory loads what the first one saved (the socket and log stay temporary).
    """
    binary = redis_server_binary()
    if binary is None:
        raise RedisServerUnavailable(f"none of {', '.join(BINARIES)} is on PATH")
    with tempfile.TemporaryDirectory(prefix="redis-") as tmp:
        run = Path(tmp)
        data = Path(directory) if directory is not None else run
        data.mkdir(parents=True, exist_ok=True)
        settings = {"dir": str(data), "save": '""', "appendonly": "no", "daemonize": "no"}
        if unix_socket:
            path = run / "redis.sock"
            settings |= {"port": "0", "unixsocket": str(path), "unixsocketperm": "700"}
            url = f"unix://{path}"
        else:
            port = _free_port()
            settings |= {"port": str(port), "bind": "127.0.0.1"}
            url = f"redis://127.0.0.1:{port}/0"
        settings |= config or {}
        conf = run / "redis.conf"
        conf.write_text("".join(f"{key} {value}\n" for key, value in settings.items()))
        log = (run / "server.log").open("w")
        process = subprocess.Popen([binary, str(conf)], stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_ready(url, process, timeout, run)
            yield RedisServer(url=url, directory=data, binary=Path(binary).name)
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def _wait_until_ready(url: str, process, timeout: float, run: Path) -> None:
    import redis

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = (run / "server.log").read_text()[-2000:]
            raise RedisServerUnavailable(f"the server exited with {process.returncode}: {output}")
        try:
            with redis.Redis.from_url(url, socket_timeout=1) as client:
                if client.ping():
                    return
        except (redis.ConnectionError, redis.BusyLoadingError, FileNotFoundError):
            time.sleep(0.02)
    process.kill()
    raise RedisServerUnavailable(f"the server did not answer within {timeout} s")
