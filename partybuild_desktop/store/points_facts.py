"""The points board's aggregate queries: per member, how many record entries, visits and proxy services a
period holds (and in which months). Two forms of each, chosen by the database: SQLite's tuned one, and a
portable one in SQLAlchemy Core; both give the same rows (a test runs both on the same data).

SQLite's form names the covering index: left to itself the planner takes the date index and reads every
row from the table, several times slower. Its month masks (the sum of the distinct ``1 << month``; SQLite
stores dates as 'YYYY-MM-DD') are worked out apart, only for the entry types a rule counts by month:
inside the totals query they doubled its cost. Its rows come through the DB-API cursor: twenty thousand
rows come back, and SQLAlchemy's row objects cost a fifth.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable

from sqlalchemy import Connection, extract, func, or_, select, text

from partybuild_desktop.store.models import Member, ProxyService, RecordEntry, Visit

_ENTRY_TOTALS = """
    SELECT member_id, entry_type, count(*), total(hours)
    FROM record_entry INDEXED BY ix_record_entry_points
    WHERE {members} date BETWEEN ? AND ? AND (source_kind IS NULL OR source_kind NOT IN ({direct}))
    GROUP BY member_id, entry_type
"""
_ENTRY_MONTHS = """
    SELECT member_id, entry_type, sum(DISTINCT 1 << CAST(substr(date, 6, 2) AS INTEGER))
    FROM record_entry INDEXED BY ix_record_entry_points
    WHERE member_id IN (SELECT id FROM member {village}) AND entry_type IN ({types})
      AND date BETWEEN ? AND ? AND (source_kind IS NULL OR source_kind NOT IN ({direct}))
    GROUP BY member_id, entry_type
"""
_VISIT_TOTALS = text("""
    SELECT member_id, count(*), sum(DISTINCT 1 << CAST(substr(date, 6, 2) AS INTEGER))
    FROM visit WHERE village_id = :village AND date BETWEEN :start AND :end GROUP BY member_id
""")
_PROXY_TOTALS = text("""
    SELECT handler_id, count(*), sum(DISTINCT 1 << CAST(substr(coalesce(completed_date, received_date), 6, 2) AS INTEGER))
    FROM proxy_service
    WHERE village_id = :village AND handler_id IS NOT NULL AND status = :done
      AND coalesce(completed_date, received_date) BETWEEN :start AND :end
    GROUP BY handler_id
""")


def _tuned(connection: Connection, portable: bool | None) -> bool:
    return not portable and connection.dialect.name == "sqlite"


def _raw_rows(connection: Connection, sql: str, params: list) -> list[tuple]:
    cursor = connection.connection.driver_connection.cursor()
    try:
        return cursor.execute(sql, params).fetchall()
    finally:
        cursor.close()


def _not_direct(direct: Collection[str]):
    return or_(RecordEntry.source_kind.is_(None), RecordEntry.source_kind.not_in(list(direct)))


def _masks(rows: Iterable[tuple]) -> dict[tuple, int]:
    """(key…, month) rows → key → the sum of the distinct ``1 << month``."""
    masks: dict[tuple, int] = defaultdict(int)
    for *key, month in rows:
        masks[tuple(key)] |= 1 << int(month)
    return masks


def entry_totals(connection: Connection, village_id: int | None, start: dt.date, end: dt.date,
                 direct: Collection[str], portable: bool | None = None) -> list[tuple]:
    """(member_id, entry_type, count, hours) of the period's record entries, those written directly by
    ``direct`` source kinds left out; ``village_id`` None: every member in the file."""
    if _tuned(connection, portable):
        members_sql, members = ("", []) if village_id is None else (
            "member_id IN (SELECT id FROM member WHERE village_id = ?) AND", [village_id])
        kinds = ", ".join(f"'{kind}'" for kind in direct)
        return _raw_rows(connection, _ENTRY_TOTALS.format(members=members_sql, direct=kinds),
                         members + [start.isoformat(), end.isoformat()])
    query = (select(RecordEntry.member_id, RecordEntry.entry_type, func.count(),
                    func.coalesce(func.sum(RecordEntry.hours), 0.0))
             .where(RecordEntry.date.between(start, end), _not_direct(direct))
             .group_by(RecordEntry.member_id, RecordEntry.entry_type))
    if village_id is not None:
        query = query.where(RecordEntry.member_id.in_(select(Member.id).where(Member.village_id == village_id)))
    return [(m, t.value, c, h) for m, t, c, h in connection.execute(query)]


def entry_months(connection: Connection, village_id: int | None, entry_types: list[str], start: dt.date,
                 end: dt.date, direct: Collection[str], portable: bool | None = None) -> dict[tuple[int, str], int]:
    """(member_id, entry_type) → the months (as a mask of ``1 << month``) with such an entry."""
    if not entry_types:
        return {}
    if _tuned(connection, portable):
        village_sql, village = ("", []) if village_id is None else ("WHERE village_id = ?", [village_id])
        kinds = ", ".join(f"'{kind}'" for kind in direct)
        sql = _ENTRY_MONTHS.format(village=village_sql, types=", ".join("?" * len(entry_types)), direct=kinds)
        rows = _raw_rows(connection, sql, village + list(entry_types) + [start.isoformat(), end.isoformat()])
        return {(m, t): mask for m, t, mask in rows}
    query = (select(RecordEntry.member_id, RecordEntry.entry_type, extract("month", RecordEntry.date)).distinct()
             .where(RecordEntry.entry_type.in_(entry_types), RecordEntry.date.between(start, end), _not_direct(direct)))
    if village_id is not None:
        query = query.where(RecordEntry.member_id.in_(select(Member.id).where(Member.village_id == village_id)))
    return dict(_masks((m, t.value, month) for m, t, month in connection.execute(query)))


def visit_totals(connection: Connection, village_id: int, start: dt.date, end: dt.date,
                 portable: bool | None = None) -> list[tuple]:
    """(member_id, visits, month mask) of the period's visit diary."""
    if _tuned(connection, portable):
        params = dict(village=village_id, start=start.isoformat(), end=end.isoformat())
        return [tuple(row) for row in connection.execute(_VISIT_TOTALS, params)]
    where = (Visit.village_id == village_id, Visit.date.between(start, end))
    counts = connection.execute(select(Visit.member_id, func.count()).where(*where).group_by(Visit.member_id)).all()
    masks = _masks(connection.execute(select(Visit.member_id, extract("month", Visit.date)).distinct().where(*where)))
    return [(member_id, count, masks[(member_id,)]) for member_id, count in counts]


def proxy_totals(connection: Connection, village_id: int, start: dt.date, end: dt.date, done: str,
                 portable: bool | None = None) -> list[tuple]:
    """(handler_id, services done, month mask) of the period's proxy services, dated by completion."""
    if _tuned(connection, portable):
        params = dict(village=village_id, start=start.isoformat(), end=end.isoformat(), done=done)
        return [tuple(row) for row in connection.execute(_PROXY_TOTALS, params)]
    day = func.coalesce(ProxyService.completed_date, ProxyService.received_date)
    where = (ProxyService.village_id == village_id, ProxyService.handler_id.is_not(None),
             ProxyService.status == done, day.between(start, end))
    counts = connection.execute(select(ProxyService.handler_id, func.count()).where(*where)
                                .group_by(ProxyService.handler_id)).all()
    masks = _masks(connection.execute(select(ProxyService.handler_id, extract("month", day)).distinct().where(*where)))
    return [(handler_id, count, masks[(handler_id,)]) for handler_id, count in counts]
