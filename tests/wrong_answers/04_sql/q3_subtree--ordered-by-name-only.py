"""Orders the rows by name alone, not by depth first."""
SUBTREE = """
WITH RECURSIVE tree(id, name, depth) AS (
    SELECT id, name, 0 FROM categories WHERE name = :root
    UNION ALL
    SELECT c.id, c.name, tree.depth + 1 FROM categories c JOIN tree ON c.parent_id = tree.id
)
SELECT name, depth FROM tree ORDER BY name
"""
