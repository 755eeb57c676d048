"""member delete: a member entered by mistake is removed from the command line; one that other records
refer to, an unknown name and a name two members share are refused with exit 2 and a Chinese reason."""

import datetime as dt

from sqlalchemy import select

from partybuild_desktop import paths
from partybuild_desktop.domain.vocabulary import MemberEventKind
from partybuild_desktop.store.models import AuditEntry, Member, MemberEvent
from partybuild_desktop.store.schema import open_store
from tests.helpers import cli, households, make_id, member, new_store, village


def test_member_delete_from_the_command_line(tmp_path):
    folder = tmp_path / "村"
    store = new_store(folder)
    with store.session() as session:
        village_id = village(session)
        mistaken = member(session, village_id, "录错人", id_number=make_id("19700101", 111))
        session.add(MemberEvent(member_id=mistaken, date=dt.date(2020, 7, 1), kind=MemberEventKind.JOINED))
        busy = member(session, village_id, "联户人", id_number=make_id("19710101", 113))
        households(session, village_id, 2, liaison=busy)
        member(session, village_id, "同名", id_number=make_id("19720101", 115))
        member(session, village_id, "同名", id_number=make_id("19730101", 117))
    store.dispose()

    unknown = cli("--data-dir", folder, "member", "delete", "没有这个人")
    assert unknown.returncode == 2 and "没有姓名或身份证号为“没有这个人”的党员" in unknown.stderr

    shared = cli("--data-dir", folder, "member", "delete", "同名")
    assert shared.returncode == 2 and "有 2 名党员叫“同名”" in shared.stderr and "身份证号" in shared.stderr

    referred = cli("--data-dir", folder, "member", "delete", "联户人")
    assert referred.returncode == 2 and "联系农户 2 户" in referred.stderr and "不能删除" in referred.stderr

    by_number = make_id("19700101", 111).lower()  # the check character may be typed in either case
    deleted = cli("--data-dir", folder, "member", "delete", by_number)
    assert deleted.returncode == 0, deleted.stderr
    assert "已删除党员“录错人”" in deleted.stdout

    again = cli("--data-dir", folder, "member", "delete", "录错人")
    assert again.returncode == 2

    store = open_store(paths.data_file(folder), paths.backup_dir(folder))
    with store.session() as session:
        names = sorted(session.scalars(select(Member.name)))
        assert names == ["同名", "同名", "联户人"]
        assert session.scalars(select(MemberEvent).where(MemberEvent.member_id == mistaken)).all() == []
        audit = session.scalars(select(AuditEntry).where(AuditEntry.source == "cli")).all()
        assert [a.action for a in audit] == ["删除党员“录错人”（命令行）"]
    store.dispose()
