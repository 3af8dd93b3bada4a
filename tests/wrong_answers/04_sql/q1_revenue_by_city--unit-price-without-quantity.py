"""Sums the unit prices and forgets the quantities."""
REVENUE_BY_CITY = """
SELECT COALESCE(c.city, 'unknown') AS city, sum(oi.unit_price_cents) AS cents
FROM customers c
JOIN orders o ON o.customer_id = c.id
JOIN order_items oi ON oi.order_id = o.id
WHERE o.status <> 'cancelled'
GROUP BY COALESCE(c.city, 'unknown')
"""
