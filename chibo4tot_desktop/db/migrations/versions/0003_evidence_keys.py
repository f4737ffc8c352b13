"""evidence files, the office's keys and the senders it trusts, where a decision came from

Revision ID: 0003_evidence_keys
Revises: 0002_i8
"""

from alembic import op
import sqlalchemy as sa


revision = '0003_evidence_keys'
down_revision = '0002_i8'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): the awards table keeps its partial unique index.
    op.add_column('awards', sa.Column('decision_source', sa.String(length=10), nullable=False,
                                      server_default='typed'))
    op.add_column('awards', sa.Column('decision_packet_at', sa.DateTime(), nullable=True))
    op.create_table('evidence_blobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('media_type', sa.String(length=40), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_blobs')),
    sa.UniqueConstraint('sha256', name=op.f('uq_evidence_blobs_sha256'))
    )
    op.create_table('evidence_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=20), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('evaluation_id', sa.Integer(), nullable=True),
    sa.Column('award_id', sa.Integer(), nullable=True),
    sa.Column('blob_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('attached_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(CASE WHEN registration_id IS NULL THEN 0 ELSE 1 END) '
                       '+ (CASE WHEN evaluation_id IS NULL THEN 0 ELSE 1 END) '
                       '+ (CASE WHEN award_id IS NULL THEN 0 ELSE 1 END) = 1',
                       name=op.f('ck_evidence_files_one_target')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                            name=op.f('fk_evidence_files_organisation_id_organisations'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                            name=op.f('fk_evidence_files_registration_id_registrations'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'],
                            name=op.f('fk_evidence_files_evaluation_id_evaluations'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['award_id'], ['awards.id'],
                            name=op.f('fk_evidence_files_award_id_awards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['blob_id'], ['evidence_blobs.id'],
                            name=op.f('fk_evidence_files_blob_id_evidence_blobs'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_files'))
    )
    for column in ('organisation_id', 'registration_id', 'evaluation_id', 'award_id', 'blob_id'):
        op.create_index(op.f(f'ix_evidence_files_{column}'), 'evidence_files', [column])
    op.create_table('office_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('signing_private', sa.LargeBinary(), nullable=False),
    sa.Column('signing_public', sa.LargeBinary(), nullable=False),
    sa.Column('box_private', sa.LargeBinary(), nullable=False),
    sa.Column('box_public', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_keys'))
    )
    op.create_table('trusted_senders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('signing_public', sa.LargeBinary(), nullable=False),
    sa.Column('box_public', sa.LargeBinary(), nullable=False),
    sa.Column('fingerprint', sa.String(length=60), nullable=False),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trusted_senders')),
    sa.UniqueConstraint('signing_public', name=op.f('uq_trusted_senders_signing_public'))
    )


def downgrade() -> None:
    op.drop_table('trusted_senders')
    op.drop_table('office_keys')
    op.drop_table('evidence_files')
    op.drop_table('evidence_blobs')
    with op.batch_alter_table('awards') as batch:
        batch.drop_column('decision_packet_at')
        batch.drop_column('decision_source')
