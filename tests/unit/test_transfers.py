"""组织关系转接: the letter's validity at its edge, the 回执 that takes the member off the list through the
members service, transfers in creating or reactivating a member, the alert, the register, the 介绍信 PDF
and the return's figures."""

import datetime as dt

import pytest
from sqlalchemy import select

from partybuild_desktop.domain import transfers as rules
from partybuild_desktop.domain.vocabulary import MemberCategory, MemberEventKind, Standing
from partybuild_desktop.reports.files import write_report
from partybuild_desktop.services import alerts, dues, exports, members, migrants, transfers
from partybuild_desktop.services.transfers import InForm, OutForm, TransferError
from partybuild_desktop.store.models import Member, MemberEvent, MigrantStint
from tests.helpers import SAMPLE_TODAY, embedded_fonts, make_id, member, pdf_text, sheet_rows, village

TODAY = SAMPLE_TODAY
TO = "中共苏州市吴中区木渎镇金山村支部委员会"


# ---------------------------------------------------------------------------------------- the rules


def test_validity_counts_from_the_day_after_the_letter():
    issued = dt.date(2026, 1, 1)
    assert rules.expires_on(issued, 90) == dt.date(2026, 4, 1)
    assert rules.receipt_on_time(issued, 90, dt.date(2026, 4, 1))  # on the last day: on time
    assert not rules.receipt_on_time(issued, 90, dt.date(2026, 4, 2))
    assert not rules.receipt_missing(issued, 90, None, dt.date(2026, 4, 1))
    assert rules.receipt_missing(issued, 90, None, dt.date(2026, 4, 2))
    assert not rules.receipt_missing(issued, 90, dt.date(2026, 3, 1), dt.date(2026, 9, 1))


def test_upper_case_numbers_as_the_letter_writes_them():
    assert rules.upper_number(90) == "玖拾"
    assert rules.upper_number(11) == "壹拾壹"
    assert rules.upper_number(105) == "壹佰零伍"
    assert rules.upper_number(7) == "柒"
    assert rules.upper_month((2026, 11)) == "贰零贰陆年壹拾壹月"
    assert rules.upper_month((2026, 3)) == "贰零贰陆年零叁月"


def test_letter_numbers_and_months():
    assert rules.next_letter_no(2026, []) == "2026-001"
    assert rules.next_letter_no(2026, ["2026-001", "2026-007", "2025-019", "甲-3"]) == "2026-008"
    assert rules.parse_month("2026-10") == (2026, 10)
    assert rules.parse_month("2026年3月") == (2026, 3)
    with pytest.raises(ValueError, match="2026-10"):
        rules.parse_month("10/2026")
    with pytest.raises(TransferError, match="1 到 365"):
        rules.check_valid_days(0)


# ---------------------------------------------------------------------------------------- the service


@pytest.fixture
def branch(store):
    with store.session() as session:
        village_id = village(session)
        member_id = member(session, village_id, "张建国", id_number=make_id("19800312"), mobile="13812345678",
                           joined_date=dt.date(2005, 7, 1), birth_date=dt.date(1980, 3, 12), ethnicity="汉族")
        session.commit()
    return store, village_id, member_id


def _out(session, village_id, member_id, day=dt.date(2026, 8, 1), **more):
    return transfers.transfer_out(session, village_id, OutForm(member_id, TO, day, **more), TODAY)


def test_a_letter_out_keeps_the_member_until_the_receipt_on_its_last_day(branch):
    store, village_id, member_id = branch
    with store.session() as session:
        row = _out(session, village_id, member_id, dt.date(2026, 8, 1))
        assert (row.letter_no, row.valid_days, row.expires_on) == ("2026-001", 90, dt.date(2026, 10, 30))
        assert not session.get(Member, member_id).archived  # the old branch stays responsible
        assert row.state == "回执逾期未回"  # 2026-11-23 is past the validity
        done = transfers.record_receipt(session, village_id, row.id, dt.date(2026, 10, 30), TODAY)
        assert done.warnings == [] and done.row.state == "已收到回执"
        person = session.get(Member, member_id)
        assert person.archived and person.departure is MemberEventKind.TRANSFERRED_OUT
        event = session.scalars(select(MemberEvent).where(MemberEvent.member_id == member_id)).one()
        assert (event.kind, event.date) == (MemberEventKind.TRANSFERRED_OUT, dt.date(2026, 10, 30))
        assert TO in event.note and "2026-001" in event.note
        assert member_id not in {m.id for m in members.list_members(session, village_id, include_archived=False)}


def test_a_receipt_a_day_late_is_filed_with_a_warning(branch):
    store, village_id, member_id = branch
    with store.session() as session:
        row = _out(session, village_id, member_id, dt.date(2026, 8, 1))
        done = transfers.record_receipt(session, village_id, row.id, dt.date(2026, 10, 31), TODAY)
        assert [w.code for w in done.warnings] == [transfers.RECEIPT_LATE]
        assert done.row.state == "已收到回执（逾期）"


def test_the_alert_starts_the_day_after_the_letter_expires(branch):
    store, village_id, member_id = branch
    with store.session() as session:
        _out(session, village_id, member_id, dt.date(2026, 8, 1), valid_days=30)
        assert not [a for a in alerts.collect(session, village_id, dt.date(2026, 8, 31))
                    if a.kind == "transfer_receipt_missing"]
        found = [a for a in alerts.collect(session, village_id, dt.date(2026, 9, 1)) if a.kind == "transfer_receipt_missing"]
        assert len(found) == 1
        alert = found[0]
        assert (alert.level, alert.member, alert.due, alert.target) == ("serious", "张建国", dt.date(2026, 8, 31), "transfers")
        assert "回执" in alert.message and "2026-001" in alert.message


def test_refusals_leave_nothing_written(branch):
    store, village_id, member_id = branch
    with store.session() as session:
        with pytest.raises(TransferError, match="转往的党组织"):
            transfers.transfer_out(session, village_id, OutForm(member_id, " ", dt.date(2026, 8, 1)), TODAY)
        with pytest.raises(TransferError, match="晚于今天"):
            transfers.transfer_out(session, village_id, OutForm(member_id, TO, dt.date(2026, 12, 1)), TODAY)
        row = _out(session, village_id, member_id, letter_no="2026-015")
        with pytest.raises(TransferError, match="还在等回执"):
            _out(session, village_id, member_id)
        with pytest.raises(TransferError, match="早于介绍信开出的日期"):
            transfers.record_receipt(session, village_id, row.id, dt.date(2026, 7, 1), TODAY)
        assert not session.get(Member, member_id).archived
        other = member(session, village_id, "李四")
        with pytest.raises(TransferError, match="已经用过"):
            _out(session, village_id, other, letter_no="2026-015")
        assert transfers.suggested_letter_no(session, village_id, 2026) == "2026-016"


def test_a_letter_taken_back_leaves_the_member_as_before(branch):
    store, village_id, member_id = branch
    with store.session() as session:
        row = _out(session, village_id, member_id)
        assert transfers.cancel_transfer(session, village_id, row.id) == "张建国"
        assert transfers.list_transfers(session, village_id, 2026, TODAY) == []
        assert transfers.open_transfer(session, village_id, member_id) is None


def test_dues_paid_to_is_read_from_the_dues_records(branch):
    store, village_id, member_id = branch
    with store.session() as session:
        dues.pay(session, village_id, member_id, dues.PaymentForm([(2026, m) for m in range(1, 7)], 300, dt.date(2026, 6, 30)),
                 today=TODAY)
        row = _out(session, village_id, member_id)
        assert row.dues_paid_to == (2026, 6)
        letter = transfers.letter(session, village_id, row.id)
        assert rules.upper_month(letter.dues_paid_to) == "贰零贰陆年零陆月"


def test_a_transfer_in_creates_a_member_who_owes_dues_from_then(store):
    with store.session() as session:
        village_id = village(session)
        form = members.MemberForm(name="周新来", id_number=make_id("19900505", serial=231), joined_date=dt.date(2015, 6, 1))
        done = transfers.transfer_in(session, village_id, InForm("中共某县某镇某村党支部", dt.date(2026, 9, 10), "2026-88",
                                                                 member=form), TODAY)
        assert done.created and done.row.state == "已转入"
        person = session.get(Member, done.row.member_id)
        assert not person.archived and person.birth_date == dt.date(1990, 5, 5)  # through the members service
        assert members.stays(session, village_id)[person.id].arrived == dt.date(2026, 9, 10)
        with pytest.raises(TransferError, match="不能再转入一次"):
            transfers.transfer_in(session, village_id, InForm("某党支部", dt.date(2026, 9, 11), "X-1", member=form), TODAY)
        with pytest.raises(TransferError, match="介绍信的编号"):
            transfers.transfer_in(session, village_id, InForm("某党支部", dt.date(2026, 9, 11), "",
                                                              member=members.MemberForm(name="无号")), TODAY)


def test_a_member_who_transferred_out_comes_back(branch):
    store, village_id, member_id = branch
    with store.session() as session:
        row = _out(session, village_id, member_id, dt.date(2026, 3, 1))
        transfers.record_receipt(session, village_id, row.id, dt.date(2026, 3, 20), TODAY)
        with pytest.raises(TransferError, match="早于"):
            transfers.transfer_in(session, village_id, InForm("金山村党支部", dt.date(2026, 3, 10), "J-2",
                                                              member_id=member_id), TODAY)
        # Found by the ID number, the same person, not a new member.
        number = session.get(Member, member_id).id_number
        done = transfers.transfer_in(session, village_id, InForm(
            "金山村党支部", dt.date(2026, 10, 8), "J-2", member=members.MemberForm(name="张建国", id_number=number)), TODAY)
        assert not done.created and done.row.member_id == member_id
        assert not session.get(Member, member_id).archived
        assert session.scalar(select(Member.id).where(Member.name == "张建国", Member.id != member_id)) is None
        rows = transfers.list_transfers(session, village_id, 2026, TODAY)
        assert [(r.direction, r.state) for r in rows] == [("out", "已收到回执"), ("in", "已转入")]


def test_the_receipt_ends_the_members_stint_away(branch):
    store, village_id, member_id = branch
    with store.session() as session:
        migrants.register_out(session, village_id, member_id,
                              migrants.StintForm(left_on=dt.date(2025, 7, 5), province="江苏省"), TODAY)
        before = session.get(MigrantStint, migrants.open_stint(session, member_id).id).category_before
        row = _out(session, village_id, member_id, dt.date(2026, 3, 1))
        transfers.record_receipt(session, village_id, row.id, dt.date(2026, 3, 20), TODAY)
        assert migrants.open_stint(session, member_id) is None
        assert [s.back_on for s in migrants.stints_of(session, member_id)] == [dt.date(2026, 3, 20)]
        assert session.get(Member, member_id).category is (before or MemberCategory.FARMER)
        transfers.transfer_in(session, village_id, InForm("金山村党支部", dt.date(2026, 10, 8), "J-3",
                                                          member_id=member_id), TODAY)
        assert migrants.migrants(session, village_id, TODAY) == []
        assert [r.member_id for r in migrants.migrants(session, village_id, dt.date(2026, 3, 19))] == [member_id]


def test_the_id_number_is_looked_up_in_this_village_only(branch):
    store, village_id, member_id = branch
    with store.session() as session:
        row = _out(session, village_id, member_id, dt.date(2026, 3, 1))
        transfers.record_receipt(session, village_id, row.id, dt.date(2026, 3, 20), TODAY)
        other = village(session, "西山村")
        number = session.get(Member, member_id).id_number
        form = members.MemberForm(name="张建国", id_number=number)
        with pytest.raises(TransferError, match="已登记在本数据文件中试验村的党员“张建国”名下") as refused:
            transfers.transfer_in(session, other, InForm("金山村党支部", dt.date(2026, 10, 8), "J-4", member=form), TODAY)
        assert "请核对身份证号" in str(refused.value)
        assert session.get(Member, member_id).archived  # not taken back into the other village
        assert transfers.list_transfers(session, other, 2026, TODAY) == []


def test_period_counts_for_the_return(branch):
    store, village_id, member_id = branch
    with store.session() as session:
        row = _out(session, village_id, member_id, dt.date(2026, 7, 1), valid_days=30)
        other = member(session, village_id, "李四")
        _out(session, village_id, other, dt.date(2026, 9, 20))
        transfers.record_receipt(session, village_id, row.id, dt.date(2026, 10, 5), TODAY)
        q3 = transfers.period_counts(session, village_id, dt.date(2026, 7, 1), dt.date(2026, 9, 30))
        # At the quarter's end the first letter had expired with no 回执 (it came in October).
        assert q3 == {"transfers_out": 2, "receipts_received": 0, "transfers_in": 0, "receipts_missing": 1}
        q4 = transfers.period_counts(session, village_id, dt.date(2026, 10, 1), TODAY)
        assert q4 == {"transfers_out": 0, "receipts_received": 1, "transfers_in": 0, "receipts_missing": 0}


# ---------------------------------------------------------------------------------------- the printouts


def test_the_letter_pdf_has_its_three_parts(branch, tmp_path):
    store, village_id, member_id = branch
    with store.session() as session:
        _out(session, village_id, member_id, dt.date(2026, 8, 1), dues_paid_to=(2026, 7))
        session.commit()
    path = tmp_path / "letter.pdf"
    result = exports.export(store, village_id, "transfer-letter", path, exports.ExportOptions(member="张建国", today=TODAY))
    assert result.warnings == []
    text = pdf_text(path).replace(" ", "")
    for part in ("（存根）", "中国共产党党员组织关系介绍信回执", "请转接组织关系", "特此回复"):
        assert part.replace(" ", "") in text.replace("　", "")
    assert "贰零贰陆年零柒月" in text and "玖拾天" in text
    assert text.count("第2026-001号") >= 3  # each part, and the 骑缝 lines
    assert make_id("19800312") in text  # the official letter carries the ID number
    assert TO in text and "中共试验村党支部" in text
    assert embedded_fonts(path) and all(embedded_fonts(path).values())


def test_the_letter_export_names_who_has_none(branch, tmp_path):
    store, village_id, _ = branch
    with pytest.raises(exports.ExportError, match="还没有开过组织关系介绍信"):
        exports.export(store, village_id, "transfer-letter", tmp_path / "x.pdf", exports.ExportOptions(member="张建国"))
    with pytest.raises(exports.ExportError, match="没有党员“王五”"):
        exports.export(store, village_id, "transfer-letter", tmp_path / "x.pdf", exports.ExportOptions(member="王五"))


def test_the_register_xlsx_and_pdf(branch, tmp_path):
    store, village_id, member_id = branch
    with store.session() as session:
        row = _out(session, village_id, member_id, dt.date(2026, 8, 1))
        transfers.record_receipt(session, village_id, row.id, dt.date(2026, 8, 20), TODAY)
        transfers.transfer_in(session, village_id, InForm("某镇某村党支部", dt.date(2026, 9, 1), "M-7",
                                                          member=members.MemberForm(name="周新来")), TODAY)
        session.commit()
    options = exports.ExportOptions(year=2026, today=TODAY)
    exports.export(store, village_id, "transfers", tmp_path / "t.xlsx", options)
    exports.export(store, village_id, "transfers", tmp_path / "t.pdf", options)
    cells = [[str(c) for c in r] for r in sheet_rows(tmp_path / "t.xlsx")]
    lines = {r[2]: r for r in cells if len(r) > 2 and r[2] in ("张建国", "周新来")}
    assert lines["张建国"][1] == "转出" and TO in lines["张建国"][4] and lines["张建国"][-1] == "已收到回执"
    assert lines["周新来"][1] == "转入" and lines["周新来"][5] == "M-7"
    text = pdf_text(tmp_path / "t.pdf")
    assert "党员组织关系转接登记簿" in text and "周新来" in text
    assert make_id("19800312") not in text  # the register names no ID numbers
