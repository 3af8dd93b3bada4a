"""Drops `name` before copying it into the new columns: every name is lost on upgrade."""
MIGRATION = """
def upgrade():
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("first_name", sa.String(60)))
        batch.add_column(sa.Column("last_name", sa.String(60)))
        batch.drop_column("name")


def downgrade():
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("name", sa.String(120)))
    op.execute("UPDATE people SET name = first_name || ' ' || last_name")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("first_name")
        batch.drop_column("last_name")
"""
