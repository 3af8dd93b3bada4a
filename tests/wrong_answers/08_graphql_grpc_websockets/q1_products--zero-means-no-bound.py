"""Tests the bound with `if max_price_cents:`, so a bound of 0 means "no bound" and every
product comes back."""


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
        sql = "SELECT id, name, price_cents FROM products"
        params = {}
        if max_price_cents:
            sql += " WHERE price_cents <= :most"
            params["most"] = max_price_cents
        with db.connect() as conn:
            rows = conn.execute(text(sql + " ORDER BY price_cents, id"), params)
            return [Product(id=r.id, name=r.name, price_cents=r.price_cents)
                    for r in rows]


catalogue = strawberry.Schema(query=Query)
