"""Tests for a missing city with `city = NULL`, which is never true: the 'unknown' row is NULL."""
REVENUE_BY_CITY = """
SELECT CASE WHEN c.city = NULL THEN 'unknown' ELSE c.city END AS city,
       sum(oi.quantity * oi.unit_price_cents) AS cents
FROM customers c
JOIN orders o ON o.customer_id = c.id
JOIN order_items oi ON oi.order_id = o.id
WHERE o.status <> 'cancelled'
GROUP BY c.city
"""
