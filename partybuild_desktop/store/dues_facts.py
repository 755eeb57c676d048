"""The dues grid's one query: every member of a village with their dues assessments and, per member,
the months paid (as bits of a two-year window) and the sums paid. Two forms, chosen by the database:
SQLite's tuned one and a portable one in SQLAlchemy Core; both give the same rows (a test runs both on
the same data).

SQLite stores a date as 'YYYY-MM-DD': its form reads the year and month with ``substr`` (``strftime``,
which the portable form's ``extract`` becomes, costs three times as much over a village's payments),
reads the covering index ``ix_dues_payment_member_months`` in member order, so nothing is sorted, and
takes its rows from the DB-API cursor (SQLAlchemy's row objects would cost more than the query).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Connection, Integer, case, cast, extract, func, literal, select

from partybuild_desktop.store.models import DuesAssessment, DuesPayment, Member, PartyGroup

# member id, name, party group, category code, joined (year, month) or None, archived, assessed from
# (year, month) or None, kind code, base, monthly, months paid (mask), paid to as-of, paid in the year.
Row = tuple

_MEMBER_YEAR = """
    WITH paid AS (
        SELECT member_id,
               sum(1 << ((CAST(substr(month, 1, 4) AS INTEGER) - ?) * 12 + CAST(substr(month, 6, 2) AS INTEGER) - 1))
                   AS months,
               total(CASE WHEN month BETWEEN ? AND ? THEN amount_fen END) AS to_date,
               total(CASE WHEN month >= ? THEN amount_fen END) AS in_year
        FROM dues_payment INDEXED BY ix_dues_payment_member_months
        WHERE village_id = ? AND month BETWEEN ? AND ?
        GROUP BY member_id
    )
    SELECT m.id, m.name, g.name, m.category, substr(m.joined_date, 1, 7), m.archived,
           substr(a.from_month, 1, 7), a.kind, a.base_fen, a.monthly_fen, p.months, p.to_date, p.in_year
    FROM member AS m
    LEFT JOIN party_group AS g ON g.id = m.party_group_id
    LEFT JOIN dues_assessment AS a ON a.member_id = m.id AND a.from_month <= ?
    LEFT JOIN paid AS p ON p.member_id = m.id
    WHERE m.village_id = ? {members}
    ORDER BY g.id IS NULL, g.id, m.id, a.from_month
"""


def _month(text: str | None) -> tuple[int, int] | None:
    return (int(text[:4]), int(text[5:7])) if text else None


def _ym(day: dt.date | None) -> tuple[int, int] | None:
    return (day.year, day.month) if day else None


def member_year(connection: Connection, village_id: int, year: int, as_of: dt.date,
                member_ids: Sequence[int] | None = None, portable: bool | None = None) -> list[Row]:
    """The rows of ``Row``: one per member and assessment (a member without one: once, with None), in
    the members' order (by party group, then as entered) and each member's assessments in date order.
    The months paid are bits of the window from January of the year before ``year`` to December of
    ``year``; ``as_of`` is the first of the last month counted as due."""
    year_start, window = dt.date(year, 1, 1), (dt.date(year - 1, 1, 1), dt.date(year, 12, 1))
    if not portable and connection.dialect.name == "sqlite":
        ids = list(member_ids) if member_ids is not None else None
        sql = _MEMBER_YEAR.format(members="" if ids is None else f"AND m.id IN ({', '.join('?' * len(ids))})")
        params = [year - 1, year_start.isoformat(), as_of.isoformat(), year_start.isoformat(), village_id,
                  window[0].isoformat(), window[1].isoformat(), window[1].isoformat(), village_id, *(ids or ())]
        cursor = connection.connection.driver_connection.cursor()
        try:
            rows = cursor.execute(sql, params).fetchall()
        finally:
            cursor.close()
        return [(r[0], r[1], r[2], r[3], _month(r[4]), bool(r[5]), _month(r[6]), r[7], r[8], r[9], int(r[10] or 0),
                 int(r[11] or 0), int(r[12] or 0)) for r in rows]
    payment = DuesPayment.__table__.c
    bit = cast((extract("year", payment.month) - (year - 1)) * 12 + extract("month", payment.month) - 1, Integer)
    paid = (select(payment.member_id, func.sum(literal(1).bitwise_lshift(bit)).label("months"),
                   func.sum(case((payment.month.between(year_start, as_of), payment.amount_fen), else_=0)).label("to_date"),
                   func.sum(case((payment.month >= year_start, payment.amount_fen), else_=0)).label("in_year"))
            .where(payment.village_id == village_id, payment.month.between(*window))
            .group_by(payment.member_id).subquery())
    member, group, assessment = Member.__table__.c, PartyGroup.__table__.c, DuesAssessment.__table__.c
    query = (select(member.id, member.name, group.name, member.category, member.joined_date, member.archived,
                    assessment.from_month, assessment.kind, assessment.base_fen, assessment.monthly_fen,
                    paid.c.months, paid.c.to_date, paid.c.in_year)
             .select_from(Member.__table__)
             .outerjoin(PartyGroup.__table__, group.id == member.party_group_id)
             .outerjoin(DuesAssessment.__table__, (assessment.member_id == member.id) & (assessment.from_month <= window[1]))
             .outerjoin(paid, paid.c.member_id == member.id)
             .where(member.village_id == village_id)
             .order_by(group.id.is_(None), group.id, member.id, assessment.from_month))
    if member_ids is not None:
        query = query.where(member.id.in_(list(member_ids)))
    return [(r[0], r[1], r[2], r[3].value, _ym(r[4]), bool(r[5]), _ym(r[6]), r[7].value if r[7] else None, r[8], r[9],
             int(r[10] or 0), int(r[11] or 0), int(r[12] or 0)) for r in connection.execute(query).all()]
