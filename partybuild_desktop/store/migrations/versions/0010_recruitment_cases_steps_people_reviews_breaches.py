"""recruitment: 发展党员 cases (people not yet members) with each step's date, the 培养联系人 and
入党介绍人, the six-monthly reviews and the rules broken, each kept with its reason

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 09:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('recruit_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('gender', sa.String(length=32), nullable=True),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('party_group_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('training_days', sa.Float(), nullable=True),
    sa.Column('training_hours', sa.Float(), nullable=True),
    sa.Column('publicity_start', sa.Date(), nullable=True),
    sa.Column('publicity_end', sa.Date(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_recruit_case_member_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['party_group_id'], ['party_group.id'], name=op.f('fk_recruit_case_party_group_id_party_group')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_recruit_case_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recruit_case')),
    sa.UniqueConstraint('id_number', name=op.f('uq_recruit_case_id_number'))
    )
    with op.batch_alter_table('recruit_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recruit_case_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recruit_case_party_group_id'), ['party_group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recruit_case_village_id'), ['village_id'], unique=False)

    op.create_table('recruit_breach',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['recruit_case.id'], name=op.f('fk_recruit_breach_case_id_recruit_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recruit_breach'))
    )
    with op.batch_alter_table('recruit_breach', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recruit_breach_case_id'), ['case_id'], unique=False)

    op.create_table('recruit_person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['recruit_case.id'], name=op.f('fk_recruit_person_case_id_recruit_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_recruit_person_member_id_member'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recruit_person'))
    )
    with op.batch_alter_table('recruit_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recruit_person_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recruit_person_member_id'), ['member_id'], unique=False)

    op.create_table('recruit_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['recruit_case.id'], name=op.f('fk_recruit_review_case_id_recruit_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recruit_review'))
    )
    with op.batch_alter_table('recruit_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recruit_review_case_id'), ['case_id'], unique=False)

    op.create_table('recruit_step',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['recruit_case.id'], name=op.f('fk_recruit_step_case_id_recruit_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'step', name=op.f('pk_recruit_step'))
    )


def downgrade() -> None:
    op.drop_table('recruit_step')
    with op.batch_alter_table('recruit_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recruit_review_case_id'))

    op.drop_table('recruit_review')
    with op.batch_alter_table('recruit_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recruit_person_member_id'))
        batch_op.drop_index(batch_op.f('ix_recruit_person_case_id'))

    op.drop_table('recruit_person')
    with op.batch_alter_table('recruit_breach', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recruit_breach_case_id'))

    op.drop_table('recruit_breach')
    with op.batch_alter_table('recruit_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recruit_case_village_id'))
        batch_op.drop_index(batch_op.f('ix_recruit_case_party_group_id'))
        batch_op.drop_index(batch_op.f('ix_recruit_case_member_id'))

    op.drop_table('recruit_case')
