"""流动党员: stints away (left on, 流向 and 流入地党组织, reason, occupation, phone, 微信, the village's
contact person, 活动证 number and dates, back on) and the contact log; each member's inline ``away_*``
fields become one open stint and are dropped

A 流动党员 with the inline fields becomes one open stint (an empty 外出时间 stays empty). Another member
who still had away details (they came back before; no return date was kept) keeps them as a line in the
member's 备注, so nothing typed is lost. The old single 外出联系方式 is split as the program splits it: a valid
phone number goes to the stint's 联系电话 (cleaned), anything else (a WeChat ID) to its 微信.

The downgrade writes each member's open stint back inline (联系方式: the phone, or else the 微信). Closed
stints (the history of past stints away), the contact log and the stint fields the old schema has no
place for (流入地党组织, 村联系人, 活动证 dates, 未转接原因, the stint's note) are dropped on downgrade.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 01:30:00
"""

import re
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

INLINE = ('away_since', 'away_reason', 'away_province', 'away_city', 'away_county', 'away_contact',
          'away_occupation', 'activity_card_no')

# domain.phone's check as it stood at this revision, in plain Python (a migration stays as it was written).
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(
    r"^(?:\((?P<area_p>0\d{2,3})\)|(?P<area>0\d{2,3}))-?(?P<local>[2-9]\d{6,7})"
    r"(?:(?:-|转|ext\.?|x|#)(?P<ext>\d{1,6}))?$", re.IGNORECASE)
_THREE_DIGIT_AREA = re.compile(r"^0(10|2\d)")
_SEPARATORS = re.compile(r"[\s\u00a0\u3000.·]")


def _phone(raw: str) -> str | None:
    """The cleaned phone number (13812345678, 0512-12345678, 0512-12345678-801), or None: not a phone."""
    text = unicodedata.normalize("NFKC", raw).strip()
    text = text.replace("（", "(").replace("）", ")").replace("－", "-").replace("—", "-")
    compact = re.sub(r"^(\+86|0086)-?", "", _SEPARATORS.sub("", text))
    digits = compact.replace("-", "")
    if digits.isdigit():
        if len(digits) == 13 and digits.startswith("86") and _MOBILE.match(digits[2:]):
            digits = digits[2:]
        if _MOBILE.match(digits):
            return digits
    if compact[:1] == "0" and compact[1:5].isdigit() and "-" not in compact[:5]:
        cut = 3 if _THREE_DIGIT_AREA.match(compact) else 4
        compact = compact[:cut] + "-" + compact[cut:]
    match = _LANDLINE.match(compact)
    if not match:
        return None
    area = match.group("area") or match.group("area_p")
    if len(area) == 3 and not _THREE_DIGIT_AREA.match(area):
        return None
    return f"{area}-{match.group('local')}" + (f"-{match.group('ext')}" if match.group("ext") else "")


def upgrade() -> None:
    op.create_table('migrant_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('how', sa.String(length=32), nullable=False),
    sa.Column('by_whom', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_migrant_contact_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_migrant_contact'))
    )
    with op.batch_alter_table('migrant_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_migrant_contact_member_id'), ['member_id'], unique=False)

    op.create_table('migrant_stint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('province', sa.String(length=32), nullable=True),
    sa.Column('city', sa.String(length=32), nullable=True),
    sa.Column('county', sa.String(length=32), nullable=True),
    sa.Column('host_organisation', sa.String(length=128), nullable=True),
    sa.Column('reason', sa.String(length=64), nullable=True),
    sa.Column('occupation', sa.String(length=64), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.Column('wechat', sa.String(length=64), nullable=True),
    sa.Column('contact_person', sa.String(length=32), nullable=True),
    sa.Column('card_no', sa.String(length=32), nullable=True),
    sa.Column('card_issued_on', sa.Date(), nullable=True),
    sa.Column('card_expires_on', sa.Date(), nullable=True),
    sa.Column('no_transfer_reason', sa.Text(), nullable=True),
    sa.Column('back_on', sa.Date(), nullable=True),
    sa.Column('category_before', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_migrant_stint_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_migrant_stint'))
    )
    with op.batch_alter_table('migrant_stint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_migrant_stint_member_id'), ['member_id'], unique=False)

    bind = op.get_bind()
    bind.execute(sa.text(
        "INSERT INTO migrant_stint (member_id, left_on, province, city, county, reason, occupation, phone, card_no) "
        "SELECT id, away_since, away_province, away_city, away_county, away_reason, away_occupation, away_contact, "
        "activity_card_no FROM member WHERE category = 'migrant' ORDER BY id"))
    for stint_id, contact in bind.execute(sa.text(
            "SELECT id, phone FROM migrant_stint WHERE coalesce(phone, '') != ''")).all():
        phone = _phone(contact)
        bind.execute(sa.text("UPDATE migrant_stint SET phone = :phone, wechat = :wechat WHERE id = :id"),
                     {"phone": phone, "wechat": None if phone else contact.strip(), "id": stint_id})
    rows = bind.execute(sa.text(
        "SELECT id, notes, " + ", ".join(INLINE) + " FROM member WHERE category != 'migrant' AND ("
        + " OR ".join(f"coalesce({c}, '') != ''" for c in INLINE) + ")")).mappings().all()
    for row in rows:
        place = "".join(row[k] or "" for k in ('away_province', 'away_city', 'away_county'))
        parts = [("外出时间", row['away_since']), ("流向", place), ("外出原因", row['away_reason']),
                 ("从事职业", row['away_occupation']), ("外出联系方式", row['away_contact']),
                 ("活动证号", row['activity_card_no'])]
        line = "原外出登记：" + "，".join(f"{label}{value}" for label, value in parts if value)
        notes = f"{row['notes']}\n{line}" if row['notes'] else line
        bind.execute(sa.text("UPDATE member SET notes = :notes WHERE id = :id"), {"notes": notes, "id": row['id']})

    with op.batch_alter_table('member', schema=None) as batch_op:
        for column in INLINE:
            batch_op.drop_column(column)


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('away_since', sa.DATE(), nullable=True))
        batch_op.add_column(sa.Column('away_reason', sa.VARCHAR(length=64), nullable=True))
        batch_op.add_column(sa.Column('away_province', sa.VARCHAR(length=32), nullable=True))
        batch_op.add_column(sa.Column('away_city', sa.VARCHAR(length=32), nullable=True))
        batch_op.add_column(sa.Column('away_county', sa.VARCHAR(length=32), nullable=True))
        batch_op.add_column(sa.Column('away_contact', sa.VARCHAR(length=64), nullable=True))
        batch_op.add_column(sa.Column('away_occupation', sa.VARCHAR(length=64), nullable=True))
        batch_op.add_column(sa.Column('activity_card_no', sa.VARCHAR(length=32), nullable=True))
    op.get_bind().execute(sa.text(
        "UPDATE member SET (away_since, away_reason, away_province, away_city, away_county, away_contact, "
        "away_occupation, activity_card_no) = (SELECT s.left_on, s.reason, s.province, s.city, s.county, "
        "coalesce(nullif(s.phone, ''), s.wechat), "
        "s.occupation, s.card_no FROM migrant_stint s WHERE s.member_id = member.id AND s.back_on IS NULL "
        "ORDER BY s.id DESC LIMIT 1) "
        "WHERE id IN (SELECT member_id FROM migrant_stint WHERE back_on IS NULL)"))

    with op.batch_alter_table('migrant_stint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_migrant_stint_member_id'))
    op.drop_table('migrant_stint')
    with op.batch_alter_table('migrant_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_migrant_contact_member_id'))
    op.drop_table('migrant_contact')
