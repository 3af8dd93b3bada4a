"""Indexes customer_id alone: a search, but the rows still need a sort."""
INDEX_SQL = """
CREATE INDEX orders_by_customer ON orders (customer_id)
"""
