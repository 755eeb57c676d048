"""points board: rule sets per year, manual awards, closed years

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 19:21:40.327452
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('point_rule_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('rules', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=32), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_point_rule_set_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_point_rule_set')),
    sa.UniqueConstraint('village_id', 'year', name=op.f('uq_point_rule_set_village_id'))
    )
    with op.batch_alter_table('point_rule_set', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_point_rule_set_village_id'), ['village_id'], unique=False)

    op.create_table('point_award',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('item_code', sa.String(length=64), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('grid_branch_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Float(), nullable=False),
    sa.Column('points', sa.Float(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('entered_by', sa.String(length=32), nullable=False),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['grid_branch_id'], ['grid_branch.id'], name=op.f('fk_point_award_grid_branch_id_grid_branch')),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], name=op.f('fk_point_award_grid_id_grid')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_point_award_member_id_member')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_point_award_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_point_award'))
    )
    with op.batch_alter_table('point_award', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_point_award_date'), ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_point_award_grid_branch_id'), ['grid_branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_point_award_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_point_award_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_point_award_village_id'), ['village_id'], unique=False)

    op.create_table('point_year_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('grid_branch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['grid_branch_id'], ['grid_branch.id'], name=op.f('fk_point_year_member_grid_branch_id_grid_branch')),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], name=op.f('fk_point_year_member_grid_id_grid')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_point_year_member_member_id_member')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_point_year_member_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_point_year_member')),
    sa.UniqueConstraint('village_id', 'year', 'member_id', name=op.f('uq_point_year_member_village_id'))
    )
    with op.batch_alter_table('point_year_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_point_year_member_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_point_year_member_village_id'), ['village_id'], unique=False)

    with op.batch_alter_table('record_entry', schema=None) as batch_op:
        batch_op.create_index('ix_record_entry_points', ['member_id', 'entry_type', 'date', 'hours', 'source_kind'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('record_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_record_entry_points')

    with op.batch_alter_table('point_year_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_point_year_member_village_id'))
        batch_op.drop_index(batch_op.f('ix_point_year_member_member_id'))

    op.drop_table('point_year_member')
    with op.batch_alter_table('point_award', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_point_award_village_id'))
        batch_op.drop_index(batch_op.f('ix_point_award_member_id'))
        batch_op.drop_index(batch_op.f('ix_point_award_grid_id'))
        batch_op.drop_index(batch_op.f('ix_point_award_grid_branch_id'))
        batch_op.drop_index(batch_op.f('ix_point_award_date'))

    op.drop_table('point_award')
    with op.batch_alter_table('point_rule_set', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_point_rule_set_village_id'))

    op.drop_table('point_rule_set')
