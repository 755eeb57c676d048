"""The township's received returns: the queries consolidation runs on every package import, in SQLAlchemy
Core (portable SQL, and without the ORM's per-row cost that dominated these small look-ups)."""

from __future__ import annotations

from sqlalchemy import Connection, exists, func, insert, select

from partybuild_desktop.store.models import ReceivedFigure, ReceivedReturn, ReceivedVillage, Setting

_VILLAGE = ReceivedVillage.__table__
_RETURN = ReceivedReturn.__table__


def villages(connection: Connection) -> list[tuple]:
    """Every received village: (id, village_key, township, name)."""
    return connection.execute(select(_VILLAGE.c.id, _VILLAGE.c.village_key, _VILLAGE.c.township,
                                     _VILLAGE.c.name)).all()


def current_returns(connection: Connection, quarter: str) -> list[tuple]:
    """The quarter's current (not superseded) returns: (village id, return id, package sha256, received at,
    filed on)."""
    return connection.execute(
        select(_RETURN.c.received_village_id, _RETURN.c.id, _RETURN.c.package_sha256, _RETURN.c.received_at,
               _RETURN.c.filed_on)
        .where(_RETURN.c.quarter == quarter, _RETURN.c.superseded_at.is_(None))).all()


def villages_with_returns(connection: Connection) -> set[int]:
    return set(connection.execute(select(_RETURN.c.received_village_id).distinct()).scalars())


def setting_exists(connection: Connection, key: str) -> bool:
    return connection.execute(select(exists().where(Setting.__table__.c.key == key))).scalar()


def villages_sent(connection: Connection, quarter: str) -> list[tuple]:
    """Every received village with whether it sent a return for the quarter: (name, position, sent)."""
    sent = exists().where(_RETURN.c.received_village_id == _VILLAGE.c.id, _RETURN.c.quarter == quarter)
    return connection.execute(select(_VILLAGE.c.name, _VILLAGE.c.position, sent)).all()


def current_townships(connection: Connection, quarter: str) -> list[str]:
    """The townships the quarter's current returns come from, in order."""
    return list(connection.execute(
        select(_VILLAGE.c.township).distinct().join(_RETURN, _RETURN.c.received_village_id == _VILLAGE.c.id)
        .where(_RETURN.c.quarter == quarter, _RETURN.c.superseded_at.is_(None)).order_by(_VILLAGE.c.township))
        .scalars())


def next_ids(connection: Connection) -> tuple[int, int]:
    """The next free ids of received villages and returns. Taken by one writer at a time: the caller's
    transaction holds SQLite's write lock."""
    village = connection.execute(select(func.max(_VILLAGE.c.id))).scalar() or 0
    received = connection.execute(select(func.max(_RETURN.c.id))).scalar() or 0
    return village + 1, received + 1


def insert_figures(connection: Connection, figures: list[tuple[int, str, str, int]]) -> None:
    """(return id, section, key, value) rows, in one batch."""
    if figures:
        connection.execute(insert(ReceivedFigure.__table__),
                           [dict(return_id=r, section=s, key=k, value=v) for r, s, k, v in figures])


def begin_writing(connection: Connection) -> None:
    """Open the transaction now, before any savepoint. Python's sqlite3 opens its transaction only at the
    first INSERT, UPDATE or DELETE; a SAVEPOINT before that would start a transaction of its own, and
    releasing it would commit, outside the caller's transaction."""
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN")
