"""backend_roadmap.data.shop: the seeded shop dataset, the same on every engine."""

import datetime as dt

import pytest
import sqlalchemy

from backend_roadmap import (
    connect_database,
    embedded_postgres_available,
    postgres_server,
    shop_database,
    shop_rows,
)

SUMMARY = "SELECT count(*), sum(quantity * unit_price_cents) FROM order_items"


def test_same_seed_same_rows_and_another_seed_other_rows():
    assert shop_rows(50, seed=1) == shop_rows(50, seed=1)
    assert shop_rows(50, seed=1) != shop_rows(50, seed=2)


def test_size_scales_customers_and_products():
    rows = shop_rows(400)
    assert len(rows["customers"]) == 400
    assert len(rows["products"]) == 100
    assert len(rows["orders"]) > 400


def test_the_shapes_the_chapters_rely_on_are_present():
    rows = shop_rows(200)
    assert any(c["city"] is None for c in rows["customers"])
    buyers = {o["customer_id"] for o in rows["orders"]}
    assert len(buyers) < len(rows["customers"])  # some customers never order
    assert {1, 2} <= buyers  # the examples start from customers 1 and 2
    ordered = {i["product_id"] for i in rows["order_items"]}
    assert rows["products"][-1]["id"] not in ordered  # some product is never ordered
    assert all(isinstance(p["price_cents"], int) for p in rows["products"])
    parents = {c["parent_id"] for c in rows["categories"]}
    assert None in parents and len(parents) > 3  # a tree, several levels deep


def test_orders_are_after_sign_up_and_item_keys_are_unique():
    rows = shop_rows(100)
    signed = {c["id"]: c["signed_up"] for c in rows["customers"]}
    assert all(o["ordered_on"] >= signed[o["customer_id"]] for o in rows["orders"])
    keys = [(i["order_id"], i["product_id"]) for i in rows["order_items"]]
    assert len(keys) == len(set(keys))


def test_size_must_be_positive():
    with pytest.raises(ValueError, match="size"):
        shop_rows(0)


def test_on_sqlite_it_creates_fills_and_can_run_again():
    engine = connect_database("sqlite://")
    counts = shop_database(engine, size=30)
    counts_again = shop_database(engine, size=30)
    assert counts == counts_again
    with engine.connect() as connection:
        assert connection.execute(sqlalchemy.text("SELECT count(*) FROM customers")).scalar() == 30
        day = connection.execute(sqlalchemy.text("SELECT min(ordered_on) FROM orders")).scalar()
    assert day.startswith("2025-")  # SQLite keeps dates as ISO text


@pytest.mark.skipif(not embedded_postgres_available(), reason="no embedded PostgreSQL")
def test_postgresql_gets_exactly_the_same_rows():
    sqlite = connect_database("sqlite://")
    shop_database(sqlite, size=40, seed=3)
    with sqlite.connect() as connection:
        expected = tuple(connection.execute(sqlalchemy.text(SUMMARY)).one())
    with postgres_server() as pg:
        engine = pg.engine()
        counts = shop_database(engine, size=40, seed=3)
        shop_database(engine, size=40, seed=3)  # again, over the first
        with engine.connect() as connection:
            found = tuple(connection.execute(sqlalchemy.text(SUMMARY)).one())
            first = connection.execute(sqlalchemy.text("SELECT min(ordered_on) FROM orders"))
            assert isinstance(first.scalar(), dt.date)
            new_id = connection.execute(
                sqlalchemy.text(
                    "INSERT INTO customers (name, email, signed_up) "
                    "VALUES ('New', 'new@example.com', '2025-06-01') RETURNING id"
                )
            ).scalar()
            assert new_id == 41  # the sequence continues after the generated rows
        engine.dispose()
    assert found == expected
    assert counts["order_items"] == expected[0]
