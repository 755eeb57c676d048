"""The audit log (操作记录): who changed what, when, which records and which fields, old → new.

Written in the same transaction as the change itself, so a change that is rolled back leaves no audit row
and a saved one always has its rows. The operation runner (``ui/operations.py``), the command line and
``AuditedStore`` call ``record`` at the end of the work; what the work changed is collected meanwhile by
session events (``_install``, once, for every session): each ORM flush (new, changed and deleted
objects with their attribute history) and each ``session.execute`` of an insert, update or delete (the
batch writes of imports, with their rows as parameters). A service writing through the bare connection
(the township's consolidation) states its batches itself with ``note_bulk``.

One operation gives one ``AuditEntry`` and its ``AuditDetail`` rows: per record a row, and per field
changed a row with the old and the new value; past ``DETAILED_RECORDS`` records of one table and kind
(an import of 40,000 members) a single summary row with the count and which records (id ranges and the
first names) instead of the field rows.

The log is append-only through the program: the ORM refuses to change or delete an audit row
(``AuditIsAppendOnly``), whether by a flush or by an update/delete statement.
"""

from __future__ import annotations

import datetime as dt
import enum
from contextlib import contextmanager
from dataclasses import dataclass, field as dc_field
from typing import Iterable, Iterator, Sequence

from sqlalchemy import and_, event, func, insert, inspect, or_, select
from sqlalchemy.orm import Session

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.id_number import mask as mask_id_number
from partybuild_desktop.domain.phone import mask_phone
from partybuild_desktop.services.changes import AREA_LABELS, Change
from partybuild_desktop.services.village import get_setting, set_setting
from partybuild_desktop.store.models import AuditDetail, AuditEntry, Base, Member

OPERATOR = "operator_name"
UNNAMED_OPERATOR = "未署名"  # before anyone has named themselves in 设置 → 操作员
MAX_OPERATOR_LENGTH = 32

DETAILED_RECORDS = 20  # records of one table and kind shown field by field; past it one summary row
SUMMARY_NAMES = 5  # names listed in a summary row
MAX_VALUE = 200  # characters of a value kept in the log

INSERT, UPDATE, DELETE, BULK = "insert", "update", "delete", "bulk"
KIND_LABELS = {INSERT: "新增", UPDATE: "修改", DELETE: "删除", BULK: "批量"}

# What the log keeps of personal data. The log is read by whoever opens 设置 → 操作记录 and goes into
# its xlsx export, so it must not become a second copy of what is protected elsewhere: an ID number is
# stored masked (region and last four digits: enough to tell which number was changed, not to use it);
# phone numbers masked the same way; an address or an income (the 党费 base) only as "changed", never
# its value. Names stay: without them no one could tell which record was touched.
MASKED_IDS = frozenset({"id_number"})
MASKED_PHONES = frozenset({"mobile", "landline", "phone", "away_contact", "employer_contact", "wechat"})
HIDDEN = frozenset({"address", "base_fen"})
HIDDEN_VALUE = "（不记内容）"
SKIPPED = frozenset({"id", "village_id", "search_keys"})  # bookkeeping, not something a clerk changed


TABLE_LABELS = {
    "setting": "设置", "village": "本村", "grid_branch": "网格支部", "party_group": "党小组", "grid": "网格",
    "grid_staff": "网格员", "member": "党员", "member_event": "党员状态变动", "household": "农户",
    "record_entry": "纪实", "visit": "走访", "proxy_service": "代办服务", "point_rule_set": "积分办法",
    "point_award": "积分", "point_year_member": "年度积分", "received_village": "报送村",
    "received_return": "收到的报表", "received_figure": "报表数字", "committee_term": "班子届次",
    "committee_post_holder": "班子成员", "grid_branch_member": "网格支部成员", "meeting": "会议",
    "meeting_attendance": "会议出席", "meeting_decision": "会议决议", "meeting_attachment": "会议附件",
    "member_review": "民主评议", "dues_assessment": "党费基数", "dues_payment": "党费缴纳",
    "funds_entry": "党建经费", "funds_attachment": "经费凭证", "recruit_case": "发展对象",
    "recruit_step": "发展步骤", "recruit_person": "培养联系人/介绍人", "recruit_review": "考察记录",
    "recruit_breach": "发展程序问题", "migrant_stint": "流动党员外出", "migrant_contact": "流动党员联系",
    "organisation_transfer": "组织关系转接", "reserve_cadre": "后备干部",
}

FIELD_LABELS = {
    "name": "名称", "date": "日期", "note": "说明", "notes": "备注", "kind": "类别", "reason": "原因",
    "phone": "电话", "address": "地址", "text": "内容", "year": "年度", "status": "状态", "value": "值",
    "topic": "议题", "place": "地点", "host": "主持人", "recorder": "记录人", "hours": "学时",
    "amount_fen": "金额", "base_fen": "收入基数", "month": "月份", "paid_on": "缴纳日期", "head_name": "户主",
    "villager_group": "村民小组", "member_id": "党员", "party_group_id": "党小组", "grid_id": "网格",
    "household_id": "农户", "meeting_id": "会议", "case_id": "发展对象", "role": "身份", "post": "职务",
    "started_on": "开始日期", "ended_on": "结束日期", "township": "乡镇", "branch_name": "支部名称",
    "secretary_name": "书记", "key": "项目", "step": "步骤", "grade": "等次", "points": "分值",
    "entry_type": "纪实类别", "collector": "收款人", "receipt_no": "收据号", "method": "方式",
    "position": "次序", "branch_type": "党组织类型", "category": "类别", "gender": "性别", "created_at": "建立时间", "expected": "应报", "quarter": "季度", "filed_on": "填报日期",
    # 党员 beyond the 花名册's columns
    "hub_id": "党群服务站点", "is_model_post": "党员示范岗", "photo": "照片", "archived": "已归档",
    "archive_reason": "归档原因", "departure": "离开方式",
    # 组织机构 and 网格
    "secretary_id": "书记", "committee_contact_id": "联系的村两委成员", "leader_id": "组长",
    "branch_contact_id": "联系的支委", "grid_branch_id": "网格支部", "parent_id": "上级网格", "level": "网格层级",
    "area": "范围", "duties": "职责", "term_id": "届次", "liaison_member_id": "联系党员",
    # 农户
    "size": "人口", "hardship": "困难户", "elderly_alone": "独居老人", "left_behind_children": "留守儿童",
    "unemployed": "失业人员", "special": "特殊情况",
    # 纪实, 走访, 代办
    "source_kind": "来源类别", "source_id": "来源记录", "matter": "事项", "action": "处理情况",
    "follow_up": "后续跟进", "feedback": "反馈", "applicant": "申请人", "received_date": "受理日期",
    "promised_date": "承诺办结日期", "completed_date": "办结日期", "handler_id": "经办人",
    "refusal_reason": "不予办理的原因",
    # 积分
    "rules": "积分细则", "updated_at": "修改时间", "updated_by": "修改人", "closed_at": "结账时间",
    "closed_by": "结账人", "item_code": "积分项目", "quantity": "次数", "entered_by": "录入人",
    "entered_at": "录入时间",
    # 附件
    "entry_id": "所属记录", "content_type": "文件类型", "data": "文件内容", "added_at": "添加时间",
    # 会议, 评议, 党费, 经费
    "voting": "有表决权", "frail": "年老体弱", "time": "时间", "minutes": "会议记录",
    "attendees_note": "出席说明", "votes_for": "赞成票", "votes_against": "反对票", "votes_abstain": "弃权票",
    "disposal": "处置", "decided_on": "决定日期", "from_month": "起始月份", "monthly_fen": "每月党费",
    "approved_by": "批准人", "item": "科目", "project": "项目", "source": "来源", "voucher_no": "凭证号",
    "handled_by": "经办人",
    # 乡镇收到的报表
    "village_key": "村代码", "received_village_id": "报送村", "period_start": "期间开始",
    "period_end": "期间结束", "received_at": "收到时间", "package_name": "报送文件", "package_sha256": "文件校验码",
    "format_version": "格式版本", "schema_version": "数据版本", "program_version": "程序版本", "manifest": "清单",
    "superseded_at": "被替换时间", "superseded_by_id": "替换它的报表", "return_id": "报表", "section": "栏目",
    # 发展党员
    "training_days": "培训天数", "training_hours": "培训学时", "publicity_start": "公示开始",
    "publicity_end": "公示结束", "code": "问题代码", "message": "问题说明", "accepted_on": "认可日期",
    # 流动党员
    "left_on": "外出日期", "province": "省", "city": "市", "county": "县", "host_organisation": "流入地党组织",
    "occupation": "从事职业", "wechat": "微信", "contact_person": "村里的联系人", "card_no": "活动证编号",
    "card_issued_on": "活动证发放日期", "card_expires_on": "活动证有效期至", "no_transfer_reason": "未转组织关系的原因",
    "back_on": "返回日期", "category_before": "外出前类别", "how": "联系方式", "by_whom": "联系人",
    # 组织关系转接
    "direction": "转接方向", "organisation": "转往/转自党组织", "letter_no": "介绍信编号", "valid_days": "有效天数",
    "dues_paid_to": "党费缴至", "receipt_on": "回执日期",
    # 后备干部
    "birth_year": "出生年份", "education": "学历", "strengths": "特长", "trainer_id": "培养人",
    "trainer_name": "培养人姓名", "carried_from_id": "续备自",
}

# Fields by table where the common word above does not fit.
TABLE_FIELD_LABELS = {
    ("migrant_stint", "reason"): "外出原因", ("migrant_stint", "phone"): "外出联系电话",
    ("migrant_contact", "date"): "联系日期", ("migrant_contact", "note"): "联系内容",
    ("organisation_transfer", "date"): "介绍信日期", ("reserve_cadre", "source"): "人选来源",
    ("grid_staff", "role"): "网格员身份",
}

# Values kept as codes in a text column (an enum column's codes are told by the enum's labels).
VALUE_LABELS = {
    ("organisation_transfer", "direction"): {"in": "转入", "out": "转出"},
    ("recruit_person", "role"): {"contact": "培养联系人", "introducer": "入党介绍人"},
    ("record_entry", "source_kind"): {"meeting": "会议", "review": "民主评议", "visit": "走访"},
}
# Columns whose value another column already says in words (a breach's code: its message).
TABLE_SKIPPED = frozenset({("recruit_breach", "code")})


def _member_field_labels() -> dict[str, str]:
    from partybuild_desktop.reports.tables.members import COLUMNS

    return {column.key: column.header for column in COLUMNS}


_MEMBER_FIELDS: dict[str, str] | None = None


def field_label(table: str, field: str) -> str:
    """The field as a clerk knows it: 党员's columns by the 花名册's headers, others by a common word."""
    global _MEMBER_FIELDS
    if table in ("member", "recruit_case"):
        if _MEMBER_FIELDS is None:
            _MEMBER_FIELDS = _member_field_labels()
        if field in _MEMBER_FIELDS:
            return _MEMBER_FIELDS[field]
    if (table, field) in TABLE_FIELD_LABELS:
        return TABLE_FIELD_LABELS[(table, field)]
    if field in FIELD_LABELS:
        return FIELD_LABELS[field]
    if field.endswith("_id"):  # a link: named by the table it points to
        target = _link_targets().get((table, field))
        if target in TABLE_LABELS:
            return TABLE_LABELS[target]
    return UNKNOWN_FIELD


UNKNOWN_FIELD = "其他项"  # a column nobody has named yet: never shown by its English name
UNKNOWN_TABLE = "其他记录"
_LINKS: dict[tuple[str, str], str] | None = None


def _link_targets() -> dict[tuple[str, str], str]:
    global _LINKS
    if _LINKS is None:
        _LINKS = {(table.name, column.key): next(iter(column.foreign_keys)).column.table.name
                  for table in Base.metadata.tables.values() for column in table.columns if column.foreign_keys}
    return _LINKS


def table_label(table: str) -> str:
    return TABLE_LABELS.get(table, UNKNOWN_TABLE)


def _enum_words() -> dict[tuple[str, str], dict[str, str]]:
    global _ENUM_WORDS
    if _ENUM_WORDS is None:
        from partybuild_desktop.services.dues import METHODS

        _ENUM_WORDS = {**VALUE_LABELS, ("dues_payment", "method"): dict(METHODS)}
        for table in Base.metadata.tables.values():
            for column in table.columns:
                enum_class = getattr(column.type, "enum_class", None)
                if enum_class is not None:
                    _ENUM_WORDS[(table.name, column.key)] = {
                        item.value: str(getattr(item, "label", item.value)) for item in enum_class}
    return _ENUM_WORDS


_ENUM_WORDS: dict[tuple[str, str], dict[str, str]] | None = None


class AuditIsAppendOnly(Refusal):
    pass


APPEND_ONLY = "操作记录只能追加，不能修改或删除：已有的操作记录保持原样。"
_AUDIT_TABLES = frozenset({AuditEntry.__tablename__, AuditDetail.__tablename__})


# ---------------------------------------------------------------------------------------- collecting


class _Item:
    """One record's change, as collected: kept with its fields while its table and kind have few."""

    __slots__ = ("kind", "table", "record_id", "name", "member_id", "fields", "obj")

    def __init__(self, kind, table, record_id, name, member_id, fields, obj=None):
        self.kind, self.table, self.record_id, self.name = kind, table, record_id, name
        self.member_id, self.fields, self.obj = member_id, fields, obj


@dataclass
class _Pending:
    items: list[_Item] = dc_field(default_factory=list)
    bulk: list[dict] = dc_field(default_factory=list)  # stated by a service (``note_bulk``)
    counts: dict[tuple[str, str], int] = dc_field(default_factory=dict)
    awaiting: list[_Item] = dc_field(default_factory=list)  # new objects: their ids come with the flush
    marks: dict[int, tuple[int, int]] = dc_field(default_factory=dict)  # savepoints: where they began

    def wants_fields(self, table: str, kind: str) -> bool:
        n = self.counts.get((table, kind), 0) + 1
        self.counts[(table, kind)] = n
        return n <= DETAILED_RECORDS


def _pending(session: Session) -> _Pending:
    pending = session.info.get("audit_pending")
    if pending is None:
        pending = session.info["audit_pending"] = _Pending()
    return pending


def _shown(field: str, value, table: str | None = None) -> str | None:
    """A value as the log keeps it (see ``MASKED_IDS``…): masked, hidden, a code by its Chinese word, or as
    plain text."""
    if value is None or value == "":
        return None
    if table is not None and isinstance(value, str) and not isinstance(value, enum.Enum):
        words = _enum_words().get((table, field))
        if words and value in words:
            return words[value]
    if field in HIDDEN:
        return HIDDEN_VALUE
    if field in MASKED_IDS:
        return mask_id_number(str(value))
    if field in MASKED_PHONES:
        return mask_phone(str(value))
    if isinstance(value, enum.Enum):
        return str(getattr(value, "label", value.value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"（文件，{len(value)} 字节）"
    if field.endswith("_fen") and isinstance(value, int):
        return f"{value / 100:.2f} 元"
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


def _name_of(values) -> str | None:
    for key in ("name", "head_name", "title", "topic", "label", "key"):
        value = values(key)
        if value:
            return str(value)[:64]
    return None


def _kept_on_insert(key: str, table: str | None = None) -> bool:
    # A new record's links (member_id, term_id…) are in its label already, or mean nothing to a clerk.
    return key not in SKIPPED and not key.endswith("_id") and (table, key) not in TABLE_SKIPPED


def _audited(obj) -> bool:
    return isinstance(obj, Base) and obj.__tablename__ not in _AUDIT_TABLES


def _before_flush(session: Session, _context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, (AuditEntry, AuditDetail)) and (
                obj in session.deleted or session.is_modified(obj, include_collections=False)):
            raise AuditIsAppendOnly(APPEND_ONLY)
    pending = _pending(session)
    for obj in session.new:
        if not _audited(obj):
            continue
        state = inspect(obj)
        table = obj.__tablename__
        fields = None
        if pending.wants_fields(table, INSERT):
            fields = [(column.key, None, _shown(column.key, getattr(obj, column.key), table))
                      for column in state.mapper.column_attrs if _kept_on_insert(column.key, table)]
            fields = [f for f in fields if f[2] is not None]
        item = _Item(INSERT, table, None, _name_of(lambda k: getattr(obj, k, None)),
                     getattr(obj, "member_id", None), fields, obj)
        pending.items.append(item)
        pending.awaiting.append(item)
    for obj in session.dirty:
        if not _audited(obj) or not session.is_modified(obj, include_collections=False):
            continue
        state = inspect(obj)
        changed = []
        for column in state.mapper.column_attrs:
            if column.key in SKIPPED or (obj.__tablename__, column.key) in TABLE_SKIPPED:
                continue
            history = state.attrs[column.key].history
            if not history.added and not history.deleted:
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changed.append((column.key, old, new))
        if not changed:
            continue
        table = obj.__tablename__
        fields = None
        if pending.wants_fields(table, UPDATE):
            fields = [(key, _shown(key, old, table), _shown(key, new, table)) for key, old, new in changed]
        pending.items.append(_Item(UPDATE, table, _int_id(state), _name_of(lambda k: getattr(obj, k, None)),
                                   getattr(obj, "member_id", None), fields))
    for obj in session.deleted:
        if not _audited(obj):
            continue
        state = inspect(obj)
        table = obj.__tablename__
        pending.wants_fields(table, DELETE)
        pending.items.append(_Item(DELETE, table, _int_id(state), _name_of(lambda k: getattr(obj, k, None)),
                                   getattr(obj, "member_id", None), None))


def _int_id(state) -> int | None:
    identity = state.identity
    if identity and len(identity) == 1 and isinstance(identity[0], int):
        return identity[0]
    return None


def _after_flush(session: Session, _context) -> None:
    pending = session.info.get("audit_pending")
    if pending is None:
        return
    for item in pending.awaiting:
        state = inspect(item.obj)
        item.record_id = _int_id(state)
        if item.name is None and state.identity and not isinstance(state.identity[0], int):
            item.name = str(state.identity[0])[:64]  # a setting: its key
        item.obj = None
    pending.awaiting.clear()


def _statement_table(statement):
    table = getattr(statement, "table", None)
    return getattr(table, "name", None)


def _do_orm_execute(state) -> object:
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = _statement_table(state.statement)
    if table is None:
        return None
    if table in _AUDIT_TABLES:
        if state.is_insert:
            return None
        raise AuditIsAppendOnly(APPEND_ONLY)
    session = state.session
    pending = _pending(session)
    params = state.parameters
    rows = params if isinstance(params, (list, tuple)) else [params] if params else []
    if state.is_insert and rows and isinstance(rows[0], dict):
        returned_ids = None
        result = None
        returning = getattr(state.statement, "_returning", ())
        if returning and getattr(returning[0], "key", None) == "id":
            result = state.invoke_statement().freeze()
            returned_ids = [row[0] for row in result.data]
        for n, values in enumerate(rows):
            record_id = values.get("id")
            if record_id is None and returned_ids is not None and n < len(returned_ids):
                record_id = returned_ids[n]
            fields = None
            if pending.wants_fields(table, INSERT):
                fields = [(key, None, _shown(key, value, table)) for key, value in values.items()
                          if _kept_on_insert(key, table)]
                fields = [f for f in fields if f[2] is not None]
            pending.items.append(_Item(INSERT, table, record_id if isinstance(record_id, int) else None,
                                       _name_of(values.get), values.get("member_id"), fields))
        return result() if result is not None else None
    if state.is_update and not (rows and isinstance(rows[0], dict) and len(rows) > 1):
        result = _update_in_detail(state, pending, table, rows[0] if rows else None)
        if result is not None:
            return result
    if state.is_update or state.is_delete:  # a statement over many rows: how many, and what it set
        result = state.invoke_statement()
        count = getattr(result, "rowcount", None)
        if rows and isinstance(rows[0], dict) and len(rows) > 1:
            count = len(rows)  # by primary key, one row per parameter set
        elif count is not None and count < 0:
            count = None
        kind = UPDATE if state.is_update else DELETE
        if count == 0:
            return result
        pending.bulk.append(dict(kind=BULK, table=table, record_id=None, count=count,
                                 record=f"{table_label(table)}{KIND_LABELS[kind]} {count if count is not None else '若干'} 条",
                                 field=None, old=None, new=None))
        return result
    return None


def _set_columns(statement, table, params) -> list:
    """The columns an update statement sets (by its ``values()`` or its parameters)."""
    columns = []
    for key in list(getattr(statement, "_values", None) or ()) + list(params or ()):
        name = key if isinstance(key, str) else getattr(key, "key", None)
        column = table.columns.get(name) if name else None
        if column is not None and column not in columns:
            columns.append(column)
    return columns


def _update_in_detail(state, pending: _Pending, table_name: str, params):
    """An update statement whose WHERE selects few rows is recorded like an edit of loaded records: each
    row's fields old → new, read before and after it. Returns the statement's result, or None when the
    statement is left to the summary line (many rows, no key to find them again, nothing set)."""
    statement = state.statement
    table = Base.metadata.tables.get(table_name)
    if table is None or not isinstance(params, (dict, type(None))):
        return None
    keys = list(table.primary_key.columns)
    columns = [c for c in _set_columns(statement, table, params)
               if c.key not in SKIPPED and (table_name, c.key) not in TABLE_SKIPPED]
    if not keys or not columns or any(c in keys for c in columns):
        return None
    shown = [table.columns[k] for k in ("name", "head_name", "title", "topic", "label", "key", "member_id", "step")
             if k in table.columns]
    query = select(*keys, *columns, *shown).limit(DETAILED_RECORDS + 1)
    if statement.whereclause is not None:
        query = query.where(statement.whereclause)
    session = state.session
    before = session.execute(query).all()
    if len(before) > DETAILED_RECORDS:
        return None
    result = state.invoke_statement()
    if not before:
        return result
    n_keys, n_columns = len(keys), len(columns)
    if n_keys == 1:
        where = keys[0].in_([row[0] for row in before])
    else:
        where = or_(*(and_(*(k == row[i] for i, k in enumerate(keys))) for row in before))
    after = {tuple(row[:n_keys]): row[n_keys:] for row in session.execute(select(*keys, *columns).where(where))}
    for row in before:
        key = tuple(row[:n_keys])
        old_values = row[n_keys:n_keys + n_columns]
        new_values = after.get(key, old_values)
        extra = dict(zip((c.key for c in shown), row[n_keys + n_columns:]))
        changed = [(c.key, old, new) for c, old, new in zip(columns, old_values, new_values) if old != new]
        if not changed:
            continue
        fields = None
        if pending.wants_fields(table_name, UPDATE):
            fields = [(k, _shown(k, old, table_name), _shown(k, new, table_name)) for k, old, new in changed]
        name = _name_of(extra.get)
        if name is None and extra.get("step") is not None:
            name = _shown("step", extra["step"], table_name)
        record_id = key[0] if n_keys == 1 and isinstance(key[0], int) else None
        pending.items.append(_Item(UPDATE, table_name, record_id, name, extra.get("member_id"), fields))
    return result


def _after_transaction_create(session: Session, transaction) -> None:
    if transaction.nested:
        pending = _pending(session)
        pending.marks[id(transaction)] = (len(pending.items), len(pending.bulk))


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    pending = session.info.get("audit_pending")
    if pending is None:
        return
    if previous_transaction.nested:
        mark = pending.marks.pop(id(previous_transaction), None)
        if mark is not None:  # what the savepoint did is undone: so is what was collected of it
            del pending.items[mark[0]:]
            del pending.bulk[mark[1]:]
            pending.awaiting[:] = [item for item in pending.awaiting if item in pending.items]
    elif previous_transaction.parent is None:
        session.info.pop("audit_pending", None)


def _after_commit(session: Session) -> None:
    session.info.pop("audit_pending", None)


_installed = False


def _install() -> None:
    global _installed
    if _installed:
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_flush_postexec", _after_flush)
    event.listen(Session, "do_orm_execute", _do_orm_execute)
    event.listen(Session, "after_transaction_create", _after_transaction_create)
    event.listen(Session, "after_soft_rollback", _after_soft_rollback)
    event.listen(Session, "after_commit", _after_commit)
    _installed = True


_install()


def note_bulk(session: Session, table: str, count: int, which: str | Sequence[str], ids: Iterable[int] = (),
              kind: str = INSERT) -> None:
    """A batch written through the bare connection (not seen by the session events): its table, how
    many records, which (``which``: a description, or names of which the first few are kept; ``ids``:
    their ids, kept as ranges)."""
    if not isinstance(which, str):
        names = list(dict.fromkeys(which))
        which = "、".join(names[:SUMMARY_NAMES]) + ("等" if len(names) > SUMMARY_NAMES else "")
    ids = sorted(set(ids))
    record = f"{table_label(table)}{KIND_LABELS.get(kind, '')} {count} 条" + (f"：{which}" if which else "")
    _pending(session).bulk.append(dict(kind=BULK, table=table, record_id=ids[0] if ids else None, count=count,
                                       record=record[:200], field=None, old=None,
                                       new=f"编号 {id_ranges(ids)}" if ids else None))


def id_ranges(ids: list[int]) -> str:
    """``3–7、12、20–22``: sorted ids as ranges."""
    parts, start, last = [], None, None
    for n in ids:
        if start is None:
            start = last = n
        elif n == last + 1:
            last = n
        else:
            parts.append(f"{start}" if start == last else f"{start}–{last}")
            start = last = n
    if start is not None:
        parts.append(f"{start}" if start == last else f"{start}–{last}")
    text = "、".join(parts)
    return text if len(text) <= 2000 else text[:1999] + "…"


# ---------------------------------------------------------------------------------------- writing


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
    """Add the audit row of the change being made in ``session`` with its detail rows: what the work
    changed in this transaction (committed with it)."""
    session.flush()  # the work's last changes, seen by the events
    pending = session.info.pop("audit_pending", None) or _Pending()
    entry = AuditEntry(at=at or dt.datetime.now(), operator=operator(session), action=action[:128],
                       changes=",".join(changes.names), source=source)
    session.add(entry)
    session.flush()
    session.info.pop("audit_pending", None)  # the operator's setting read above is no change
    rows = _detail_rows(session, pending)
    for row in rows:
        row["entry_id"] = entry.id
    for start in range(0, len(rows), 1000):
        session.execute(insert(AuditDetail), rows[start:start + 1000])
    session.info.pop("audit_pending", None)


def _detail_rows(session: Session, pending: _Pending) -> list[dict]:
    # One record changed twice in the operation is shown once: a new record with its final values, a
    # changed one with its first old and last new value of each field.
    merged: dict[tuple[str, int], _Item] = {}
    items: list[_Item] = []
    for item in pending.items:
        key = (item.table, item.record_id) if item.record_id is not None else None
        earlier = merged.get(key) if key else None
        if earlier is not None and item.kind == UPDATE and earlier.kind in (INSERT, UPDATE):
            if earlier.fields is not None and item.fields is not None:
                fields = {f[0]: list(f) for f in earlier.fields}
                for name, old, new in item.fields:
                    if name in fields:
                        fields[name][2] = new
                    else:
                        fields[name] = [name, old, new]
                earlier.fields = [tuple(f) for f in fields.values() if f[1] != f[2]]
            earlier.name = item.name or earlier.name
            continue
        if earlier is not None and item.kind == DELETE and earlier.kind == INSERT:
            items.remove(earlier)  # made and removed within the operation: nothing remains of it
            del merged[key]
            continue
        if key:
            merged[key] = item
        items.append(item)
    names = _member_names(session, {item.member_id for item in items if item.member_id and not item.name})
    groups: dict[tuple[str, str], list[_Item]] = {}
    for item in items:
        groups.setdefault((item.table, item.kind), []).append(item)
    rows: list[dict] = []
    for (table, kind), group in groups.items():
        if len(group) > DETAILED_RECORDS or any(item.fields is None and kind != DELETE for item in group):
            rows.append(_summary(table, kind, group, names))
            continue
        for item in group:
            if table == "setting" and item.fields:  # one line: the setting and its value
                label_key = SETTING_LABELS.get(item.name, item.name) if item.name else "值"
                words = SETTING_VALUES.get(item.name, {})
                item.fields = [(label_key, words.get(old, old), words.get(new, new))
                               for name, old, new in item.fields if name == "value"]
            label = _record_label(item, names)
            rows.append(dict(kind=kind, table=table, record_id=item.record_id, record=label, field=None,
                             old=None, new=None, count=None))
            for name, old, new in item.fields or ():
                rows.append(dict(kind=kind, table=table, record_id=item.record_id, record=label,
                                 field=(name if table == "setting" else field_label(table, name))[:64], old=old,
                                 new=new, count=None))
    for bulk in pending.bulk:
        rows.append(dict(bulk))
    return rows


def _member_names(session: Session, ids: set[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    ids = sorted(i for i in ids if isinstance(i, int))
    for start in range(0, len(ids), 500):
        names.update(session.execute(select(Member.id, Member.name).where(Member.id.in_(ids[start:start + 500]))).all())
    return names


SETTING_LABELS = {"current_village_id": "当前的村", "program_mode": "程序用途", OPERATOR: "操作员"}
SETTING_VALUES = {"program_mode": {"village": "本村台账", "township": "乡镇汇总"}}


def _record_label(item: _Item, names: dict[int, str]) -> str:
    what = table_label(item.table)
    if item.table == "setting" and item.name:
        who = SETTING_LABELS.get(item.name, item.name)
    elif item.name:
        who = item.name
    elif item.member_id in names:
        who = names[item.member_id]
    else:
        who = None
    label = f"{what} {who}" if who else what
    if item.record_id is not None:
        label += f"（第 {item.record_id} 号）"
    return label[:200]


def _summary(table: str, kind: str, group: list[_Item], names: dict[int, str]) -> dict:
    named = list(dict.fromkeys(who for who in (item.name or names.get(item.member_id) for item in group) if who))
    shown = named[:SUMMARY_NAMES]
    which = "、".join(shown) + ("等" if len(named) > len(shown) else "")
    ids = sorted({item.record_id for item in group if item.record_id is not None})
    record = f"{table_label(table)}{KIND_LABELS[kind]} {len(group)} 条" + (f"：{which}" if which else "")
    return dict(kind=BULK, table=table, record_id=ids[0] if ids else None, record=record[:200], field=None,
                old=None, new=f"编号 {id_ranges(ids)}" if ids else None, count=len(group))


# ---------------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class AuditLine:
    at: dt.datetime
    operator: str
    action: str
    changes: Change
    source: str
    id: int = 0
    records: tuple[str, ...] = ()  # the records touched, as labelled in the detail rows
    detail_count: int = 0


@dataclass(frozen=True)
class AuditField:
    kind: str  # insert, update, delete, bulk
    table: str
    record: str
    field: str | None
    old: str | None
    new: str | None
    count: int | None


def recent(session: Session, limit: int = 200) -> list[AuditLine]:
    return entries(session, limit=limit)


def entries(session: Session, since: dt.date | None = None, until: dt.date | None = None,
            operator_name: str | None = None, area: str | None = None, text: str | None = None,
            limit: int | None = None) -> list[AuditLine]:
    """The operations, newest first, filtered: from ``since`` to ``until`` (days, both included), by one
    operator, by an area (``Change`` name, e.g. "members"), by text in the action or a record's name."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if since is not None:
        query = query.where(AuditEntry.at >= dt.datetime.combine(since, dt.time()))
    if until is not None:
        query = query.where(AuditEntry.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    if operator_name:
        query = query.where(AuditEntry.operator == operator_name)
    if area:
        query = query.where(("," + AuditEntry.changes + ",").contains(f",{area},"))
    if text:
        needle = text.strip()
        matching = select(AuditDetail.entry_id).where(AuditDetail.record.contains(needle))
        query = query.where(AuditEntry.action.contains(needle) | AuditEntry.id.in_(matching))
    if limit is not None:
        query = query.limit(limit)
    rows = list(session.scalars(query))
    records = _records_of(session, [row.id for row in rows])
    return [AuditLine(row.at, row.operator, row.action, Change.from_names(filter(None, row.changes.split(","))),
                      row.source, row.id, tuple(records.get(row.id, ([], 0))[0]), records.get(row.id, ([], 0))[1])
            for row in rows]


def _records_of(session: Session, ids: list[int]) -> dict[int, tuple[list[str], int]]:
    found: dict[int, tuple[list[str], int]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for entry_id, record, count in session.execute(
                select(AuditDetail.entry_id, AuditDetail.record, func.count())
                .where(AuditDetail.entry_id.in_(chunk)).group_by(AuditDetail.entry_id, AuditDetail.record)
                .order_by(AuditDetail.entry_id, func.min(AuditDetail.id))):
            labels, total = found.get(entry_id, ([], 0))
            labels.append(record)
            found[entry_id] = (labels, total + count)
    return found


def details(session: Session, entry_id: int) -> list[AuditField]:
    """One operation's detail rows, in the order written."""
    return [AuditField(r.kind, r.table, r.record, r.field, r.old, r.new, r.count) for r in session.scalars(
        select(AuditDetail).where(AuditDetail.entry_id == entry_id).order_by(AuditDetail.id))]


IN_CHUNK = 500  # ids in one ``IN (...)``: well below SQLite's limit of bound parameters


def details_of(session: Session, entry_ids: Sequence[int]) -> dict[int, list[AuditField]]:
    """The detail rows of many operations, by operation, each in the order written: one query per
    ``IN_CHUNK`` operations."""
    found: dict[int, list[AuditField]] = {entry_id: [] for entry_id in entry_ids}
    ids = sorted(found)
    for start in range(0, len(ids), IN_CHUNK):
        for r in session.scalars(select(AuditDetail).where(AuditDetail.entry_id.in_(ids[start:start + IN_CHUNK]))
                                 .order_by(AuditDetail.entry_id, AuditDetail.id)):
            found[r.entry_id].append(AuditField(r.kind, r.table, r.record, r.field, r.old, r.new, r.count))
    return found


def operators(session: Session) -> list[str]:
    """Every operator named in the log, in order."""
    return list(session.scalars(select(AuditEntry.operator).distinct().order_by(AuditEntry.operator)))


def area_label(name: str) -> str:
    return AREA_LABELS.get(name, name)


def to_json(session: Session, lines: list[AuditLine]) -> dict:
    """``{"entries": [{"id", "time", "operator", "action", "source", "changes": [area…], "records": [...],
    "fields": [{"kind", "record", "field", "old", "new", "count"}]}]}``, newest first."""
    out = []
    all_fields = details_of(session, [line.id for line in lines])
    for line in lines:
        out.append(dict(
            id=line.id, time=f"{line.at:%Y-%m-%d %H:%M:%S}", operator=line.operator, action=line.action,
            source=line.source, changes=line.changes.names, records=list(line.records),
            fields=[dict(kind=f.kind, record=f.record, field=f.field, old=f.old, new=f.new, count=f.count)
                    for f in all_fields[line.id] if f.field is not None or f.kind in (BULK, DELETE)],
        ))
    return {"entries": out}


# ---------------------------------------------------------------------------------------- the store


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


# ---------------------------------------------------------------------------------------- the workbook

LOG_TITLE = "操作记录"
DETAIL_TITLE = "改动明细"


def log_report(session: Session, lines: list[AuditLine], unit: str | None, day: dt.date, stem: str,
               subtitle: str | None = None):
    """The operations (one line each) and their changes (one line per record and field, old → new), as a
    workbook of two sheets; values as stored (ID numbers masked, addresses and incomes left out)."""
    from partybuild_desktop.reports.spec import Column, Report, Table, TableSpec

    operations = TableSpec(
        title=LOG_TITLE, sheet_name=LOG_TITLE, unit=unit, date=day, subtitle=subtitle, orientation="landscape",
        columns=(Column("序号", "no", 6, kind="number", total=False), Column("时间", "at", 17),
                 Column("操作员", "operator", 10), Column("操作", "action", 36), Column("涉及方面", "areas", 16),
                 Column("来源", "source", 7), Column("涉及的记录", "records", 50)))
    changes = TableSpec(
        title=DETAIL_TITLE, sheet_name=DETAIL_TITLE, unit=unit, date=day, subtitle=subtitle, orientation="landscape",
        columns=(Column("操作序号", "no", 6, kind="number", total=False), Column("时间", "at", 17),
                 Column("操作", "action", 24), Column("改动", "kind", 6), Column("记录", "record", 36),
                 Column("字段", "field", 14), Column("原值", "old", 24), Column("新值", "new", 24),
                 Column("条数", "count", 7, kind="number", total=False)))
    operation_rows, change_rows = [], []
    all_fields = details_of(session, [line.id for line in lines])
    for n, line in enumerate(lines, start=1):
        at = f"{line.at:%Y-%m-%d %H:%M:%S}"
        records = "；".join(line.records)
        operation_rows.append(dict(
            no=n, at=at, operator=line.operator, action=line.action,
            areas="、".join(area_label(name) for name in line.changes.names),
            source="命令行" if line.source == "cli" else "窗口",
            records=records if len(records) <= 1000 else records[:999] + "…"))
        fields = all_fields[line.id]
        with_fields = {f.record for f in fields if f.field is not None}
        for f in fields:
            if f.field is None and f.kind != BULK and f.record in with_fields:
                continue  # the record's own line: its fields follow
            change_rows.append(dict(no=n, at=at, action=line.action, kind=KIND_LABELS.get(f.kind, f.kind),
                                    record=f.record, field=f.field or "", old=f.old or "", new=f.new or "",
                                    count=f.count))
    return Report(stem, [Table(operations, operation_rows), Table(changes, change_rows)])


def export_log(store, path, since: dt.date | None = None, until: dt.date | None = None,
               operator_name: str | None = None, area: str | None = None, text: str | None = None,
               today: dt.date | None = None):
    """The filtered log written to ``path`` (xlsx, through the one writer); returns its ``Written``."""
    from partybuild_desktop.reports.files import write_report
    from partybuild_desktop.services.village import current_village

    day = today or dt.date.today()
    with store.session() as session:
        village = current_village(session)
        lines = entries(session, since, until, operator_name, area, text)
        report = log_report(session, lines, village.branch_name if village else None, day,
                            stem=f"{village.name if village else ''}{LOG_TITLE}{day:%Y%m%d}",
                            subtitle=filter_text(since, until, operator_name, area, text))
    return write_report(report, path, "xlsx")


def filter_text(since=None, until=None, operator_name=None, area=None, text=None) -> str | None:
    """The filters in words, for the exported table's subtitle."""
    parts = []
    if since or until:
        parts.append(f"{since.isoformat() if since else '最早'} 至 {until.isoformat() if until else '今天'}")
    if operator_name:
        parts.append(f"操作员：{operator_name}")
    if area:
        parts.append(f"方面：{area_label(area)}")
    if text:
        parts.append(f"含“{text}”")
    return "；".join(parts) or None


def year_report(session: Session, village, year: int, day: dt.date):
    """The catalogue's ``audit`` export: the year's operations."""
    lines = entries(session, dt.date(year, 1, 1), dt.date(year, 12, 31))
    return log_report(session, lines, village.branch_name, day, stem=f"{village.name}{year}年{LOG_TITLE}",
                      subtitle=f"{year}年")
