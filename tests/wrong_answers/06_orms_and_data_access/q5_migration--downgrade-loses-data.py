"""The downgrade adds `name` back but never fills it: the names are lost."""
MIGRATION = """
def upgrade():
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("first_name", sa.String(60)))
        batch.add_column(sa.Column("last_name", sa.String(60)))
    op.execute("UPDATE people SET first_name = substr(name, 1, instr(name, ' ') - 1), "
               "last_name = substr(name, instr(name, ' ') + 1)")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("name")


def downgrade():
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("name", sa.String(120)))
        batch.drop_column("first_name")
        batch.drop_column("last_name")
"""
