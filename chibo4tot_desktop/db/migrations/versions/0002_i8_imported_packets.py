"""imported exchange packets (issue 8)

Revision ID: 0002_i8
Revises: 0002_i6
"""

from alembic import op
import sqlalchemy as sa


revision = '0002_i8'
down_revision = '0002_i6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('imported_packets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('exported_at', sa.DateTime(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('file_name', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_imported_packets_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_packets')),
    sa.UniqueConstraint('organisation_id', 'year', name='uq_imported_packets_org_year')
    )


def downgrade() -> None:
    op.drop_table('imported_packets')
