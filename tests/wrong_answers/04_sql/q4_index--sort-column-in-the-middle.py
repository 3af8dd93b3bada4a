"""Puts ordered_on between the two equality columns: only customer_id is searched, and sorted."""
INDEX_SQL = """
CREATE INDEX orders_by_customer_day_status ON orders (customer_id, ordered_on, status)
"""
