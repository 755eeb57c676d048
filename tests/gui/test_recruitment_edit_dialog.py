"""发展党员 → 修改步骤…: a recorded step's 入党介绍人, training hours and 公示 dates corrected through the
dialog, shown as recorded, written only on OK through the runner, the rules checked again (a breach kept
only with a reason), a refusal keeping the dialog open with nothing saved, and cancel saving nothing."""

import datetime as dt

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialog
from sqlalchemy import func, select

from partybuild_desktop.domain.recruitment import Step
from partybuild_desktop.services import recruitment as service
from partybuild_desktop.store.models import AuditEntry, RecruitBreach, RecruitCase
from partybuild_desktop.ui.recruitment_tab import RecruitmentTab
from tests import helpers
from tests.gui.conftest import shown_tab
from tests.unit.test_recruitment_service import TODAY, new_case, walk

D = dt.date


@pytest.fixture
def tab(qtbot, store, data_folder):
    with store.session() as session:
        village_id = helpers.village(session, "东湖村")
        group = helpers.group(session, village_id)
        full = [helpers.member(session, village_id, name, joined_date=D(2000, 7, 1), party_group_id=group)
                for name in ("王建国", "李秀英", "张明", "赵刚", "钱伟")]
        case_id = new_case(session, village_id)
        walk(session, village_id, case_id, full, 12)  # up to ⑬ 上级党委预审
    shown = shown_tab(qtbot, RecruitmentTab, store, data_folder, today=TODAY)
    shown.select_case(case_id)
    return shown


def audits(store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def introducers(store) -> list[str]:
    with store.session() as session:
        case_id = session.scalar(select(RecruitCase.id))
        village_id = session.scalar(select(RecruitCase.village_id))
        return [p.name for p in service.people(session, village_id, case_id)["introducer"]]


def test_the_introducers_corrected_with_the_rule_checked_again(tab, store, tmp_path):
    dialog = tab.edit_dialog(step=Step.INTRODUCERS)
    assert dialog.windowTitle() == "修改步骤：周晓梅" and tab.edit_button.text() == "修改步骤…"
    assert [box.currentText() for box in dialog.people] == ["张明", "赵刚"]  # as recorded
    assert dialog.people[0].isVisibleTo(dialog) and not dialog.hours.isVisibleTo(dialog)
    dialog.resize(640, dialog.sizeHint().height())
    dialog.grab().save(str(tmp_path / "edit-introducers.png"))
    before = audits(store)
    dialog.people[1].setCurrentIndex(0)  # one introducer left
    dialog.accept()
    assert dialog.result() != QDialog.Accepted and dialog.asking_reason
    assert "只有 1 名入党介绍人" in dialog.problem.text()
    assert introducers(store) == ["张明", "赵刚"] and audits(store) == before  # nothing written
    dialog.reason.setPlainText("另一名介绍人外出，待补")
    dialog.accept()
    assert dialog.result() == QDialog.Accepted, dialog.problem.text()
    assert introducers(store) == ["张明"] and audits(store) == before + 1
    with store.session() as session:
        assert session.execute(select(RecruitBreach.code, RecruitBreach.reason)).all() == [
            ("introducers_fewer_than_two", "另一名介绍人外出，待补")]
    tab._after(dialog)
    assert any("已按所写原因记入台账" in text for kind, _t, text in tab.dialogs.told if kind == "info")
    # Mended: two introducers again, and the breach is no longer kept.
    mend = tab.edit_dialog(step=Step.INTRODUCERS)
    assert [box.currentText() for box in mend.people] == ["张明", ""]
    mend.people[1].choose("钱伟")
    mend.accept()
    assert mend.result() == QDialog.Accepted, mend.problem.text()
    assert introducers(store) == ["张明", "钱伟"]
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(RecruitBreach)) == 0


def test_the_training_hours_and_the_publicity_corrected(tab, store):
    dialog = tab.edit_dialog(step=Step.TRAINING)
    assert dialog.hours.isVisibleTo(dialog) and dialog.hours.value() == 24
    assert not dialog.people[0].isVisibleTo(dialog) and not dialog.publicity_span.isVisibleTo(dialog)
    dialog.hours.setValue(23)
    dialog.accept()
    assert dialog.result() != QDialog.Accepted and "集中培训只有" in dialog.problem.text()
    dialog.go_back()
    dialog.hours.setValue(32)
    dialog.accept()
    assert dialog.result() == QDialog.Accepted, dialog.problem.text()
    with store.session() as session:
        assert session.scalar(select(RecruitCase.training_hours)) == 32
    # ⑫'s 公示 as recorded (Mon 4 – Fri 8 November 2024); Tue 5 – Mon 11 leaves four working days before
    # the 预审 on the 11th: refused, the dialog stays open, nothing saved; cancel saves nothing.
    publicity = tab.edit_dialog(step=Step.COMMITTEE_REVIEW)
    assert publicity.publicity_span.isVisibleTo(publicity) and not publicity.hours.isVisibleTo(publicity)
    assert (publicity.publicity_from.date().toPython(), publicity.publicity_to.date().toPython()) == (
        D(2024, 11, 4), D(2024, 11, 8))
    publicity.publicity_from.setDate(QDate(2024, 11, 5))
    publicity.publicity_to.setDate(QDate(2024, 11, 11))
    publicity.accept()
    assert publicity.result() != QDialog.Accepted and "4 个工作日" in publicity.problem.text()
    before = audits(store)
    publicity.reject()
    with store.session() as session:
        assert session.execute(select(RecruitCase.publicity_start, RecruitCase.publicity_end)).one() == (
            D(2024, 11, 4), D(2024, 11, 8))
    assert audits(store) == before
    # Switching the step shows that step's own fields; OK with nothing changed is refused in the dialog.
    same = tab.edit_dialog(step=Step.PRE_REVIEW)
    same.step_box.setCurrentIndex(same.step_box.findData(Step.CONTACTS))
    assert same.people[0].isVisibleTo(same) and [b.currentText() for b in same.people] == ["王建国", "李秀英"]
    same.accept()
    assert same.result() != QDialog.Accepted and "没有改动任何内容" in same.problem.text()
