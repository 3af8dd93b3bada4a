"""Counts the units of cancelled orders too."""
BEST_SELLERS = """
WITH units AS (
    SELECT p.category_id, p.id, p.name, sum(oi.quantity) AS units
    FROM products p
    JOIN order_items oi ON oi.product_id = p.id
    GROUP BY p.category_id, p.id, p.name
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY category_id ORDER BY units DESC, id) AS place
    FROM units
)
SELECT c.name, ranked.name, ranked.units
FROM ranked JOIN categories c ON c.id = ranked.category_id
WHERE place = 1
ORDER BY c.name
"""
