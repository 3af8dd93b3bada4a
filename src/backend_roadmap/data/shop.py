"""The course's shop: one seeded, generated dataset for the SQL and ORM chapters.

``shop_database(engine, size=200, seed=0)`` (re)creates five tables on any SQLAlchemy engine
(SQLite or PostgreSQL) and fills them with the same rows on both:

- ``categories(id, name, parent_id)``: a fixed tree, ``All`` at the root;
- ``customers(id, name, email, city, signed_up)``: ``size`` customers; some have no city
  (NULL) and some never order (customers 1 and 2 always do);
- ``products(id, name, category_id, price_cents)``: prices in integer cents, never floats;
- ``orders(id, customer_id, ordered_on, status)``: about three per customer;
- ``order_items(order_id, product_id, quantity, unit_price_cents)``.

It returns the number of rows in each table. The same ``size`` and ``seed`` give the same
rows on every engine and every run.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlalchemy

#: The category tree as (id, name, parent id).
CATEGORIES = [
    (1, "All", None),
    (2, "Electronics", 1),
    (3, "Home", 1),
    (4, "Books", 1),
    (5, "Phones", 2),
    (6, "Laptops", 2),
    (7, "Audio", 2),
    (8, "Headphones", 7),
    (9, "Kitchen", 3),
    (10, "Garden", 3),
    (11, "Fiction", 4),
    (12, "Non-fiction", 4),
]
LEAF_CATEGORIES = [5, 6, 8, 9, 10, 11, 12]
CITIES = ["Berlin", "Lisbon", "Nairobi", "Osaka", "Lima", "Toronto"]
FIRST = ["Ada", "Alan", "Grace", "Linus", "Barbara", "Ken", "Margaret", "Dennis", "Edsger"]
LAST = ["Lovelace", "Turing", "Hopper", "Torvalds", "Liskov", "Thompson", "Hamilton", "Ritchie"]
STATUSES = ["paid", "paid", "paid", "shipped", "shipped", "cancelled"]
FIRST_DAY = dt.date(2025, 1, 1)


def shop_metadata() -> sqlalchemy.MetaData:
    """The shop's five tables as SQLAlchemy Core ``Table`` objects (not yet created)."""
    from sqlalchemy import Column, Date, ForeignKey, Integer, MetaData, String, Table

    metadata = MetaData()
    Table(
        "categories",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(40), nullable=False, unique=True),
        Column("parent_id", Integer, ForeignKey("categories.id")),
    )
    Table(
        "customers",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(60), nullable=False),
        Column("email", String(120), nullable=False, unique=True),
        Column("city", String(40)),
        Column("signed_up", Date, nullable=False),
    )
    Table(
        "products",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(60), nullable=False),
        Column("category_id", Integer, ForeignKey("categories.id"), nullable=False),
        Column("price_cents", Integer, nullable=False),
    )
    Table(
        "orders",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False),
        Column("ordered_on", Date, nullable=False),
        Column("status", String(12), nullable=False),
    )
    Table(
        "order_items",
        metadata,
        Column("order_id", Integer, ForeignKey("orders.id"), primary_key=True),
        Column("product_id", Integer, ForeignKey("products.id"), primary_key=True),
        Column("quantity", Integer, nullable=False),
        Column("unit_price_cents", Integer, nullable=False),
    )
    return metadata


def shop_rows(size: int = 200, seed: int = 0) -> dict[str, list[dict]]:
    """The rows ``shop_database`` inserts, table by table (no database needed)."""
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size!r}")
    rng = random.Random(seed)
    customers = []
    for number in range(1, size + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        customers.append(
            {
                "id": number,
                "name": f"{first} {last}",
                "email": f"{first.lower()}.{last.lower()}.{number}@example.com",
                # About one customer in eight has not told us a city: NULL, not "".
                "city": None if rng.random() < 0.125 else rng.choice(CITIES),
                "signed_up": FIRST_DAY + dt.timedelta(days=rng.randrange(365)),
            }
        )
    products = []
    for number in range(1, max(12, size // 4) + 1):
        category = LEAF_CATEGORIES[(number - 1) % len(LEAF_CATEGORIES)]
        products.append(
            {
                "id": number,
                "name": f"Product {number:04d}",
                "category_id": category,
                "price_cents": rng.randrange(199, 99_999, 100),
            }
        )
    orders, items = [], []
    # One customer in five never orders; the others order one to five times. Customers 1 and
    # 2 always order, so examples can start from them.
    buyers = [c for c in customers if rng.random() >= 0.2 or c["id"] <= 2]
    for customer in buyers:
        for _ in range(rng.randint(1, 5)):
            order_id = len(orders) + 1
            day = customer["signed_up"] + dt.timedelta(days=rng.randrange(180))
            orders.append(
                {
                    "id": order_id,
                    "customer_id": customer["id"],
                    "ordered_on": day,
                    "status": rng.choice(STATUSES),
                }
            )
            # The last product is never ordered, for the joins that keep unmatched rows.
            for product in rng.sample(products[:-1], rng.randint(1, min(4, len(products) - 1))):
                items.append(
                    {
                        "order_id": order_id,
                        "product_id": product["id"],
                        "quantity": rng.randint(1, 3),
                        "unit_price_cents": product["price_cents"],
                    }
                )
    categories = [{"id": i, "name": n, "parent_id": p} for i, n, p in CATEGORIES]
    return {
        "categories": categories,
        "customers": customers,
        "products": products,
        "orders": orders,
        "order_items": items,
    }


def shop_database(engine: sqlalchemy.Engine, size: int = 200, seed: int = 0) -> dict[str, int]:
    """(Re)create the shop's tables on ``engine`` and fill them; return rows per table.

    Existing shop tables (and anything that depends on them, on PostgreSQL) are dropped
    first, so a cell that calls it can be run again.
    """
    import sqlalchemy

    metadata = shop_metadata()
    rows = shop_rows(size, seed)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            for table in reversed(metadata.sorted_tables):
                connection.execute(sqlalchemy.text(f"DROP TABLE IF EXISTS {table.name} CASCADE"))
        else:
            metadata.drop_all(connection)
        metadata.create_all(connection)
        for table in metadata.sorted_tables:
            if rows[table.name]:
                connection.execute(table.insert(), rows[table.name])
        if connection.dialect.name == "postgresql":
            # The rows came with their ids: move each id sequence past them, so an INSERT
            # without an id gets the next free one, as it does on SQLite.
            for name in ("categories", "customers", "products", "orders"):
                connection.execute(
                    sqlalchemy.text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) "
                        f"FROM {name}"
                    )
                )
    return {name: len(table_rows) for name, table_rows in rows.items()}
