"""Ignores the DataLoader: each customer's orders are one SELECT of their own (N+1)."""


@strawberry.type
class Order:
    id: int
    status: str


@strawberry.type
class Customer:
    id: int
    name: str

    @strawberry.field
    async def orders(self, info: strawberry.Info) -> list[Order]:
        """This customer's orders, by id, through the request's DataLoader."""
        with db.connect() as conn:
            rows = conn.execute(
                text("SELECT id, status FROM orders WHERE customer_id = :c ORDER BY id"),
                {"c": self.id},
            )
            return [Order(id=row.id, status=row.status) for row in rows]


async def load_orders(customer_ids):
    """One list of Orders per customer id, in the order of customer_ids."""
    query = text(
        "SELECT id, customer_id, status FROM orders"
        " WHERE customer_id IN :ids ORDER BY id"
    ).bindparams(bindparam("ids", expanding=True))
    found = {customer_id: [] for customer_id in customer_ids}
    with db.connect() as conn:
        for row in conn.execute(query, {"ids": list(customer_ids)}):
            found[row.customer_id].append(Order(id=row.id, status=row.status))
    return [found[customer_id] for customer_id in customer_ids]


@strawberry.type
class ShopQuery:
    @strawberry.field
    def customers(self, limit: int) -> list[Customer]:
        """The first `limit` customers, by id."""
        with db.connect() as conn:
            rows = conn.execute(
                text("SELECT id, name FROM customers ORDER BY id LIMIT :n"),
                {"n": limit},
            )
            return [Customer(id=row.id, name=row.name) for row in rows]


def make_context():
    """A new context for each request, with its own DataLoader (its own cache)."""
    return {"orders": DataLoader(load_fn=load_orders)}


shop = strawberry.Schema(query=ShopQuery)
