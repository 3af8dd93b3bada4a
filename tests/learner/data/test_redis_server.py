"""backend_roadmap.data.redis_server and connect_redis(empty=True) against a real server.

Skipped where neither redis-server nor valkey-server is installed (CI installs redis-server).
"""

from __future__ import annotations

import pytest

from backend_roadmap import RedisServerUnavailable, connect_redis, redis_server
from backend_roadmap.data import redis_server as module

needs_server = pytest.mark.skipif(
    module.redis_server_binary() is None, reason="no redis-server or valkey-server on PATH"
)


@needs_server
def test_a_server_on_a_unix_socket_answers_and_leaves_nothing_behind():
    with redis_server() as server:
        assert server.url.startswith("unix://")
        client = connect_redis(server.url)
        assert client.ping() is True
        assert client.config_get("port") == {"port": "0"}, "no TCP port is opened"
        directory = server.directory
        client.close()
    assert not directory.exists()


@needs_server
def test_a_server_on_loopback_tcp():
    with redis_server(unix_socket=False) as server:
        assert server.url.startswith("redis://127.0.0.1:")
        client = connect_redis(server.url)
        assert client.config_get("bind")["bind"] == "127.0.0.1"
        client.close()


@needs_server
def test_config_turns_persistence_on():
    with redis_server(config={"appendonly": "yes"}) as server:
        client = connect_redis(server.url)
        client.set("k", "v")
        client.save()
        assert (server.directory / "dump.rdb").exists()
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        client.close()


@needs_server
def test_connect_redis_empty_flushes_a_real_database_and_only_when_asked():
    with redis_server() as server:
        first = connect_redis(server.url)
        first.set("left", "over")
        assert connect_redis(server.url).get("left") == "over"
        assert connect_redis(server.url, empty=True).dbsize() == 0
        first.close()


def test_environment_variable_selects_the_real_server(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    client = connect_redis()
    assert client.connection_pool.connection_kwargs["port"] == 1


def test_fakeredis_clients_are_separate_and_empty():
    one, two = connect_redis(), connect_redis(empty=True)
    one.set("k", "v")
    assert two.get("k") is None and one.get("k") == "v"


def test_a_missing_binary_raises_a_clear_error(monkeypatch):
    monkeypatch.setattr(module, "redis_server_binary", lambda: None)
    with pytest.raises(RedisServerUnavailable, match="redis-server"):
        with redis_server():
            pass


@needs_server
def test_a_second_server_on_the_same_directory_loads_what_the_first_saved(tmp_path):
    with redis_server(directory=tmp_path) as first:
        client = connect_redis(first.url)
        client.set("survives", "a restart")
        client.save()
        client.close()
    assert (tmp_path / "dump.rdb").exists()
    with redis_server(directory=tmp_path) as second:
        client = connect_redis(second.url)
        assert client.get("survives") == "a restart"
        client.close()
