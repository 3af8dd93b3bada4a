"""No recursion: the root and its direct children only, so grandchildren are missing."""
SUBTREE = """
SELECT name, 0 FROM categories WHERE name = :root
UNION ALL
SELECT c.name, 1 FROM categories c JOIN categories p ON c.parent_id = p.id WHERE p.name = :root
ORDER BY 2, 1
"""
