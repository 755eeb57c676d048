"""township mode: received villages, their quarterly return packages and the figures to add up

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 20:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('received_village',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_key', sa.String(length=64), nullable=True),
    sa.Column('township', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('branch_name', sa.String(length=128), nullable=True),
    sa.Column('expected', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_received_village')),
    sa.UniqueConstraint('township', 'name', name=op.f('uq_received_village_township')),
    sa.UniqueConstraint('village_key', name=op.f('uq_received_village_village_key'))
    )
    op.create_table('received_return',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_village_id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('package_name', sa.String(length=255), nullable=False),
    sa.Column('package_sha256', sa.String(length=64), nullable=False),
    sa.Column('format_version', sa.Integer(), nullable=False),
    sa.Column('schema_version', sa.String(length=16), nullable=False),
    sa.Column('program_version', sa.String(length=32), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('manifest', sa.Text(), nullable=False),
    sa.Column('superseded_at', sa.DateTime(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['received_village_id'], ['received_village.id'], name=op.f('fk_received_return_received_village_id_received_village')),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['received_return.id'], name=op.f('fk_received_return_superseded_by_id_received_return')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_received_return'))
    )
    with op.batch_alter_table('received_return', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_received_return_package_sha256'), ['package_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_received_return_quarter'), ['quarter'], unique=False)
        batch_op.create_index(batch_op.f('ix_received_return_received_village_id'), ['received_village_id'], unique=False)
        # At most one current return per village and quarter.
        batch_op.create_index('uq_received_return_current', ['received_village_id', 'quarter'], unique=True,
                              sqlite_where=sa.text('superseded_at IS NULL'))

    # Keyed by (return, section, key) and without a rowid: one B-tree for the figures.
    op.create_table('received_figure',
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['return_id'], ['received_return.id'], name=op.f('fk_received_figure_return_id_received_return')),
    sa.PrimaryKeyConstraint('return_id', 'section', 'key', name=op.f('pk_received_figure')),
    sqlite_with_rowid=False
    )


def downgrade() -> None:
    op.drop_table('received_figure')
    with op.batch_alter_table('received_return', schema=None) as batch_op:
        batch_op.drop_index('uq_received_return_current', sqlite_where=sa.text('superseded_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_received_return_received_village_id'))
        batch_op.drop_index(batch_op.f('ix_received_return_quarter'))
        batch_op.drop_index(batch_op.f('ix_received_return_package_sha256'))

    op.drop_table('received_return')
    op.drop_table('received_village')
