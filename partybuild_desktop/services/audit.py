"""The audit log: who changed what, when. Written in the same transaction as the change itself, so a
change that is rolled back leaves no audit row and a saved one always has its row."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from partybuild_desktop.services.changes import Change
from partybuild_desktop.services.village import get_setting, set_setting
from partybuild_desktop.store.models import AuditEntry

OPERATOR = "operator_name"
UNNAMED_OPERATOR = "未署名"  # before anyone has named themselves in 设置 → 操作员
MAX_OPERATOR_LENGTH = 32


@dataclass(frozen=True)
class AuditLine:
    at: dt.datetime
    operator: str
    action: str
    changes: Change
    source: str


def operator(session: Session) -> str:
    """Who is using the program, as named in 设置 → 操作员."""
    return get_setting(session, OPERATOR) or UNNAMED_OPERATOR


def set_operator(session: Session, name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValueError("请填写操作员的姓名。")
    if len(name) > MAX_OPERATOR_LENGTH:
        raise ValueError(f"操作员姓名最多 {MAX_OPERATOR_LENGTH} 个字。")
    set_setting(session, OPERATOR, name)
    return name


def record(session: Session, action: str, changes: Change, source: str = "window",
           at: dt.datetime | None = None) -> None:
    """Add the audit row of the change being made in ``session`` (committed with it)."""
    session.add(AuditEntry(at=at or dt.datetime.now(), operator=operator(session), action=action[:128],
                           changes=",".join(changes.names), source=source))


def recent(session: Session, limit: int = 200) -> list[AuditLine]:
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
    return [AuditLine(row.at, row.operator, row.action, Change.from_names(filter(None, row.changes.split(","))),
                      row.source) for row in rows]


class AuditedStore:
    """The store as seen by a service that opens its own transaction (township consolidation): the first
    session it opens commits with the operation's audit row, unless ``skip()`` says the work was
    cancelled and rolled back; later sessions (reading what was stored) are left as they are."""

    def __init__(self, store, action: str, changes: Change, skip=lambda: False, source: str = "window"):
        self._store, self._action, self._changes, self._skip, self._source = store, action, changes, skip, source
        self._recorded = False

    def __getattr__(self, name):
        return getattr(self._store, name)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._store.session() as session:
            first, self._recorded = not self._recorded, True
            yield session
            if first and not self._skip():
                record(session, self._action, self._changes, self._source)
