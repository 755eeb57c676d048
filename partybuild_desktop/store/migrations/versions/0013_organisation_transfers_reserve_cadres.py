"""组织关系转接 (letters out with their 回执, transfers in) and the yearly 后备干部 roster

Two new tables, nothing existing changed: ``organisation_transfer`` (a member's transfer out, with the
介绍信's number, validity, dues paid to and the day its 回执 came back, or a transfer in) and
``reserve_cadre`` (one person on one year's roster, the member who trains them, the line it was carried
from on renewal).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 02:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organisation_transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('organisation', sa.String(length=128), nullable=False),
    sa.Column('letter_no', sa.String(length=32), nullable=True),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('valid_days', sa.Integer(), nullable=True),
    sa.Column('dues_paid_to', sa.Date(), nullable=True),
    sa.Column('receipt_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_organisation_transfer_member_id_member')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_organisation_transfer_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_transfer'))
    )
    with op.batch_alter_table('organisation_transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_transfer_date'), ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_transfer_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_transfer_village_id'), ['village_id'], unique=False)

    op.create_table('reserve_cadre',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('gender', sa.String(length=32), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('education', sa.String(length=32), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('source', sa.String(length=32), nullable=True),
    sa.Column('strengths', sa.Text(), nullable=True),
    sa.Column('trainer_id', sa.Integer(), nullable=True),
    sa.Column('trainer_name', sa.String(length=32), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('carried_from_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['carried_from_id'], ['reserve_cadre.id'], name=op.f('fk_reserve_cadre_carried_from_id_reserve_cadre'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trainer_id'], ['member.id'], name=op.f('fk_reserve_cadre_trainer_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_reserve_cadre_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reserve_cadre'))
    )
    with op.batch_alter_table('reserve_cadre', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reserve_cadre_trainer_id'), ['trainer_id'], unique=False)
        batch_op.create_index('ix_reserve_cadre_village_year', ['village_id', 'year'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reserve_cadre', schema=None) as batch_op:
        batch_op.drop_index('ix_reserve_cadre_village_year')
        batch_op.drop_index(batch_op.f('ix_reserve_cadre_trainer_id'))

    op.drop_table('reserve_cadre')
    with op.batch_alter_table('organisation_transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_transfer_village_id'))
        batch_op.drop_index(batch_op.f('ix_organisation_transfer_member_id'))
        batch_op.drop_index(batch_op.f('ix_organisation_transfer_date'))

    op.drop_table('organisation_transfer')
