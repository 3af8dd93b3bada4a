"""Ranks the products by revenue (quantity times price) instead of by units."""
BEST_SELLERS = """
WITH units AS (
    SELECT p.category_id, p.id, p.name, sum(oi.quantity) AS units,
           sum(oi.quantity * oi.unit_price_cents) AS cents
    FROM products p
    JOIN order_items oi ON oi.product_id = p.id
    JOIN orders o ON o.id = oi.order_id
    WHERE o.status <> 'cancelled'
    GROUP BY p.category_id, p.id, p.name
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY category_id ORDER BY cents DESC, id) AS place
    FROM units
)
SELECT c.name, ranked.name, ranked.units
FROM ranked JOIN categories c ON c.id = ranked.category_id
WHERE place = 1
ORDER BY c.name
"""
