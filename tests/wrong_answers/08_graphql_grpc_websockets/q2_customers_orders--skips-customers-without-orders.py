"""Returns one list per customer who has orders: a customer without orders shifts the lists (or the DataLoader fails on a short result)."""


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
        return await info.context["orders"].load(self.id)


async def load_orders(customer_ids):
    """One list of Orders per customer id, in the order of customer_ids."""
    query = text(
        "SELECT id, customer_id, status FROM orders"
        " WHERE customer_id IN :ids ORDER BY id"
    ).bindparams(bindparam("ids", expanding=True))
    found = {}
    with db.connect() as conn:
        for row in conn.execute(query, {"ids": list(customer_ids)}):
            found.setdefault(row.customer_id, []).append(Order(id=row.id, status=row.status))
    return list(found.values())


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
