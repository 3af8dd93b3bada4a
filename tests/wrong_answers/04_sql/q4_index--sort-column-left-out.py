"""Indexes the two WHERE columns but not ordered_on: a search, then a sort of its own."""
INDEX_SQL = """
CREATE INDEX orders_by_customer_status ON orders (customer_id, status)
"""
