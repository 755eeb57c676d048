"""visit diary, proxy services, model posts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:15:17.931228
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('proxy_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('instant', 'promised', 'supplement', 'joint', 'escalated', 'refused', name='proxykind', native_enum=False, length=32), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('applicant', sa.String(length=32), nullable=False),
    sa.Column('matter', sa.Text(), nullable=False),
    sa.Column('received_date', sa.Date(), nullable=False),
    sa.Column('promised_date', sa.Date(), nullable=True),
    sa.Column('completed_date', sa.Date(), nullable=True),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'done', 'refused', name='proxystatus', native_enum=False, length=32), nullable=False),
    sa.Column('refusal_reason', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['handler_id'], ['member.id'], name=op.f('fk_proxy_service_handler_id_member')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_proxy_service_household_id_household')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_proxy_service_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proxy_service'))
    )
    with op.batch_alter_table('proxy_service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proxy_service_handler_id'), ['handler_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proxy_service_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proxy_service_received_date'), ['received_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_proxy_service_village_id'), ['village_id'], unique=False)

    op.create_table('visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('matter', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=True),
    sa.Column('follow_up', sa.Text(), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_visit_household_id_household')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_visit_member_id_member')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_visit_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit'))
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_date'), ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_village_id'), ['village_id'], unique=False)

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_model_post', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('is_model_post')

    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_village_id'))
        batch_op.drop_index(batch_op.f('ix_visit_member_id'))
        batch_op.drop_index(batch_op.f('ix_visit_household_id'))
        batch_op.drop_index(batch_op.f('ix_visit_date'))

    op.drop_table('visit')
    with op.batch_alter_table('proxy_service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proxy_service_village_id'))
        batch_op.drop_index(batch_op.f('ix_proxy_service_received_date'))
        batch_op.drop_index(batch_op.f('ix_proxy_service_household_id'))
        batch_op.drop_index(batch_op.f('ix_proxy_service_handler_id'))

    op.drop_table('proxy_service')
