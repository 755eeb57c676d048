"""the village committee by term and post (换届 history), grid branch committee members, the branch's phone and address

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('village', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('address', sa.Text(), nullable=True))

    op.create_table('committee_term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_committee_term_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_term'))
    )
    with op.batch_alter_table('committee_term', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_term_village_id'), ['village_id'], unique=False)

    op.create_table('committee_post_holder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=True),
    sa.Column('post', sa.String(length=32), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_committee_post_holder_member_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['term_id'], ['committee_term.id'], name=op.f('fk_committee_post_holder_term_id_committee_term')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_committee_post_holder_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_post_holder'))
    )
    with op.batch_alter_table('committee_post_holder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_post_holder_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_committee_post_holder_term_id'), ['term_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_committee_post_holder_village_id'), ['village_id'], unique=False)

    op.create_table('grid_branch_member',
    sa.Column('grid_branch_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['grid_branch_id'], ['grid_branch.id'], name=op.f('fk_grid_branch_member_grid_branch_id_grid_branch'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_grid_branch_member_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('grid_branch_id', 'member_id', name=op.f('pk_grid_branch_member'))
    )
    with op.batch_alter_table('grid_branch_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grid_branch_member_member_id'), ['member_id'], unique=False)

    _first_terms()


def _first_terms() -> None:
    """Each village's current term starts with its secretary as recorded so far: the election date is
    not known (the clerk fills it in), and the secretary is linked to the member of that name when
    exactly one current member has it."""
    connection = op.get_bind()
    villages = connection.execute(sa.text("SELECT id, secretary_name FROM village ORDER BY id")).all()
    for village_id, secretary in villages:
        term_id = connection.execute(
            sa.text("INSERT INTO committee_term (village_id, started_on, ended_on) VALUES (:v, NULL, NULL) RETURNING id"),
            {"v": village_id}).scalar_one()
        name = (secretary or "").strip()
        if not name:
            continue
        matches = connection.execute(
            sa.text("SELECT id FROM member WHERE village_id = :v AND name = :n AND archived = 0"),
            {"v": village_id, "n": name}).scalars().all()
        member_id = matches[0] if len(matches) == 1 else None
        connection.execute(
            sa.text("INSERT INTO committee_post_holder (village_id, term_id, post, member_id, name, started_on, ended_on)"
                    " VALUES (:v, :t, 'secretary', :m, :n, NULL, NULL)"),
            {"v": village_id, "t": term_id, "m": member_id, "n": name})
        if member_id is not None:
            connection.execute(sa.text("UPDATE member SET is_committee_member = 1 WHERE id = :m"), {"m": member_id})


def downgrade() -> None:
    with op.batch_alter_table('grid_branch_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grid_branch_member_member_id'))
    op.drop_table('grid_branch_member')
    with op.batch_alter_table('committee_post_holder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_post_holder_village_id'))
        batch_op.drop_index(batch_op.f('ix_committee_post_holder_term_id'))
        batch_op.drop_index(batch_op.f('ix_committee_post_holder_member_id'))
    op.drop_table('committee_post_holder')
    with op.batch_alter_table('committee_term', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_term_village_id'))
    op.drop_table('committee_term')
    with op.batch_alter_table('village', schema=None) as batch_op:
        batch_op.drop_column('address')
        batch_op.drop_column('phone')
