"""gRPC without a build step: compile a ``.proto`` at run time, serve it on loopback.

``compile_proto(source)`` writes the ``.proto`` text into a temporary directory, runs the
protocol compiler (``grpc_tools.protoc``, the same one ``python -m grpc_tools.protoc`` runs)
and imports the two generated modules: ``messages`` (the ``_pb2`` module, the message
classes) and ``services`` (the ``_pb2_grpc`` module, stubs, servicers and ``add_..._to_server``).
``serve_grpc(add_to_server, servicer)`` runs a real gRPC server on 127.0.0.1, on a free
port, for the length of a ``with`` block, and stops it when the block ends;
``grpc_channel(address)`` is a client channel to it, closed with its own ``with``.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from backend_roadmap.net.serving import LOOPBACK, Address, ServerError

#: Seconds a stopping server gives the calls still running.
STOP_GRACE = 1.0
_COMPILED: dict[str, ProtoModules] = {}

# gRPC's C core logs connection events (a GOAWAY when a server stops) to stderr at INFO
# level. The level is read when grpc is first imported: this helps when it is imported here.
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")


@dataclass(frozen=True)
class ProtoModules:
    """The modules generated from one ``.proto`` file."""

    messages: ModuleType
    services: ModuleType


def _load(name: str, path: Path) -> ModuleType:
    """Run a generated module from ``path`` without registering it in ``sys.modules``."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compile_proto(source: str, name: str = "service") -> ProtoModules:
    """Compile the ``.proto`` text ``source`` and import what it generates.

    ``name`` is the file's stem (``service`` gives ``service.proto``). Compiling the same text
    again returns the same modules, so a cell can be run twice.
    """
    if not name.isidentifier():
        raise ValueError(f"the proto file's name must be a Python identifier, not {name!r}")
    key = hashlib.sha256(f"{name}\0{source}".encode()).hexdigest()
    if key in _COMPILED:
        return _COMPILED[key]
    from grpc_tools import protoc

    include = Path(protoc.__file__).parent / "_proto"
    with tempfile.TemporaryDirectory(prefix="proto-") as folder:
        directory = Path(folder)
        (directory / f"{name}.proto").write_text(source, encoding="utf-8")
        status = protoc.main(
            [
                "protoc",
                f"-I{directory}",
                f"-I{include}",
                f"--python_out={directory}",
                f"--grpc_python_out={directory}",
                str(directory / f"{name}.proto"),
            ]
        )
        if status != 0:
            raise ValueError(f"protoc could not compile {name}.proto (exit status {status})")
        # The modules stay out of sys.modules (they come from a folder that is gone), except
        # the messages while the services module runs its ``import <name>_pb2``.
        messages = _load(f"{name}_pb2", directory / f"{name}_pb2.py")
        previous = sys.modules.get(messages.__name__)
        sys.modules[messages.__name__] = messages
        try:
            services = _load(f"{name}_pb2_grpc", directory / f"{name}_pb2_grpc.py")
        finally:
            if previous is None:
                del sys.modules[messages.__name__]
            else:
                sys.modules[messages.__name__] = previous
    modules = ProtoModules(messages, services)
    _COMPILED[key] = modules
    return modules


@contextlib.contextmanager
def serve_grpc(
    add_to_server: Callable[[Any, Any], None],
    servicer: Any,
    *,
    max_workers: int = 4,
    interceptors: tuple[Any, ...] = (),
) -> Iterator[Address]:
    """Serve ``servicer`` (registered by the generated ``add_..._to_server``) on loopback.

    Yields an :class:`Address`; a client connects with ``grpc_channel(address)``. Leaving
    the ``with`` stops the server: calls still running get ``STOP_GRACE`` seconds to
    finish, then are cancelled. A graceful stop also keeps the C core from logging a GOAWAY
    to stderr.
    """
    from concurrent import futures

    import grpc

    pool = futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="grpc")
    server = grpc.server(pool, interceptors=list(interceptors))
    try:
        add_to_server(servicer, server)
        port = server.add_insecure_port(f"{LOOPBACK}:0")
        if port == 0:
            raise ServerError(f"the gRPC server could not bind a port on {LOOPBACK}")
        server.start()
        yield Address(LOOPBACK, port, "grpc")
    finally:
        server.stop(grace=STOP_GRACE).wait()
        pool.shutdown(wait=True)


def grpc_channel(address: Address) -> Any:
    """A client channel to ``address`` (use it in a ``with``: leaving closes it).

    It keeps its connection to itself (a local subchannel pool), so closing the channel
    closes the connection, rather than leaving it shared for a server stopped later.
    """
    import grpc

    return grpc.insecure_channel(
        f"{address.host}:{address.port}", options=[("grpc.use_local_subchannel_pool", 1)]
    )
