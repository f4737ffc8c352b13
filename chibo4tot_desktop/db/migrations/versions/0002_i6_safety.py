"""data safety: audit lookups by record, safety_meta (last backup, change counter)

Revision ID: 0002_i6
Revises: 0001

The audit viewer and the checks look up a record's history by (table_name, row_id); the
composite index serves that and every lookup by table_name alone, so the single-column index
goes. ``safety_meta`` holds a few key/value facts about the file itself (when it was last
backed up, and the audit log position at that moment) that are not the office's data.
"""

from alembic import op
import sqlalchemy as sa


revision = "0002_i6"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_table_name")
        batch_op.create_index("ix_audit_log_table_row", ["table_name", "row_id"], unique=False)
    op.create_table(
        "safety_meta",
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_safety_meta")),
    )


def downgrade() -> None:
    op.drop_table("safety_meta")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_table_row")
        batch_op.create_index("ix_audit_log_table_name", ["table_name"], unique=False)
