"""Chapter 08's helpers: GraphQL run in-process, a .proto compiled at run time and served
over gRPC, and a WebSocket server on loopback."""

import sys

import grpc
import pytest
import strawberry
from strawberry.dataloader import DataLoader
from websockets.exceptions import ConnectionClosedError
from websockets.sync.client import connect

from backend_roadmap import (
    ServerError,
    compile_proto,
    grpc_channel,
    run_graphql,
    serve_grpc,
    serve_websocket,
)

ECHO_PROTO = """
syntax = "proto3";
package unit_echo;
message Text { string value = 1; }
service Echo {
  rpc Say (Text) returns (Text);
  rpc Split (Text) returns (stream Text);
}
"""


@strawberry.type
class Query:
    @strawberry.field
    async def double(self, info: strawberry.Info, n: int) -> int:
        return await info.context["loader"].load(n)

    @strawberry.field
    def broken(self) -> int | None:
        raise ValueError("broken on purpose")


def test_run_graphql_returns_data_and_errors_with_paths(capsys):
    batches = []

    async def load(keys):
        batches.append(list(keys))
        return [key * 2 for key in keys]

    schema = strawberry.Schema(query=Query)
    reply = run_graphql(
        schema,
        "query ($n: Int!) { a: double(n: $n) b: double(n: 5) broken }",
        {"n": 2},
        context=lambda: {"loader": DataLoader(load_fn=load)},
    )
    assert reply["data"] == {"a": 4, "b": 10, "broken": None}
    assert [(e["message"], e["path"]) for e in reply["errors"]] == [
        ("broken on purpose", ["broken"])
    ]
    assert batches == [[2, 5]]  # one batch for both fields
    assert capsys.readouterr().err == ""  # strawberry's error log is kept quiet


def test_run_graphql_has_no_errors_key_when_all_is_well_and_a_context_value_is_kept():
    async def load(keys):
        return [key + 1 for key in keys]

    schema = strawberry.Schema(query=Query)
    reply = run_graphql(schema, "{ double(n: 1) }", context={"loader": DataLoader(load)})
    assert reply == {"data": {"double": 2}}


def test_compile_proto_imports_the_generated_modules_and_caches_them():
    modules = compile_proto(ECHO_PROTO, "unit_echo")
    assert modules.messages.Text(value="x").SerializeToString() == b"\n\x01x"
    assert hasattr(modules.services, "add_EchoServicer_to_server")
    assert compile_proto(ECHO_PROTO, "unit_echo") is modules
    # the generated modules come from a folder that is gone: they stay out of sys.modules
    assert "unit_echo_pb2" not in sys.modules
    assert "unit_echo_pb2_grpc" not in sys.modules


def test_compile_proto_refuses_bad_input():
    with pytest.raises(ValueError, match="identifier"):
        compile_proto(ECHO_PROTO, "not-a-name")
    with pytest.raises(ValueError, match="protoc could not compile"):
        compile_proto("syntax = 'proto3'; message {", "unit_broken")


def test_serve_grpc_serves_unary_and_streaming_calls_with_status_codes():
    modules = compile_proto(ECHO_PROTO, "unit_echo")
    pb, rpc = modules.messages, modules.services

    class Echo(rpc.EchoServicer):
        def Say(self, request, context):
            if not request.value:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, "empty")
            return pb.Text(value=request.value.upper())

        def Split(self, request, context):
            for word in request.value.split():
                yield pb.Text(value=word)

    with serve_grpc(rpc.add_EchoServicer_to_server, Echo()) as address:
        assert address.host == "127.0.0.1"
        with grpc_channel(address) as channel:
            stub = rpc.EchoStub(channel)
            assert stub.Say(pb.Text(value="hi"), timeout=2).value == "HI"
            words = [t.value for t in stub.Split(pb.Text(value="a b c"), timeout=2)]
            assert words == ["a", "b", "c"]
            with pytest.raises(grpc.RpcError) as failure:
                stub.Say(pb.Text(value=""), timeout=2)
            assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with grpc_channel(address) as channel, pytest.raises(grpc.RpcError) as gone:
        rpc.EchoStub(channel).Say(pb.Text(value="hi"), timeout=0.5)
    assert gone.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def test_serve_websocket_echoes_and_stops():
    async def echo(websocket):
        async for message in websocket:
            await websocket.send(message[::-1])

    with serve_websocket(echo) as address:
        assert address.url.startswith("ws://127.0.0.1:")
        with connect(address.url) as client:
            client.send("abc")
            assert client.recv(timeout=2) == "cba"
    with pytest.raises(OSError):
        connect(address.url, open_timeout=1)


def test_serve_websocket_reports_a_handler_that_raises():
    async def broken(websocket):
        raise RuntimeError("handler broke")

    with pytest.raises(ServerError, match="handler broke"):
        with serve_websocket(broken) as address, connect(address.url) as client:
            with pytest.raises(ConnectionClosedError):
                client.recv(timeout=2)
    with serve_websocket(broken, allow_errors=True) as address, connect(address.url) as c:
        with pytest.raises(ConnectionClosedError):
            c.recv(timeout=2)
