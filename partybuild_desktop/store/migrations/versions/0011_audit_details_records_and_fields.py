"""audit details: which records each operation touched and the fields changed old → new, or a summary
per bulk write (imports, consolidation)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_detail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('table', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('record', sa.String(length=200), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=True),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['audit_entry.id'], name=op.f('fk_audit_detail_entry_id_audit_entry')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_detail'))
    )
    with op.batch_alter_table('audit_detail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_detail_entry_id'), ['entry_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_detail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_detail_entry_id'))
    op.drop_table('audit_detail')
