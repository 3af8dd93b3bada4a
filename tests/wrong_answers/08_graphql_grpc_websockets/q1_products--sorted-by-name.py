"""Sorts the products by name instead of by price: the filter is right, the order is not."""


@strawberry.type
class Product:
    id: int
    name: str
    price_cents: int


@strawberry.type
class Query:
    @strawberry.field
    def products(self, max_price_cents: int | None = None) -> list[Product]:
        """Products cheapest first (ties by id), at most max_price_cents if given."""
        with db.connect() as conn:
            rows = conn.execute(text("SELECT id, name, price_cents FROM products ORDER BY name"))
            return [
                Product(id=r.id, name=r.name, price_cents=r.price_cents)
                for r in rows
                if max_price_cents is None or r.price_cents <= max_price_cents
            ]


catalogue = strawberry.Schema(query=Query)
