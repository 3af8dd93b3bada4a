"""Puts ordered_on first: the leftmost column is not in the WHERE, so the index is scanned."""
INDEX_SQL = """
CREATE INDEX orders_by_day ON orders (ordered_on, customer_id, status)
"""
