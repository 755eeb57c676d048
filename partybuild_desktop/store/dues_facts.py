"""The dues grid's one query: every member of a village with their dues assessments and, per member,
the months paid (as bits of a two-year window) and the sums paid. Two forms, chosen by the database:
SQLite's tuned one and a portable one in SQLAlchemy Core; both give the same rows (a test runs both on
the same data).

SQLite stores a date as 'YYYY-MM-DD': its form reads the month with ``substr`` and the year by comparing
(``strftime``, which the portable form's ``extract`` becomes, costs three times as much over a village's
payments),
reads the covering index ``ix_dues_payment_member_months`` in member order, so nothing is sorted, and
takes its rows from the DB-API cursor (SQLAlchemy's row objects would cost more than the query).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Connection, Integer, cast, extract, func, literal, select

from partybuild_desktop.store.models import DuesAssessment, DuesPayment, Member, PartyGroup

# member id, name, party group, category code, joined (a month number: year × 12 + month − 1) or None,
# archived, assessed from (a month number) or None, kind code, base, monthly, the months paid (a mask of the
# window), the sum paid for them.
Row = tuple

_PAID = """
    SELECT member_id, sum(1 << ((month >= ?) * 12 + CAST(substr(month, 6, 2) AS INTEGER) - 1)), total(amount_fen)
    FROM dues_payment INDEXED BY ix_dues_payment_member_months
    WHERE village_id = ? AND month BETWEEN ? AND ? {members}
    GROUP BY member_id
"""
_MEMBERS = """
    SELECT m.id, m.name, g.name, m.category,
           CAST(substr(m.joined_date, 1, 4) AS INTEGER) * 12 + CAST(substr(m.joined_date, 6, 2) AS INTEGER) - 1,
           m.archived,
           CAST(substr(a.from_month, 1, 4) AS INTEGER) * 12 + CAST(substr(a.from_month, 6, 2) AS INTEGER) - 1,
           a.kind, a.base_fen, a.monthly_fen, g.id
    FROM member AS m
    LEFT JOIN party_group AS g ON g.id = m.party_group_id
    LEFT JOIN dues_assessment AS a ON a.member_id = m.id AND a.from_month <= ?
    WHERE m.village_id = ? {members}
"""


def month_number(day: dt.date | None) -> int | None:
    """A month as one number (year × 12 + month − 1), so months subtract."""
    return day.year * 12 + day.month - 1 if day else None


def member_year(connection: Connection, village_id: int, year: int, member_ids: Sequence[int] | None = None,
                portable: bool | None = None) -> list[Row]:
    """The rows of ``Row``: one per member and assessment (a member without one: once, with None), in
    the members' order (by party group, then as entered) and each member's assessments in date order.
    The months paid are bits of the window from January of the year before ``year`` (bit 0) to December
    of ``year`` (bit 23)."""
    year_start, window = dt.date(year, 1, 1), (dt.date(year - 1, 1, 1), dt.date(year, 12, 1))
    if not portable and connection.dialect.name == "sqlite":
        ids = list(member_ids) if member_ids is not None else None
        only = ("", "") if ids is None else (f"AND member_id IN ({', '.join('?' * len(ids))})",
                                             f"AND m.id IN ({', '.join('?' * len(ids))})")
        cursor = connection.connection.driver_connection.cursor()
        try:
            paid = {r[0]: (r[1], int(r[2])) for r in cursor.execute(
                _PAID.format(members=only[0]),
                [year_start.isoformat(), village_id, window[0].isoformat(), window[1].isoformat(), *(ids or ())])}
            rows = cursor.execute(_MEMBERS.format(members=only[1]),
                                  [window[1].isoformat(), village_id, *(ids or ())]).fetchall()
        finally:
            cursor.close()
        # The members' order (by party group, then as entered), each member's assessments in date order.
        rows.sort(key=lambda r: (r[10] is None, r[10] or 0, r[0], r[6] or 0))
        nothing = (0, 0)
        return [(*r[:5], bool(r[5]), *r[6:10], *paid.get(r[0], nothing)) for r in rows]
    payment = DuesPayment.__table__.c
    bit = cast((extract("year", payment.month) - (year - 1)) * 12 + extract("month", payment.month) - 1, Integer)
    paid = (select(payment.member_id, func.sum(literal(1).bitwise_lshift(bit)).label("months"),
                   func.sum(payment.amount_fen).label("paid"))
            .where(payment.village_id == village_id, payment.month.between(*window))
            .group_by(payment.member_id).subquery())
    member, group, assessment = Member.__table__.c, PartyGroup.__table__.c, DuesAssessment.__table__.c
    query = (select(member.id, member.name, group.name, member.category, member.joined_date, member.archived,
                    assessment.from_month, assessment.kind, assessment.base_fen, assessment.monthly_fen,
                    paid.c.months, paid.c.paid)
             .select_from(Member.__table__)
             .outerjoin(PartyGroup.__table__, group.id == member.party_group_id)
             .outerjoin(DuesAssessment.__table__, (assessment.member_id == member.id) & (assessment.from_month <= window[1]))
             .outerjoin(paid, paid.c.member_id == member.id)
             .where(member.village_id == village_id)
             .order_by(group.id.is_(None), group.id, member.id, assessment.from_month))
    if member_ids is not None:
        query = query.where(member.id.in_(list(member_ids)))
    return [(r[0], r[1], r[2], r[3].value, month_number(r[4]), bool(r[5]), month_number(r[6]),
             r[7].value if r[7] else None, r[8], r[9], int(r[10] or 0), int(r[11] or 0))
            for r in connection.execute(query).all()]
