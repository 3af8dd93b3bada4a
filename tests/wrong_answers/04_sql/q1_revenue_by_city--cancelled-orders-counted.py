"""Forgets to leave out cancelled orders: every city's revenue is too high."""
REVENUE_BY_CITY = """
SELECT COALESCE(c.city, 'unknown') AS city, sum(oi.quantity * oi.unit_price_cents) AS cents
FROM customers c
JOIN orders o ON o.customer_id = c.id
JOIN order_items oi ON oi.order_id = o.id
GROUP BY COALESCE(c.city, 'unknown')
"""
