"""The audit log (操作记录): every operation's records and fields, old → new; bulk writes as summaries;
personal data masked or left out; rolled-back work leaves nothing; the log cannot be changed or deleted."""

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import delete, func, insert, select, text, update

from partybuild_desktop.services import audit
from partybuild_desktop.services.audit import AuditedStore, AuditIsAppendOnly
from partybuild_desktop.services.changes import Change
from partybuild_desktop.services.consolidation import consolidate
from partybuild_desktop.services.member_import import apply_import, preview_import
from partybuild_desktop.services.returns import export_return
from partybuild_desktop.store.models import AuditDetail, AuditEntry, Member, RecordEntry
from tests.conftest import SAMPLE_TODAY
from tests.helpers import make_id, member, village, village_file
from tests.unit.test_recruitment_service import branch, new_case, walk  # noqa: F401  (branch: a fixture)

ID = make_id("19650312", 123)


@pytest.fixture
def village_id(store):
    with store.session() as session:
        return village(session, "东湖村")


def run(store, title, work, changes=Change.MEMBERS):
    """As the operation runner does: the work and its audit row in one transaction."""
    with store.session() as session:
        value = work(session)
        audit.record(session, title, changes)
    return value


def newest(store):
    with store.session() as session:
        line = audit.entries(session, limit=1)[0]
        return line, audit.details(session, line.id)


def all_audit_text(store) -> str:
    with store.session() as session:
        rows = session.execute(select(AuditDetail.record, AuditDetail.field, AuditDetail.old, AuditDetail.new)).all()
        entries = session.execute(select(AuditEntry.action, AuditEntry.operator)).all()
    return "\n".join(str(value) for row in rows + entries for value in row)


def test_an_edit_is_recorded_field_by_field_old_to_new(store, village_id):
    member_id = run(store, "新增党员", lambda s: member(s, village_id, "王建国", id_number=ID, mobile="13812345678",
                                                      address="一组3号", notes="老党员"))
    with store.session() as session:
        audit.set_operator(session, "李文书")

    def edit(session):
        m = session.get(Member, member_id)
        m.name, m.notes, m.address = "王建华", "老党员，常住", "二组5号"

    run(store, "修改党员信息", edit)
    line, fields = newest(store)
    assert line.operator == "李文书" and line.action == "修改党员信息" and line.changes == Change.MEMBERS
    assert line.records == (f"党员 王建华（第 {member_id} 号）",)
    changed = {f.field: (f.old, f.new) for f in fields if f.field}
    assert changed["姓名"] == ("王建国", "王建华")
    assert changed["备注"] == ("老党员", "老党员，常住")
    assert changed["家庭住址"] == (audit.HIDDEN_VALUE, audit.HIDDEN_VALUE)  # changed, but not what to
    assert set(changed) == {"姓名", "备注", "家庭住址"}  # nothing else was touched
    assert all(f.kind == "update" for f in fields)


def test_id_numbers_phones_and_addresses_are_never_stored_in_full(store, village_id):
    member_id = run(store, "新增党员", lambda s: member(s, village_id, "王建国", id_number=ID, mobile="13812345678",
                                                      address="一组3号"))
    other = make_id("19650312", 125)

    def edit(session):
        m = session.get(Member, member_id)
        m.id_number, m.mobile = other, "13998765432"

    run(store, "改身份证号", edit)
    _, fields = newest(store)
    changed = {f.field: (f.old, f.new) for f in fields if f.field}
    assert changed["公民身份号码"] == (ID[:6] + "********" + ID[-4:], other[:6] + "********" + other[-4:])
    assert changed["手机号码"] == ("138****5678", "139****5432")
    logged = all_audit_text(store)
    for secret in (ID, other, "13812345678", "13998765432", "一组3号", ID[6:14]):
        assert secret not in logged


def test_new_and_deleted_records_are_named(store, village_id):
    member_id = run(store, "新增党员", lambda s: member(s, village_id, "王建国"))
    line, fields = newest(store)
    assert f"党员 王建国（第 {member_id} 号）" in line.records
    assert ("姓名", None, "王建国") in {(f.field, f.old, f.new) for f in fields if f.kind == "insert"}

    def add_entry(session):
        session.add(RecordEntry(member_id=member_id, date=dt.date(2026, 11, 2), entry_type="political_study",
                                text="集中学习", hours=2.0))

    run(store, "登记纪实", add_entry, Change.RECORDS)
    line, _ = newest(store)
    assert line.records[0].startswith("纪实 王建国")  # a record without a name of its own: its member's

    def remove(session):
        session.delete(session.scalars(select(RecordEntry)).one())

    run(store, "删除纪实", remove, Change.RECORDS)
    line, fields = newest(store)
    assert [f.kind for f in fields] == ["delete"] and line.records[0].startswith("纪实 王建国")


def test_a_record_changed_twice_in_one_operation_shows_once(store, village_id):
    def work(session):
        member_id = member(session, village_id, "甲")
        session.get(Member, member_id).name = "乙"
        session.flush()
        session.get(Member, member_id).name = "丙"

    run(store, "新增党员", work)
    line, fields = newest(store)
    assert len(line.records) == 1
    assert [(f.field, f.new) for f in fields if f.field == "姓名"] == [("姓名", "丙")]


def roster(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "性别", "公民身份号码", "出生年月", "党员类别"])
    for n in range(rows):
        ws.append([n + 1, f"党员{n + 1:03d}", "男", make_id("19650312", 101 + 2 * n), "1965.03", "农民"])
    wb.save(path)
    return path


def import_roster(store, village_id, path):
    def work(session):
        return apply_import(session, village_id, preview_import(session, village_id, path, today=SAMPLE_TODAY))

    return run(store, "导入党员花名册", work)


def test_an_import_is_one_summary_row_with_the_count_and_which_records(store, village_id, tmp_path):
    outcome = import_roster(store, village_id, roster(tmp_path / "花名册.xlsx", 300))
    assert outcome.imported == 300
    line, fields = newest(store)
    members = [f for f in fields if f.table == "member"]
    assert len(members) == 1  # not 300 records × their fields
    summary = members[0]
    assert summary.kind == "bulk" and summary.count == 300
    assert summary.record.startswith("党员新增 300 条：党员001、党员002")
    with store.session() as session:
        ids = sorted(session.scalars(select(Member.id)))
    assert summary.new == f"编号 {ids[0]}–{ids[-1]}"
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditDetail)) < 20
    assert make_id("19650312", 101) not in all_audit_text(store)


def test_a_small_import_is_recorded_record_by_record(store, village_id, tmp_path):
    import_roster(store, village_id, roster(tmp_path / "花名册.xlsx", 3))
    line, fields = newest(store)
    assert [r for r in line.records if r.startswith("党员")] == [
        f"党员 党员00{n}（第 {n} 号）" for n in (1, 2, 3)]
    ids = [f.new for f in fields if f.field == "公民身份号码"]
    assert ids == [make_id("19650312", 101 + 2 * n)[:6] + "********" + make_id("19650312", 101 + 2 * n)[-4:]
                   for n in range(3)]


def test_a_batch_update_or_delete_statement_is_counted(store, village_id):
    many = audit.DETAILED_RECORDS + 5
    run(store, "新增党员", lambda s: [member(s, village_id, f"党员{n}") for n in range(many + 1)])
    run(store, "批量备注", lambda s: s.execute(update(Member).where(Member.name != "党员0").values(notes="已核对")))
    _, fields = newest(store)
    assert [(f.kind, f.table, f.count) for f in fields] == [("bulk", "member", many)]
    run(store, "批量删除", lambda s: s.execute(delete(Member).where(Member.name != "党员0")))
    _, fields = newest(store)
    assert [(f.kind, f.table, f.count) for f in fields] == [("bulk", "member", many)]


def test_an_update_statement_over_few_rows_is_recorded_old_to_new(store, village_id):
    ids = run(store, "新增党员", lambda s: [member(s, village_id, f"党员{n}", notes="旧") for n in range(4)])
    run(store, "批量备注", lambda s: s.execute(update(Member).where(Member.name != "党员0").values(notes="已核对")))
    line, fields = newest(store)
    assert line.records == tuple(f"党员 党员{n}（第 {ids[n]} 号）" for n in (1, 2, 3))
    assert [(f.kind, f.record, f.field, f.old, f.new) for f in fields if f.field] == [
        ("update", f"党员 党员{n}（第 {ids[n]} 号）", "备注", "旧", "已核对") for n in (1, 2, 3)]
    # a Core statement on the table, with an expression: the values as they were before and after
    run(store, "改名", lambda s: s.execute(Member.__table__.update().where(Member.id == ids[0])
                                          .values(name=Member.__table__.c.name + "甲")))
    _, fields = newest(store)
    assert [(f.field, f.old, f.new) for f in fields if f.field] == [("姓名", "党员0", "党员0甲")]
    # a statement that changes nothing leaves no detail
    run(store, "无改动", lambda s: s.execute(update(Member).where(Member.id == ids[0]).values(name="党员0甲")))
    _, fields = newest(store)
    assert fields == []


def test_a_consolidation_records_each_stored_batch(store, tmp_path):
    packages = []
    for name, seed in (("东湖村", 1), ("石桥村", 2)):
        source = village_file(tmp_path / name, name, 30, seed)
        packages.append(export_return(source, None, "2026Q3", tmp_path / "U盘", today=SAMPLE_TODAY).path)
        source.dispose()
    audited = AuditedStore(store, "汇总2026年第三季度报表包", Change.RETURNS | Change.SETTINGS)
    result = consolidate(audited, "2026Q3", packages, today=SAMPLE_TODAY)
    assert [p.status for p in result.packages] == ["accepted", "accepted"]
    line, fields = newest(store)
    assert line.action == "汇总2026年第三季度报表包"
    rows = {f.table: f for f in fields if f.kind == "bulk"}
    assert rows["received_return"].count == 2
    assert rows["received_return"].record == "收到的报表新增 2 条：东湖村、石桥村"
    assert rows["received_return"].new == "编号 1–2"
    assert rows["received_village"].count == 2
    with store.session() as session:
        figures = session.scalar(text("SELECT count(*) FROM received_figure"))
    assert rows["received_figure"].count == figures
    assert len(fields) < 10


def test_rolled_back_work_leaves_no_audit_rows(store, village_id):
    with pytest.raises(RuntimeError):
        with store.session() as session:
            member(session, village_id, "甲")
            raise RuntimeError("the work failed")
    run(store, "新增党员", lambda s: member(s, village_id, "乙"))
    line, _ = newest(store)
    assert [r[:4] for r in line.records] == ["党员 乙"]
    assert "甲" not in all_audit_text(store)  # nothing of 甲, whose insert was rolled back


def test_a_rolled_back_savepoint_is_left_out(store, village_id):
    def work(session):
        member(session, village_id, "留下")
        savepoint = session.begin_nested()
        member(session, village_id, "撤回")
        savepoint.rollback()

    run(store, "新增党员", work)
    line, _ = newest(store)
    assert [r for r in line.records if "党员" in r] == ["党员 留下（第 1 号）"]


def test_the_log_is_append_only(store, village_id):
    run(store, "新增党员", lambda s: member(s, village_id, "王建国"))
    attempts = [
        lambda s: setattr(s.scalars(select(AuditEntry)).first(), "action", "改过"),
        lambda s: setattr(s.scalars(select(AuditDetail)).first(), "new", "改过"),
        lambda s: s.delete(s.scalars(select(AuditEntry)).first()),
        lambda s: s.delete(s.scalars(select(AuditDetail)).first()),
        lambda s: s.execute(delete(AuditDetail)),
        lambda s: s.execute(delete(AuditEntry).where(AuditEntry.id == 1)),
        lambda s: s.execute(update(AuditEntry).values(operator="别人")),
        lambda s: s.execute(update(AuditDetail.__table__).values(old=None)),
    ]
    before = all_audit_text(store)
    for attempt in attempts:
        with pytest.raises(AuditIsAppendOnly, match="操作记录只能追加"):
            with store.session() as session:
                attempt(session)
                session.flush()
    assert all_audit_text(store) == before
    with store.session() as session:
        session.execute(insert(AuditEntry).values(at=dt.datetime(2026, 11, 23), operator="甲", action="追加",
                                                  changes="", source="cli"))  # adding stays possible


def test_filters(store, village_id):
    with store.session() as session:
        audit.set_operator(session, "李文书")
    run(store, "新增党员", lambda s: member(s, village_id, "王建国"))
    with store.session() as session:
        audit.set_operator(session, "张会计")
    run(store, "登记党费", lambda s: member(s, village_id, "李秀英"), Change.RECORDS)
    with store.session() as session:
        session.execute(insert(AuditEntry).values(at=dt.datetime(2025, 1, 5, 9), operator="李文书", action="旧的操作",
                                                  changes="members", source="cli"))
        today = dt.date.today()
        assert [e.action for e in audit.entries(session, operator_name="李文书")] == ["新增党员", "旧的操作"]
        assert [e.action for e in audit.entries(session, area="records")] == ["登记党费"]
        assert [e.action for e in audit.entries(session, since=today)] == ["登记党费", "新增党员"]
        assert [e.action for e in audit.entries(session, until=dt.date(2025, 1, 5))] == ["旧的操作"]
        assert [e.action for e in audit.entries(session, text="李秀英")] == ["登记党费"]
        assert [e.action for e in audit.entries(session, text="党费")] == ["登记党费"]
        assert audit.operators(session) == sorted(["张会计", "李文书"])


def test_json_shape(store, village_id):
    member_id = run(store, "新增党员", lambda s: member(s, village_id, "王建国"))
    run(store, "改名", lambda s: setattr(s.get(Member, member_id), "name", "王建华"))
    with store.session() as session:
        data = audit.to_json(session, audit.entries(session))
    first = data["entries"][0]
    assert set(first) == {"id", "time", "operator", "action", "source", "changes", "records", "fields"}
    assert first["changes"] == ["members"] and first["records"] == [f"党员 王建华（第 {member_id} 号）"]
    assert first["fields"] == [dict(kind="update", record=f"党员 王建华（第 {member_id} 号）", field="姓名",
                                    old="王建国", new="王建华", count=None)]


def test_id_ranges():
    assert audit.id_ranges([1, 2, 3, 7, 9, 10]) == "1–3、7、9–10"
    assert audit.id_ranges([]) == ""


def test_a_batch_insert_without_ids_names_its_members(store, village_id):
    first = run(store, "新增党员", lambda s: member(s, village_id, "王建国"))
    second = run(store, "新增党员", lambda s: member(s, village_id, "李秀英"))
    rows = [dict(member_id=(first, second)[n % 2], date=dt.date(2026, 11, 1 + n), entry_type="political_study",
                 text=f"学习{n}", hours=1.0) for n in range(25)]
    run(store, "登记学习", lambda s: s.execute(insert(RecordEntry), rows), Change.RECORDS)
    line, fields = newest(store)
    assert [(f.kind, f.table, f.count) for f in fields] == [("bulk", "record_entry", 25)]
    assert fields[0].record == "纪实新增 25 条：王建国、李秀英"
    assert line.records == ("纪实新增 25 条：王建国、李秀英",)


def test_correcting_a_recruitment_step_keeps_its_dates_old_to_new(branch):
    from partybuild_desktop.domain.recruitment import Step
    from partybuild_desktop.services import recruitment

    store, village_id, full, _ = branch

    def walked(session):
        case_id = new_case(session, village_id)
        walk(session, village_id, case_id, full, 16)  # up to 上级党委审批: a 预备党员 now, joined on ⑭
        return case_id

    case_id = run(store, "发展党员", walked, Change.RECRUITMENT | Change.MEMBERS)
    run(store, "修改发展步骤", lambda s: recruitment.edit_date(s, village_id, case_id, Step.ASSEMBLY, dt.date(2024, 12, 6),
                                                          reason="记错", today=SAMPLE_TODAY),
        Change.RECRUITMENT | Change.MEMBERS)
    _, fields = newest(store)
    changed = {(f.table, f.field): (f.old, f.new) for f in fields if f.field}
    assert changed[("recruit_step", "日期")] == ("2024-12-05", "2024-12-06")
    assert changed[("member_event", "日期")] == ("2024-12-05", "2024-12-06")  # the 入党 event in the history
    assert changed[("member", "加入党组织日期")] == ("2024-12-05", "2024-12-06")
    assert {f.record for f in fields if f.table == "recruit_step"} == {"发展步骤 支部党员大会讨论"}
    assert not [f for f in fields if f.kind == "bulk"]


def test_every_table_and_column_that_can_be_logged_has_a_chinese_label():
    from partybuild_desktop.domain.errors import has_chinese
    from partybuild_desktop.store.models import Base

    missing = []
    for table in Base.metadata.tables.values():
        if table.name in ("audit_entry", "audit_detail"):
            continue
        label = audit.table_label(table.name)
        if label == audit.UNKNOWN_TABLE or not has_chinese(label):
            missing.append(table.name)
        for column in table.columns:
            if column.key in audit.SKIPPED or (table.name, column.key) in audit.TABLE_SKIPPED:
                continue
            label = audit.field_label(table.name, column.key)
            if label == audit.UNKNOWN_FIELD or not has_chinese(label):
                missing.append(f"{table.name}.{column.key}")
            enum_class = getattr(column.type, "enum_class", None)
            for item in enum_class or ():  # a code as stored, or as the enum: its Chinese word
                for value in (item, item.value):
                    if not has_chinese(audit._shown(column.key, value, table.name) or ""):
                        missing.append(f"{table.name}.{column.key}={item.value}")
    assert missing == []
    assert audit.table_label("a_table_added_later") == audit.UNKNOWN_TABLE  # never its English name
    assert audit.field_label("member", "a_column_added_later") == audit.UNKNOWN_FIELD
    assert audit.field_label("party_group", "leader_id") == "组长"
    assert audit.field_label("organisation_transfer", "letter_no") == "介绍信编号"
    shown = {value: audit._shown("direction", value, "organisation_transfer") for value in ("in", "out")}
    assert shown == {"in": "转入", "out": "转出"}
    assert audit._shown("method", "quarterly", "dues_payment") == "按季度交纳"


def test_the_listing_and_its_workbook_read_all_details_in_one_query(store, village_id, monkeypatch):
    from sqlalchemy import event

    for n in range(30):
        run(store, f"新增党员{n}", lambda s, n=n: member(s, village_id, f"党员{n}", notes="备注"))
    reads = []

    def count(_conn, _cursor, statement, *_):
        if statement.lstrip().upper().startswith("SELECT") and "FROM audit_detail" in statement:
            reads.append(statement)

    with store.session() as session:
        lines = audit.entries(session)
        event.listen(store.engine, "before_cursor_execute", count)
        try:
            listed = audit.to_json(session, lines)
            assert len(reads) == 1
            report = audit.log_report(session, lines, "东湖村党支部", SAMPLE_TODAY, "操作记录")
            assert len(reads) == 2
            monkeypatch.setattr(audit, "IN_CHUNK", 7)  # many operations: one query per chunk of ids
            chunked = audit.details_of(session, [line.id for line in lines])
            assert len(reads) == 2 + 5
        finally:
            event.remove(store.engine, "before_cursor_execute", count)
        assert chunked == {line.id: audit.details(session, line.id) for line in lines}
        one = audit.details(session, next(line.id for line in lines if line.action == "新增党员7"))
    assert len(lines) == 30
    by_entry = {e["action"]: e for e in listed["entries"]}
    assert {"kind": "insert", "record": by_entry["新增党员7"]["records"][0], "field": "备注", "old": None, "new": "备注",
            "count": None} in by_entry["新增党员7"]["fields"]
    assert by_entry["新增党员7"]["fields"] == [
        dict(kind=f.kind, record=f.record, field=f.field, old=f.old, new=f.new, count=f.count)
        for f in one if f.field is not None]
    changes = report.tables[1].rows
    assert sum(1 for row in changes if row["action"] == "新增党员7" and row["field"] == "备注") == 1
