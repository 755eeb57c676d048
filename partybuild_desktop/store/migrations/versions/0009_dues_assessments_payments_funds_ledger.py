"""money: 党费 assessments and payments per member and month, the 党建经费 ledger with its scans

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('funds_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('item', sa.Text(), nullable=False),
    sa.Column('project', sa.String(length=64), nullable=True),
    sa.Column('source', sa.String(length=32), nullable=True),
    sa.Column('voucher_no', sa.String(length=32), nullable=True),
    sa.Column('approved_by', sa.String(length=32), nullable=True),
    sa.Column('handled_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_funds_entry_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funds_entry'))
    )
    with op.batch_alter_table('funds_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funds_entry_date'), ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_funds_entry_village_id'), ['village_id'], unique=False)

    op.create_table('funds_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['funds_entry.id'], name=op.f('fk_funds_attachment_entry_id_funds_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funds_attachment'))
    )
    with op.batch_alter_table('funds_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funds_attachment_entry_id'), ['entry_id'], unique=False)

    op.create_table('dues_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('from_month', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('base_fen', sa.Integer(), nullable=True),
    sa.Column('monthly_fen', sa.Integer(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('approved_by', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_dues_assessment_member_id_member')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_dues_assessment_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dues_assessment')),
    sa.UniqueConstraint('member_id', 'from_month', name=op.f('uq_dues_assessment_member_id'))
    )
    with op.batch_alter_table('dues_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dues_assessment_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dues_assessment_village_id'), ['village_id'], unique=False)

    op.create_table('dues_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('collector', sa.String(length=32), nullable=True),
    sa.Column('receipt_no', sa.String(length=32), nullable=True),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_dues_payment_member_id_member')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_dues_payment_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dues_payment')),
    sa.UniqueConstraint('member_id', 'month', name=op.f('uq_dues_payment_member_id'))
    )
    with op.batch_alter_table('dues_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dues_payment_village_id'), ['village_id'], unique=False)
        batch_op.create_index('ix_dues_payment_member_months', ['village_id', 'member_id', 'month', 'amount_fen'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('dues_payment', schema=None) as batch_op:
        batch_op.drop_index('ix_dues_payment_member_months')
        batch_op.drop_index(batch_op.f('ix_dues_payment_village_id'))

    op.drop_table('dues_payment')
    with op.batch_alter_table('dues_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dues_assessment_village_id'))
        batch_op.drop_index(batch_op.f('ix_dues_assessment_member_id'))

    op.drop_table('dues_assessment')
    with op.batch_alter_table('funds_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funds_attachment_entry_id'))

    op.drop_table('funds_attachment')
    with op.batch_alter_table('funds_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funds_entry_village_id'))
        batch_op.drop_index(batch_op.f('ix_funds_entry_date'))

    op.drop_table('funds_entry')
