"""Photos and scans kept with a record: a meeting's 签到表 and 现场照片, a ledger line's 凭证 and 发票.

One set of rules for every kind of record: a JPG or PNG photo or a PDF scan, told by its first bytes;
at most ``MAX_ATTACHMENT_BYTES``; a file chosen from disk is sized before it is read. Each record kind
names its tables and how its refusals read in an ``Attachments``; the services keep their own public
functions (``meetings.add_attachment``, ``funds.list_attachments`` …) on top of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.text import clean_cell
from partybuild_desktop.services.village import village_row

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    name: str
    content_type: str
    size: int
    added_at: dt.datetime


_SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"%PDF-", "application/pdf"))


def attachment_type(data: bytes) -> str | None:
    """What a file is, from its first bytes: a JPEG or PNG photo, or a PDF scan; None for anything else."""
    for signature, content_type in _SIGNATURES:
        if data.startswith(signature):
            return content_type
    return None


def _too_large(name: str, size: int, shrink: str) -> str:
    return (f"“{name}”有 {size / 1024 / 1024:.1f} MB，超过 {MAX_ATTACHMENT_BYTES // 1024 // 1024} MB。"
            f"请把{shrink}缩小或分页扫描后再添加。")


def _not_a_scan(name: str, what: str) -> str:
    return f"“{name}”不是 JPG、PNG 照片或 PDF 扫描件，不能作为{what}。"


def read_attachment(path, error: type[Refusal] = Refusal, shrink: str = "照片") -> tuple[str, bytes]:
    """A photo or scan chosen from disk: its name and bytes, read only when its size is within the limit
    (a video picked by mistake is not loaded), and its kind checked. ``error`` (in Chinese) otherwise."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_ATTACHMENT_BYTES:
            raise error(_too_large(path.name, size, shrink))
        with path.open("rb") as file:
            data = file.read(MAX_ATTACHMENT_BYTES + 1)
    except OSError as failure:
        raise error(f"“{path.name}”读不出来：{failure.strerror or failure}。") from failure
    if len(data) > MAX_ATTACHMENT_BYTES or attachment_type(data) is None:
        raise error(_not_a_scan(path.name, "附件"))
    return path.name, data


@dataclass(frozen=True)
class Attachments:
    """One record kind's attachments: the table they are kept in, the record they hang on (which has a
    ``village_id``) and the column naming it, and how refusals read (``error``; ``what`` they are;
    what to ``shrink`` when too large)."""

    model: type
    owner: type
    owner_column: str
    error: type[Refusal]
    what: str
    shrink: str

    def add(self, session: Session, owner_id: int, name: str, data: bytes) -> int:
        """Keep ``data`` with the record (which the caller has checked is the village's)."""
        name = clean_cell(name)[:255] or "附件"
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise self.error(_too_large(name, len(data), self.shrink))
        content_type = attachment_type(data)
        if content_type is None:
            raise self.error(_not_a_scan(name, self.what))
        row = self.model(**{self.owner_column: owner_id}, name=name, content_type=content_type, data=data,
                         added_at=dt.datetime.now().replace(microsecond=0))
        session.add(row)
        session.flush()
        return row.id

    def rows(self, session: Session, village_id: int, owner_id: int) -> list[AttachmentRow]:
        """The record's attachments, without their bytes, in the order they were added."""
        model, owner = self.model, self.owner
        owner_column = getattr(model, self.owner_column)
        rows = session.execute(
            select(model.id, model.name, model.content_type, func.length(model.data), model.added_at)
            .join(owner, owner.id == owner_column)
            .where(owner.village_id == village_id, owner_column == owner_id)
            .order_by(model.id))
        return [AttachmentRow(*row) for row in rows]

    def find(self, session: Session, village_id: int, attachment_id: int):
        """The attachment when it is there and its record is the village's; None otherwise."""
        row = session.get(self.model, attachment_id)
        if row is None or village_row(session, self.owner, getattr(row, self.owner_column), village_id) is None:
            return None
        return row

    def get(self, session: Session, village_id: int, attachment_id: int):
        """As ``find``, refusing when it is not there."""
        row = self.find(session, village_id, attachment_id)
        if row is None:
            raise self.error("找不到这个附件，可能已被删除。")
        return row
