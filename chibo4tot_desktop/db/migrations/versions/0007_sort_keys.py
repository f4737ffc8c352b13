"""the cells' names and codes in the program's Vietnamese order, stored and indexed

Revision ID: 0007_sort_keys
Revises: 0006_year_rules

Each cell gets ``name_key`` and ``code_key``: its name and code as one byte string that
compares, byte by byte, in the program's Vietnamese order (``text.stored_sort_key``), so the
database orders the long lists itself; an index holds the cells of each organisation in that
order with the dates that decide their years. The keys are left empty here: they depend on the
program's collation, not on this revision, and the program makes them (with the version of its
order, in ``safety_meta``) when it opens the file (``ops.sort_keys``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_sort_keys"
down_revision = "0006_year_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cells") as batch:
        batch.add_column(sa.Column("name_key", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("code_key", sa.LargeBinary(), nullable=True))
    # The cells of an organisation in the order of their names (then ids, as the lists order
    # equal names), with the dates that decide whether a cell belongs to a year: the list of
    # a year reads this index alone, already in order.
    op.create_index("ix_cells_name_order", "cells",
                    ["organisation_id", "name_key", "id", "started_on", "dissolved_on"])


def downgrade() -> None:
    op.drop_index("ix_cells_name_order", table_name="cells")
    with op.batch_alter_table("cells") as batch:
        batch.drop_column("code_key")
        batch.drop_column("name_key")
