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


def test_expect_never_runs_learner_code_on_a_failure():
    """A failing comparison shows the type of a learner's object, not its ``__repr__``."""
    calls = []

    class Sneaky:
        def __repr__(self):
            calls.append("repr")
            return "200"

        def __eq__(self, other):
            calls.append("eq")
            return True

        __hash__ = object.__hash__

    for actual, expected in [
        (Sneaky(), 200),
        ([Sneaky()], [200]),
        ({Sneaky(): 1}, {200: 1}),
        ({Sneaky()}, {200}),
        ({"a": Sneaky()}, {"a": 200}),
    ]:
        with pytest.raises(AssertionError) as failure:
            expect(actual, expected, "answer")
        assert " object" in str(failure.value) or "not a built-in" in str(failure.value)
    assert calls == []


def test_expect_rejects_look_alike_set_elements_and_dict_keys():
    class LooksLike200:
        def __eq__(self, other):
            return other == 200

        def __hash__(self):
            return hash(200)

    with pytest.raises(AssertionError):
        expect({LooksLike200()}, {200})
    with pytest.raises(AssertionError):
        expect({LooksLike200(): "ok"}, {200: "ok"})
    expect({1, 2}, {2, 1})
    expect({"b": 1, "a": 2}, {"a": 2, "b": 1})
