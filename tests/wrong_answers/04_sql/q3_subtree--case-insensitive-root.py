"""Compares the root's name without case, so 'electronics' finds Electronics."""
SUBTREE = """
WITH RECURSIVE tree(id, name, depth) AS (
    SELECT id, name, 0 FROM categories WHERE lower(name) = lower(:root)
    UNION ALL
    SELECT c.id, c.name, tree.depth + 1 FROM categories c JOIN tree ON c.parent_id = tree.id
)
SELECT name, depth FROM tree ORDER BY depth, name
"""
