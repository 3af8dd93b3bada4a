"""Helpers for the course's chapter notebooks and exercises, grouped by the roadmap's parts.

Everything here runs on this machine with no network: servers bind to 127.0.0.1 on a free
port, the certificate authority is made on the spot, and the databases default to SQLite and
fakeredis unless ``DATABASE_URL`` / ``REDIS_URL`` name real ones.

``from backend_roadmap import serve_app`` imports only what that name needs: each name below is
loaded from its subpackage on first use (PEP 562), so a notebook's import cell stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

#: Every public name and the module that defines it. Subpackages follow the roadmap:
#: ``net`` (internet), ``system`` (operating systems), ``data`` (databases), and so on.
EXPORTS = {
    "expect": "backend_roadmap.checks",
    "FakeClock": "backend_roadmap.clock",
    "flow_diagram": "backend_roadmap.diagrams",
    "sequence_diagram": "backend_roadmap.diagrams",
    # the last cell of every exercise set: one line per answer, visible tests only
    "check_progress": "backend_roadmap.progress",
    # net: the internet chapter and every chapter that serves an app
    "Address": "backend_roadmap.net.serving",
    "ServerError": "backend_roadmap.net.serving",
    "serve_app": "backend_roadmap.net.serving",
    "serve_tcp": "backend_roadmap.net.serving",
    "serve_udp": "backend_roadmap.net.serving",
    "LocalCA": "backend_roadmap.net.tls",
    "LeafOnly": "backend_roadmap.net.tls",
    "DNSServer": "backend_roadmap.net.dns_server",
    "serve_dns": "backend_roadmap.net.dns_server",
    "tcp_states": "backend_roadmap.net.kernel_tcp",
    "HTTP3Exchange": "backend_roadmap.net.http_versions",
    "HTTP3Response": "backend_roadmap.net.http_versions",
    "http3_get": "backend_roadmap.net.http_versions",
    "serve_http2": "backend_roadmap.net.http_versions",
    "serve_http3": "backend_roadmap.net.http_versions",
    # system: the operating-systems chapter
    "generate_access_log": "backend_roadmap.system.access_log",
    "write_access_log": "backend_roadmap.system.access_log",
    "run_script": "backend_roadmap.system.processes",
    "ask": "backend_roadmap.system.workloads",
    "count_primes": "backend_roadmap.system.workloads",
    "in_pool": "backend_roadmap.system.workloads",
    "measure": "backend_roadmap.system.workloads",
    "measure_async": "backend_roadmap.system.workloads",
    # apis: the Python chapter and every chapter that grades a web service over HTTP
    "ANY": "backend_roadmap.apis.acceptance",
    "Call": "backend_roadmap.apis.acceptance",
    "HTTPCheckFailed": "backend_roadmap.apis.acceptance",
    "Reply": "backend_roadmap.apis.acceptance",
    "check_http": "backend_roadmap.apis.acceptance",
    "offline_docs": "backend_roadmap.apis.docs",
    "ConcurrencyGauge": "backend_roadmap.apis.slow_service",
    "SlowService": "backend_roadmap.apis.slow_service",
    "serve_slow": "backend_roadmap.apis.slow_service",
    # apis: GraphQL, gRPC and WebSockets (chapter 08)
    "run_graphql": "backend_roadmap.apis.graphql",
    "ProtoModules": "backend_roadmap.apis.grpc_runtime",
    "compile_proto": "backend_roadmap.apis.grpc_runtime",
    "grpc_channel": "backend_roadmap.apis.grpc_runtime",
    "serve_grpc": "backend_roadmap.apis.grpc_runtime",
    "serve_websocket": "backend_roadmap.apis.websocket_server",
    # auth: the authentication chapter's local OAuth 2.0 / OpenID Connect server
    "OAuthClient": "backend_roadmap.auth.oauth_server",
    "authorization_server": "backend_roadmap.auth.oauth_server",
    # security: the security chapter's deliberately vulnerable blog (XSS)
    "XSSBlog": "backend_roadmap.security.xss",
    # data: SQL, NoSQL and ORM chapters
    "connect_database": "backend_roadmap.data.backends",
    "connect_redis": "backend_roadmap.data.backends",
    "PostgresServer": "backend_roadmap.data.postgres",
    "PostgresUnavailable": "backend_roadmap.data.postgres",
    "embedded_postgres_available": "backend_roadmap.data.postgres",
    "postgres_server": "backend_roadmap.data.postgres",
    "count_queries": "backend_roadmap.data.queries",
    "QueryLog": "backend_roadmap.data.queries",
    "shop_database": "backend_roadmap.data.shop",
    "shop_metadata": "backend_roadmap.data.shop",
    "shop_rows": "backend_roadmap.data.shop",
    "RedisServerUnavailable": "backend_roadmap.data.redis_server",
    "redis_server": "backend_roadmap.data.redis_server",
}

__all__ = sorted(EXPORTS)


def __getattr__(name: str):
    module = EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'backend_roadmap' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(EXPORTS))


if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from backend_roadmap.apis.acceptance import ANY, Call, HTTPCheckFailed, Reply, check_http
    from backend_roadmap.apis.docs import offline_docs
    from backend_roadmap.apis.graphql import run_graphql
    from backend_roadmap.apis.grpc_runtime import (
        ProtoModules,
        compile_proto,
        grpc_channel,
        serve_grpc,
    )
    from backend_roadmap.apis.slow_service import ConcurrencyGauge, SlowService, serve_slow
    from backend_roadmap.apis.websocket_server import serve_websocket
    from backend_roadmap.auth.oauth_server import OAuthClient, authorization_server
    from backend_roadmap.checks import expect
    from backend_roadmap.clock import FakeClock
    from backend_roadmap.data.backends import connect_database, connect_redis
    from backend_roadmap.data.postgres import (
        PostgresServer,
        PostgresUnavailable,
        embedded_postgres_available,
        postgres_server,
    )
    from backend_roadmap.data.queries import QueryLog, count_queries
    from backend_roadmap.data.redis_server import RedisServerUnavailable, redis_server
    from backend_roadmap.data.shop import shop_database, shop_metadata, shop_rows
    from backend_roadmap.diagrams import flow_diagram, sequence_diagram
    from backend_roadmap.net.dns_server import DNSServer, serve_dns
    from backend_roadmap.net.http_versions import (
        HTTP3Exchange,
        HTTP3Response,
        http3_get,
        serve_http2,
        serve_http3,
    )
    from backend_roadmap.net.kernel_tcp import tcp_states
    from backend_roadmap.net.serving import Address, ServerError, serve_app, serve_tcp, serve_udp
    from backend_roadmap.net.tls import LeafOnly, LocalCA
    from backend_roadmap.progress import check_progress
    from backend_roadmap.security.xss import XSSBlog
    from backend_roadmap.system.access_log import generate_access_log, write_access_log
    from backend_roadmap.system.processes import run_script
    from backend_roadmap.system.workloads import (
        ask,
        count_primes,
        in_pool,
        measure,
        measure_async,
    )
