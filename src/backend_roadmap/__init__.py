"""Helpers shared by the course's chapter notebooks and exercises.

Everything here runs on this machine with no network: servers bind to 127.0.0.1 on a free
port, the certificate authority is made on the spot, and the databases default to SQLite and
fakeredis unless ``DATABASE_URL`` / ``REDIS_URL`` name real ones.
"""

from backend_roadmap.backends import connect_database, connect_redis
from backend_roadmap.checks import expect
from backend_roadmap.clock import FakeClock
from backend_roadmap.dns_server import DNSServer, serve_dns
from backend_roadmap.serving import Address, ServerError, serve_app, serve_tcp, serve_udp
from backend_roadmap.tls import LocalCA

__all__ = [
    "Address",
    "DNSServer",
    "FakeClock",
    "LocalCA",
    "ServerError",
    "connect_database",
    "connect_redis",
    "expect",
    "serve_app",
    "serve_dns",
    "serve_tcp",
    "serve_udp",
]
