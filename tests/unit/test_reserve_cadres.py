"""后备干部: a roster per year kept apart from the members, renewal into the next year, the count against
the target, the roster export and the return's figures added up by the township."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from partybuild_desktop.domain.reserve_cadres import CadreForm, ReserveCadreError
from partybuild_desktop.domain.vocabulary import Education, Gender
from partybuild_desktop.reports.tables import transfers as transfer_tables
from partybuild_desktop.services import exports, members, reserve_cadres
from partybuild_desktop.store.models import Member
from tests.helpers import SAMPLE_TODAY, member, pdf_text, sheet_rows, village

TODAY = SAMPLE_TODAY


@pytest.fixture
def branch(store):
    with store.session() as session:
        village_id = village(session)
        trainer = member(session, village_id, "王书记")
        session.commit()
    return store, village_id, trainer


def _add(session, village_id, name, year=2026, **more):
    return reserve_cadres.save(session, village_id, year, CadreForm(name, **more), today=TODAY)


def test_the_roster_is_not_the_member_list(branch):
    store, village_id, trainer = branch
    with store.session() as session:
        _add(session, village_id, "陈致富", gender=Gender.MALE, birth_year=1988, education=Education.COLLEGE,
             phone="138 1234 5678", source="致富能手", strengths="种植大户，带动 30 户", trainer_id=trainer)
        _add(session, village_id, "刘返乡", birth_year=1998, source="返乡大学生")
        assert session.scalar(select(func.count()).select_from(Member)) == 1  # only the trainer
        assert [m.name for m in members.list_members(session, village_id)] == ["王书记"]
        rows = reserve_cadres.roster(session, village_id, 2026)
        assert [(r.name, r.age, r.trainer, r.phone) for r in rows] == [
            ("陈致富", 38, "王书记", "13812345678"), ("刘返乡", 28, "", None)]
        standing = reserve_cadres.standing(session, village_id, 2026)
        assert (standing.count, standing.target, standing.short) == (2, 16, 14)
        assert "还差 14 名" in standing.text


def test_checks_name_the_field(branch):
    store, village_id, _ = branch
    with store.session() as session:
        with pytest.raises(ReserveCadreError, match="姓名"):
            _add(session, village_id, "  ")
        with pytest.raises(ReserveCadreError, match="出生年份 2010"):
            _add(session, village_id, "小明", birth_year=2010)
        with pytest.raises(ReserveCadreError, match="联系电话"):
            _add(session, village_id, "小明", phone="12345")
        _add(session, village_id, "张强", birth_year=1990)
        with pytest.raises(ReserveCadreError, match="已经有“张强”"):
            _add(session, village_id, "张强")
        _add(session, village_id, "张强", birth_year=1995, notes="另一位张强")  # namesakes told apart by birth year


def test_renewal_copies_the_roster_once(branch):
    store, village_id, trainer = branch
    with store.session() as session:
        for name in ("甲", "乙", "丙"):
            _add(session, village_id, name, year=2025, trainer_id=trainer, birth_year=1990)
        _add(session, village_id, "乙", year=2026, birth_year=1990, source="退役军人")
        done = reserve_cadres.renew(session, village_id, 2025, today=TODAY)
        assert (done.year, done.carried, done.already) == (2026, 2, 1)
        rows = reserve_cadres.roster(session, village_id, 2026)
        assert [(r.name, r.carried) for r in rows] == [("乙", False), ("甲", True), ("丙", True)]
        assert [r.source for r in rows if r.name == "乙"] == ["退役军人"]  # what was there is kept
        assert reserve_cadres.renew(session, village_id, 2025, today=TODAY).carried == 0  # twice changes nothing
        assert len(reserve_cadres.roster(session, village_id, 2025)) == 3  # the year before stays as it was
        with pytest.raises(ReserveCadreError, match="2024年还没有后备干部名单"):
            reserve_cadres.renew(session, village_id, 2024, today=TODAY)
        with pytest.raises(ReserveCadreError, match="太远"):
            reserve_cadres.renew(session, village_id, 2027, today=TODAY)


def test_target_setting(branch):
    store, village_id, _ = branch
    with store.session() as session:
        assert reserve_cadres.target(session) == 16
        reserve_cadres.set_target(session, 20)
        assert reserve_cadres.target(session) == 20
        with pytest.raises(ReserveCadreError, match="1 到 200"):
            reserve_cadres.set_target(session, 0)


def test_the_roster_export(branch, tmp_path):
    store, village_id, trainer = branch
    with store.session() as session:
        _add(session, village_id, "陈致富", birth_year=1988, source="致富能手", trainer_id=trainer, phone="13812345678")
        session.commit()
    options = exports.ExportOptions(year=2026, today=TODAY)
    exports.export(store, village_id, "reserve-cadres", tmp_path / "r.xlsx", options)
    exports.export(store, village_id, "reserve-cadres", tmp_path / "r.pdf", options)
    cells = [[str(c) for c in r] for r in sheet_rows(tmp_path / "r.xlsx")]
    line = next(r for r in cells if "陈致富" in r)
    assert "致富能手" in line and "王书记" in line and "13812345678" in line and "新选" in line
    assert any("还差 15 名" in c for r in cells for c in r)
    assert "陈致富" in pdf_text(tmp_path / "r.pdf")
    with pytest.raises(exports.ExportError, match="2025年的后备干部名单"):
        exports.export(store, village_id, "reserve-cadres", tmp_path / "x.xlsx", exports.ExportOptions(year=2025))


def test_the_return_figures_and_the_township_table(branch):
    store, village_id, _ = branch
    with store.session() as session:
        for i in range(3):
            _add(session, village_id, f"后备{i}")
        session.commit()
    with store.session() as session:
        from partybuild_desktop.services.village import village_info

        built = exports.find("transfers-summary").build(
            session, village_info(session, village_id), exports.ExportOptions(year=2026, quarter=4, today=TODAY))
    assert built.figures == {"reserve_cadres": 3, "transfers_out": 0, "receipts_received": 0, "transfers_in": 0,
                             "receipts_missing": 0}
    assert transfer_tables.check_figures(built.figures) == built.figures
    with pytest.raises(ValueError, match="后备干部"):
        transfer_tables.check_figures({**built.figures, "reserve_cadres": -1})
    report = transfer_tables.summary_report("城南镇", "城南镇党委", TODAY, dt.date(2026, 10, 1), TODAY,
                                            [("甲村", built.figures), ("乙村", None), ("丙村", {**built.figures, "reserve_cadres": 16})])
    rows = report.tables[0].rows
    assert [r["village"] for r in rows] == ["甲村", "乙村", "丙村", "合计"]
    assert rows[1]["state"] == "未报送" and rows[-1]["reserve_cadres"] == 19
    assert reserve_cadres.township_text(12, 16) == "12/16（差4）"
    assert reserve_cadres.township_text(16, 16) == "16/16"
    assert reserve_cadres.township_text(None, 16) == "未报送"
