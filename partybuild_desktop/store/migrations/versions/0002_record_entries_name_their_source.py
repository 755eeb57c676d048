"""record entries name their source

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:49:07.746125
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('record_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_kind', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('source_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_record_entry_source', ['source_kind', 'source_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('record_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_record_entry_source')
        batch_op.drop_column('source_id')
        batch_op.drop_column('source_kind')

