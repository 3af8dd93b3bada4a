"""FakeClock, the database/Redis switches and the strict `expect` of exercise tests."""

import pytest
from sqlalchemy import text

from backend_roadmap import FakeClock, connect_database, connect_redis, expect


def test_fake_clock_moves_only_when_told():
    clock = FakeClock()
    assert clock() == clock.time() == clock.monotonic() == 1_735_689_600.0
    clock.advance(90)
    clock.sleep(10)
    assert clock() == 1_735_689_700.0
    assert clock.now().isoformat() == "2025-01-01T00:01:40+00:00"
    with pytest.raises(ValueError, match="cannot go back"):
        clock.advance(-1)


def test_database_defaults_to_one_shared_in_memory_sqlite(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    engine = connect_database()
    with engine.begin() as conn:
        conn.execute(text("create table t (x int)"))
        conn.execute(text("insert into t values (1)"))
    with engine.connect() as conn:
        assert conn.execute(text("select x from t")).scalar_one() == 1
    assert engine.dialect.name == "sqlite"


def test_database_url_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'shop.db'}")
    assert connect_database().url.database.endswith("shop.db")


def test_redis_defaults_to_a_fresh_fakeredis_with_decoded_replies(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    first, second = connect_redis(), connect_redis()
    first.set("greeting", "hello")
    assert first.get("greeting") == "hello"
    assert second.get("greeting") is None


class AlwaysEqual:
    def __eq__(self, other):
        return True


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("200", 200),
        (200.0, 200),
        (True, 1),
        (AlwaysEqual(), 200),
        ([1, "2"], [1, 2]),
        ({"a": 1}, {"a": 1, "b": 2}),
        ((1, 2), [1, 2]),
        ({"a": [1, 2.0]}, {"a": [1, 2]}),
    ],
)
def test_expect_rejects_look_alikes(actual, expected):
    with pytest.raises(AssertionError, match="expected"):
        expect(actual, expected, "the answer")


def test_expect_accepts_equal_values_of_equal_types_and_names_the_difference():
    expect({"a": [1, (2, "x")]}, {"a": [1, (2, "x")]})
    with pytest.raises(AssertionError) as caught:
        expect("404", 404, "the status code")
    assert str(caught.value) == "the status code: expected int 404, got str '404'"
