"""发展党员's printouts written and read back (台账, 纪实表, 预备党员考察), and the return's pipeline counts
read back from return.json and added up by the township."""

import datetime as dt
import json

import pytest

from partybuild_desktop.domain.id_number import mask
from partybuild_desktop.domain.recruitment import Step
from partybuild_desktop.domain.vocabulary import Standing
from partybuild_desktop.reports.tables import recruitment as recruit_tables
from partybuild_desktop.services import exports, recruitment
from partybuild_desktop.services.recruitment import CaseForm, Person, StepForm
from tests import helpers

D = dt.date
TODAY = D(2026, 11, 23)
WHOLE_ID = helpers.make_id_for("19980412", male=False)
OTHER_ID = helpers.make_id_for("20000105", male=True)


def path():
    return [
        (Step.TALK, D(2025, 3, 20), {"note": "支部书记谈话"}),
        (Step.ACTIVIST_NAMED, D(2025, 5, 1), {}),
        (Step.ACTIVIST_FILED, D(2025, 5, 10), {}),
        (Step.CONTACTS, D(2025, 5, 10), {"contacts": [Person("王建国"), Person("李秀英")]}),
        (Step.ACTIVIST_TRAINING, D(2026, 5, 5), {}),
        (Step.CANDIDATE_NAMED, D(2026, 5, 6), {}),
        (Step.CANDIDATE_FILED, D(2026, 5, 10), {}),
        (Step.INTRODUCERS, D(2026, 5, 15), {"introducers": [Person("张明"), Person("赵刚")]}),
        (Step.POLITICAL_REVIEW, D(2026, 6, 10), {}),
        (Step.TRAINING, D(2026, 6, 20), {"training_hours": 24}),
        (Step.COMMITTEE_REVIEW, D(2026, 7, 1), {"publicity_start": D(2026, 7, 6), "publicity_end": D(2026, 7, 10)}),
        (Step.PRE_REVIEW, D(2026, 7, 13), {}),
        (Step.APPLICATION_FORM, D(2026, 7, 20), {}),
        (Step.ASSEMBLY, D(2026, 8, 5), {}),
        (Step.UPPER_TALK, D(2026, 8, 20), {}),
        (Step.APPROVAL, D(2026, 10, 9), {}),
    ]


@pytest.fixture
def branch(store):
    """Five 正式 members, one 预备 member entered directly, one person accepted as 预备 in Q4 (through every
    step) and one applicant whose talk was late (kept with its reason)."""
    with store.session() as session:
        village_id = helpers.village(session)
        group = helpers.group(session, village_id)
        for name in ("王建国", "李秀英", "张明", "赵刚", "钱伟"):
            helpers.member(session, village_id, name, joined_date=D(2000, 7, 1), party_group_id=group)
        helpers.member(session, village_id, "孙预备", standing=Standing.PROBATIONARY, joined_date=D(2025, 12, 1))
        case_id = recruitment.create_case(session, village_id, CaseForm("周晓梅", D(2025, 3, 1), id_number=WHOLE_ID,
                                                                        party_group_id=group), today=TODAY).case_id
        for step, day, extra in path():
            if step is Step.CANDIDATE_NAMED:
                for review in (D(2025, 10, 20), D(2026, 4, 1)):
                    recruitment.add_review(session, village_id, case_id, review, "表现良好", today=TODAY)
            recruitment.advance(session, village_id, case_id, StepForm(step, day, **extra), today=TODAY)
        late = recruitment.create_case(session, village_id, CaseForm("吴晓东",
                                                                     D(2026, 8, 1), id_number=OTHER_ID), today=TODAY)
        recruitment.advance(session, village_id, late.case_id, StepForm(Step.TALK, D(2026, 9, 15),
                                                                        reason="申请人外出务工，返乡后谈话"), today=TODAY)
    return store, village_id


def export(store, village_id, name, path, **options):
    return exports.export(store, village_id, name, path, exports.ExportOptions(today=TODAY, **options))


def cells(path):
    return [str(c) for row in helpers.sheet_rows(path) for c in row if c not in (None, "")]


def test_the_ledger_has_one_line_per_person_with_every_date(branch, tmp_path):
    store, village_id = branch
    export(store, village_id, "recruits", tmp_path / "台账.xlsx")
    rows = helpers.sheet_rows(tmp_path / "台账.xlsx")
    header = next(r for r in rows if r and r[0] == "序号")
    lower = rows[rows.index(header) + 1]
    zhou = next(r for r in rows if "周晓梅" in r)
    wu = next(r for r in rows if "吴晓东" in r)
    assert "1.递交入党申请书" in lower and "17.上级党委审批" in lower and "25.材料归档" in lower
    at = {name: i for i, name in enumerate(lower) if name}
    assert str(zhou[at["1.递交入党申请书"]]).startswith("2025-03-01")
    assert str(zhou[at["15.支部党员大会讨论"]]).startswith("2026-08-05")
    assert str(zhou[at["17.上级党委审批"]]).startswith("2026-10-09")
    assert zhou[at["25.材料归档"]] in (None, "")
    text = " ".join(str(c) for c in zhou)
    assert "王建国、李秀英" in text and "张明、赵刚" in text and "24 学时" in text and "预备党员接收" in text
    assert "talk" not in " ".join(str(c) for c in wu) and "原因：申请人外出务工，返乡后谈话" in " ".join(str(c) for c in wu)
    everything = " ".join(cells(tmp_path / "台账.xlsx"))
    assert WHOLE_ID not in everything and mask(WHOLE_ID) in everything
    pdf = export(store, village_id, "recruits", tmp_path / "台账.pdf")
    text = helpers.pdf_text(pdf.path)
    assert "发展党员工作台账" in text and "周晓梅" in text and WHOLE_ID not in text and "2026-10-09" in text


def test_the_record_of_one_person_lists_the_25_steps(branch, tmp_path):
    store, village_id = branch
    export(store, village_id, "recruit-record", tmp_path / "纪实.xlsx", person="周晓梅")
    rows = helpers.sheet_rows(tmp_path / "纪实.xlsx")
    steps = [r for r in rows if r and isinstance(r[0], float) and 1 <= r[0] <= 25]
    assert [int(r[0]) for r in steps] == list(range(1, 26))
    assert steps[1][2] == "党组织派人谈话" and str(steps[1][3]).startswith("2025-03-20") and "支部书记谈话" in steps[1][4]
    assert "王建国、李秀英" in steps[4][4] and "2025年10月20日" in steps[5][4] and "张明、赵刚" in steps[8][4]
    assert "一个月内" in steps[1][5] and "24 学时" in steps[10][5]
    assert steps[17][3] in (None, "") and steps[24][3] in (None, "")
    pdf = export(store, village_id, "recruit-record", tmp_path / "纪实.pdf", person="周晓梅")
    text = helpers.pdf_text(pdf.path)
    assert "发展党员纪实表" in text and "周晓梅" in text and WHOLE_ID not in text and WHOLE_ID[-4:] in text
    # The late talk: its rule and reason on the record of that person.
    export(store, village_id, "recruit-record", tmp_path / "吴.xlsx", person="吴晓东")
    talk = [r for r in helpers.sheet_rows(tmp_path / "吴.xlsx") if r and r[0] == 2.0][0]
    assert "超过了收到入党申请书" in talk[6] and "原因：申请人外出务工，返乡后谈话" in talk[6]
    with pytest.raises(exports.ExportError, match="没有“无此人”"):
        export(store, village_id, "recruit-record", tmp_path / "x.pdf", person="无此人")
    with pytest.raises(exports.ExportError, match="--person"):
        export(store, village_id, "recruit-record", tmp_path / "x.pdf")


def test_the_probation_sheet_lists_each_probationary_member(branch, tmp_path):
    store, village_id = branch
    export(store, village_id, "probation", tmp_path / "预备.xlsx")
    rows = helpers.sheet_rows(tmp_path / "预备.xlsx")
    zhou = next(r for r in rows if "周晓梅" in r)
    sun = next(r for r in rows if "孙预备" in r)
    assert str(zhou[3]).startswith("2026-08-05") and str(zhou[4]).startswith("2026-10-09")
    assert str(zhou[5]).startswith("2027-08-05") and "还有" in zhou[9]
    assert str(sun[5]).startswith("2026-12-01") and "还有 8 天期满" in sun[9]
    text = helpers.pdf_text(export(store, village_id, "probation", tmp_path / "预备.pdf").path)
    assert "预备党员考察" in text and "孙预备" in text and "共有预备党员 2 人" in text


def test_the_return_carries_the_pipeline_and_the_township_adds_it_up(branch, tmp_path):
    from partybuild_desktop.domain.statistics import Quarter
    from partybuild_desktop.services.consolidation import consolidate, quarter_figures
    from partybuild_desktop.services.returns import export_return

    store, village_id = branch
    result = export_return(store, village_id, Quarter(2026, 4), tmp_path / "stick", today=TODAY)
    data = json.loads((result.path / "return.json").read_text("utf-8"))
    assert data["figures"]["recruitment"] == {"applicants": 1, "activists": 0, "candidates": 0, "accepted": 1,
                                              "confirmed": 0}
    assert any(f["name"].endswith(f"{recruit_tables.TITLE}.xlsx") for f in data["files"])
    q3 = export_return(store, village_id, Quarter(2026, 3), tmp_path / "stick3", today=TODAY)
    # At the end of September 周晓梅 was a 发展对象 (voted on, not yet approved), 吴晓东 an applicant.
    assert json.loads((q3.path / "return.json").read_text("utf-8"))["figures"]["recruitment"] == {
        "applicants": 1, "activists": 0, "candidates": 1, "accepted": 0, "confirmed": 0}
    township = helpers.new_store(tmp_path / "township")
    outcome = consolidate(township, "2026Q4", [result.path], out_dir=tmp_path / "out", today=TODAY)
    assert [p.status for p in outcome.packages] == ["accepted"]
    with township.session() as session:
        assert quarter_figures(session, "2026Q4")[0].figures["recruitment"]["accepted"] == 1
    summary = next(p for p in outcome.files if recruit_tables.TITLE in p.name and p.suffix == ".xlsx")
    total = next(r for r in helpers.sheet_rows(summary) if r and r[0] == "合计")
    assert [float(v) for v in total[1:6]] == [1, 0, 0, 1, 0]


def test_an_older_package_reads_as_not_reported():
    report = recruit_tables.summary_report("城南镇", "城南镇党委", TODAY, D(2026, 10, 1), D(2026, 12, 31),
                                           [("东湖村", dict.fromkeys(recruit_tables.FIGURE_KEYS, 2)), ("石桥村", None)])
    rows = report.tables[0].rows
    assert rows[1] == {"village": "石桥村", "state": "未报送"}
    assert rows[2]["accepted"] == 2 and rows[2]["state"] == "已报送1个，未报送1个"


@pytest.mark.parametrize("damage, message", [
    (dict(applicants=-1), "不是非负整数"), (dict(accepted=10 ** 9), "不可能这么多"),
    (dict(confirmed="3"), "不是非负整数"), (dict(activists=True), "不是非负整数"),
])
def test_recruitment_figures_that_cannot_be_true_are_refused(damage, message):
    good = dict.fromkeys(recruit_tables.FIGURE_KEYS, 0) | {"applicants": 4}
    assert recruit_tables.check_figures(good) == good
    with pytest.raises(ValueError, match=message):
        recruit_tables.check_figures(good | damage)
    missing = {k: v for k, v in good.items() if k != "candidates"}
    with pytest.raises(ValueError, match="缺少“发展对象"):
        recruit_tables.check_figures(missing)


def test_the_sample_village_has_people_at_every_stage_and_its_return_counts_them(sample_store, tmp_path):
    from partybuild_desktop.domain.recruitment import Stage
    from partybuild_desktop.domain.statistics import Quarter
    from partybuild_desktop.services.returns import export_return
    from partybuild_desktop.services.village import current_village
    from tests.conftest import SAMPLE_TODAY

    with sample_store.session() as session:
        village_id = current_village(session).id
        rows = recruitment.list_cases(session, village_id, SAMPLE_TODAY)
    assert {r.stage for r in rows} == set(Stage)
    assert [r.breaches for r in rows if r.breaches] == [("talk_after_one_month",)]
    q4 = export_return(sample_store, village_id, Quarter(2026, 4), tmp_path / "q4", today=SAMPLE_TODAY)
    assert json.loads((q4.path / "return.json").read_text("utf-8"))["figures"]["recruitment"] == {
        "applicants": 3, "activists": 2, "candidates": 2, "accepted": 1, "confirmed": 0}
    q3 = export_return(sample_store, village_id, Quarter(2026, 3), tmp_path / "q3", today=SAMPLE_TODAY)
    # At the end of September: the two later applicants had not applied yet, the one in 公示 was still being
    # trained, the one accepted in October was a 发展对象; the 转正 was approved in September.
    figures = json.loads((q3.path / "return.json").read_text("utf-8"))["figures"]["recruitment"]
    assert figures["confirmed"] == 1 and figures["accepted"] == 0 and figures["candidates"] == 3
