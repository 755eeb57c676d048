"""organisational life: meetings with their attendance, decisions and attachments; 民主评议 grades

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('time', sa.String(length=16), nullable=True),
    sa.Column('place', sa.String(length=128), nullable=True),
    sa.Column('topic', sa.Text(), nullable=False),
    sa.Column('host', sa.String(length=32), nullable=True),
    sa.Column('recorder', sa.String(length=32), nullable=True),
    sa.Column('party_group_id', sa.Integer(), nullable=True),
    sa.Column('hours', sa.Float(), nullable=True),
    sa.Column('minutes', sa.Text(), nullable=True),
    sa.Column('attendees_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['party_group_id'], ['party_group.id'], name=op.f('fk_meeting_party_group_id_party_group')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_meeting_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_party_group_id'), ['party_group_id'], unique=False)
        batch_op.create_index('ix_meeting_village_date', ['village_id', 'date'], unique=False)

    op.create_table('meeting_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_attachment_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_attachment'))
    )
    with op.batch_alter_table('meeting_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_attachment_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meeting_attendance',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('voting', sa.Boolean(), nullable=False),
    sa.Column('frail', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_attendance_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_meeting_attendance_member_id_member')),
    sa.PrimaryKeyConstraint('meeting_id', 'member_id', name=op.f('pk_meeting_attendance'))
    )
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_attendance_member_id'), ['member_id'], unique=False)

    op.create_table('meeting_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=True),
    sa.Column('votes_against', sa.Integer(), nullable=True),
    sa.Column('votes_abstain', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_decision_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_decision'))
    )
    with op.batch_alter_table('meeting_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_decision_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('member_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=32), nullable=False),
    sa.Column('disposal', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_member_review_member_id_member')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_member_review_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_review')),
    sa.UniqueConstraint('year', 'member_id', name=op.f('uq_member_review_year'))
    )
    with op.batch_alter_table('member_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_review_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_review_village_id'), ['village_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('member_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_review_village_id'))
        batch_op.drop_index(batch_op.f('ix_member_review_member_id'))

    op.drop_table('member_review')
    with op.batch_alter_table('meeting_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_decision_meeting_id'))

    op.drop_table('meeting_decision')
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_attendance_member_id'))

    op.drop_table('meeting_attendance')
    with op.batch_alter_table('meeting_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_attachment_meeting_id'))

    op.drop_table('meeting_attachment')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_village_date')
        batch_op.drop_index(batch_op.f('ix_meeting_party_group_id'))

    op.drop_table('meeting')
