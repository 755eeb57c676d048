"""baseline schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 18:49:06.347719
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('village',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('township', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('branch_type', sa.Enum('general_branch', 'branch', 'committee', name='branchtype', native_enum=False, length=32), nullable=False),
    sa.Column('branch_name', sa.String(length=128), nullable=False),
    sa.Column('secretary_name', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_village')),
    sa.UniqueConstraint('township', 'name', name=op.f('uq_village_township'))
    )
    op.create_table('grid_branch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('secretary_id', sa.Integer(), nullable=True),
    sa.Column('committee_contact_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['committee_contact_id'], ['member.id'], name=op.f('fk_grid_branch_committee_contact_id_member'), use_alter=True),
    sa.ForeignKeyConstraint(['secretary_id'], ['member.id'], name=op.f('fk_grid_branch_secretary_id_member'), use_alter=True),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_grid_branch_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grid_branch'))
    )
    with op.batch_alter_table('grid_branch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grid_branch_village_id'), ['village_id'], unique=False)

    op.create_table('grid',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.Enum('village', 'group', 'household', name='gridlevel', native_enum=False, length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('area', sa.Text(), nullable=True),
    sa.Column('grid_branch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['grid_branch_id'], ['grid_branch.id'], name=op.f('fk_grid_grid_branch_id_grid_branch')),
    sa.ForeignKeyConstraint(['parent_id'], ['grid.id'], name=op.f('fk_grid_parent_id_grid')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_grid_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grid'))
    )
    with op.batch_alter_table('grid', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grid_village_id'), ['village_id'], unique=False)

    op.create_table('party_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('grid_branch_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('villager_group', sa.String(length=64), nullable=True),
    sa.Column('leader_id', sa.Integer(), nullable=True),
    sa.Column('branch_contact_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['branch_contact_id'], ['member.id'], name=op.f('fk_party_group_branch_contact_id_member'), use_alter=True),
    sa.ForeignKeyConstraint(['grid_branch_id'], ['grid_branch.id'], name=op.f('fk_party_group_grid_branch_id_grid_branch')),
    sa.ForeignKeyConstraint(['leader_id'], ['member.id'], name=op.f('fk_party_group_leader_id_member'), use_alter=True),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_party_group_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_party_group'))
    )
    with op.batch_alter_table('party_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_group_village_id'), ['village_id'], unique=False)

    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('gender', sa.Enum('male', 'female', name='gender', native_enum=False, length=32), nullable=True),
    sa.Column('ethnicity', sa.String(length=16), nullable=True),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('education', sa.Enum('postgraduate', 'bachelor', 'college', 'secondary', 'junior_or_below', name='education', native_enum=False, length=32), nullable=True),
    sa.Column('standing', sa.Enum('full', 'probationary', name='standing', native_enum=False, length=32), nullable=False),
    sa.Column('joined_date', sa.Date(), nullable=True),
    sa.Column('confirmed_date', sa.Date(), nullable=True),
    sa.Column('job_post', sa.String(length=64), nullable=True),
    sa.Column('mobile', sa.String(length=32), nullable=True),
    sa.Column('landline', sa.String(length=32), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('membership_state', sa.Enum('normal', 'suspended', name='membershipstate', native_enum=False, length=32), nullable=False),
    sa.Column('lost_contact', sa.Boolean(), nullable=False),
    sa.Column('lost_contact_date', sa.Date(), nullable=True),
    sa.Column('native_place', sa.String(length=64), nullable=True),
    sa.Column('degree', sa.String(length=32), nullable=True),
    sa.Column('category', sa.Enum('employed', 'farmer', 'migrant', 'elderly', name='membercategory', native_enum=False, length=32), nullable=False),
    sa.Column('post', sa.String(length=64), nullable=True),
    sa.Column('party_group_id', sa.Integer(), nullable=True),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('is_hub_household', sa.Boolean(), nullable=False),
    sa.Column('hub_id', sa.Integer(), nullable=True),
    sa.Column('is_committee_member', sa.Boolean(), nullable=False),
    sa.Column('away_since', sa.Date(), nullable=True),
    sa.Column('away_reason', sa.String(length=64), nullable=True),
    sa.Column('away_province', sa.String(length=32), nullable=True),
    sa.Column('away_city', sa.String(length=32), nullable=True),
    sa.Column('away_county', sa.String(length=32), nullable=True),
    sa.Column('away_contact', sa.String(length=64), nullable=True),
    sa.Column('away_occupation', sa.String(length=64), nullable=True),
    sa.Column('activity_card_no', sa.String(length=32), nullable=True),
    sa.Column('employer', sa.String(length=128), nullable=True),
    sa.Column('employer_contact', sa.String(length=64), nullable=True),
    sa.Column('care_needs', sa.Text(), nullable=True),
    sa.Column('visit_interval_days', sa.Integer(), nullable=True),
    sa.Column('photo', sa.LargeBinary(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('archive_reason', sa.Text(), nullable=True),
    sa.Column('departure', sa.Enum('joined', 'confirmed', 'probation_extended', 'suspended', 'restored', 'lost_contact', 'contact_restored', 'transferred_in', 'transferred_out', 'died', 'category_changed', 'archived', name='membereventkind', native_enum=False, length=32), nullable=True),
    sa.Column('search_keys', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], name=op.f('fk_member_grid_id_grid')),
    sa.ForeignKeyConstraint(['hub_id'], ['member.id'], name=op.f('fk_member_hub_id_member')),
    sa.ForeignKeyConstraint(['party_group_id'], ['party_group.id'], name=op.f('fk_member_party_group_id_party_group')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_member_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member')),
    sa.UniqueConstraint('id_number', name=op.f('uq_member_id_number'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_archived'), ['archived'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_party_group_id'), ['party_group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_village_id'), ['village_id'], unique=False)

    op.create_table('grid_staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('leader', 'worker', name='gridrole', native_enum=False, length=32), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('duties', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], name=op.f('fk_grid_staff_grid_id_grid')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_grid_staff_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grid_staff'))
    )
    with op.batch_alter_table('grid_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grid_staff_grid_id'), ['grid_id'], unique=False)

    op.create_table('household',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('head_name', sa.String(length=32), nullable=False),
    sa.Column('villager_group', sa.String(length=64), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('liaison_member_id', sa.Integer(), nullable=True),
    sa.Column('hardship', sa.Boolean(), nullable=False),
    sa.Column('elderly_alone', sa.Boolean(), nullable=False),
    sa.Column('left_behind_children', sa.Boolean(), nullable=False),
    sa.Column('unemployed', sa.Boolean(), nullable=False),
    sa.Column('special', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], name=op.f('fk_household_grid_id_grid')),
    sa.ForeignKeyConstraint(['liaison_member_id'], ['member.id'], name=op.f('fk_household_liaison_member_id_member')),
    sa.ForeignKeyConstraint(['village_id'], ['village.id'], name=op.f('fk_household_village_id_village')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household'))
    )
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_liaison_member_id'), ['liaison_member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_village_id'), ['village_id'], unique=False)

    op.create_table('member_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('joined', 'confirmed', 'probation_extended', 'suspended', 'restored', 'lost_contact', 'contact_restored', 'transferred_in', 'transferred_out', 'died', 'category_changed', 'archived', name='membereventkind', native_enum=False, length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_member_event_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_event'))
    )
    with op.batch_alter_table('member_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_event_member_id'), ['member_id'], unique=False)

    op.create_table('record_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('entry_type', sa.Enum('organisational_life', 'political_study', 'volunteering', 'household_visit', 'post_duty', 'dues_payment', 'care_visit', 'heart_to_heart', 'other', name='recordentrytype', native_enum=False, length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_record_entry_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_entry'))
    )
    with op.batch_alter_table('record_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_entry_date'), ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_record_entry_member_id'), ['member_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('record_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_entry_member_id'))
        batch_op.drop_index(batch_op.f('ix_record_entry_date'))

    op.drop_table('record_entry')
    with op.batch_alter_table('member_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_event_member_id'))

    op.drop_table('member_event')
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_village_id'))
        batch_op.drop_index(batch_op.f('ix_household_liaison_member_id'))
        batch_op.drop_index(batch_op.f('ix_household_grid_id'))

    op.drop_table('household')
    with op.batch_alter_table('grid_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grid_staff_grid_id'))

    op.drop_table('grid_staff')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_village_id'))
        batch_op.drop_index(batch_op.f('ix_member_party_group_id'))
        batch_op.drop_index(batch_op.f('ix_member_grid_id'))
        batch_op.drop_index(batch_op.f('ix_member_category'))
        batch_op.drop_index(batch_op.f('ix_member_archived'))

    op.drop_table('member')
    with op.batch_alter_table('party_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_party_group_village_id'))

    op.drop_table('party_group')
    with op.batch_alter_table('grid', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grid_village_id'))

    op.drop_table('grid')
    with op.batch_alter_table('grid_branch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grid_branch_village_id'))

    op.drop_table('grid_branch')
    op.drop_table('village')
    op.drop_table('setting')
