"""党建经费 tab: the ledger and the totals per project as the service computes them, over-budget and
unbudgeted rows marked; add/edit/delete each one operation that writes only on OK and keeps the input on
a refusal; attachments added through the scripted file dialog, opened and removed; the minimum setting;
打印公示… through the catalogue; the window's tab and its open_target."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from partybuild_desktop.services import funds as funds_service
from partybuild_desktop.services.funds import FundsForm
from partybuild_desktop.store.models import AuditEntry, FundsAttachment, FundsEntry
from partybuild_desktop.ui.funds_tab import OVER_BUDGET, UNBUDGETED, FundsTab
from partybuild_desktop.ui.widgets import TOTALS
from tests.gui.conftest import ScriptedDialogs
from tests.helpers import village

TODAY = dt.date(2026, 11, 23)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def ledger(store):
    with store.session() as s:
        vid = village(s, name="东湖村")
        for form in (
                FundsForm("budget", dt.date(2026, 1, 5), 1000000, "全年党员教育", project="党员教育"),
                FundsForm("budget", dt.date(2026, 1, 5), 500000, "活动室维修", project="阵地建设"),
                FundsForm("income", dt.date(2026, 3, 1), 3000000, "县财政拨付", source="财政拨付"),
                FundsForm("expense", dt.date(2026, 4, 1), 1100000, "七一培训", project="党员教育", voucher_no="记-1",
                          approved_by="王书记", handled_by="李会计"),
                FundsForm("expense", dt.date(2026, 9, 1), 86000, "宣传横幅", project="宣传", voucher_no="记-2")):
            funds_service.add_entry(s, vid, form, TODAY)
    return store, vid


@pytest.fixture
def tab(qtbot, ledger, data_folder):
    from partybuild_desktop.ui.context import AppContext

    opened = []
    widget = FundsTab(AppContext(ledger[0], data_folder), ScriptedDialogs(), today=TODAY, open_file=opened.append)
    widget.opened = opened
    qtbot.addWidget(widget)
    widget.show()
    return widget


def count(store, model=FundsEntry) -> int:
    with store.session() as s:
        return s.scalar(select(func.count(model.id)))


def audit_titles(store) -> list[str]:
    with store.session() as s:
        return [a for (a,) in s.execute(select(AuditEntry.action).order_by(AuditEntry.id))]


def row_of(table, column, text) -> int:
    return next(r for r in range(table.rowCount()) if table.item(r, column).text() == text)


def test_the_ledger_and_the_totals_per_project(tab):
    ledger = tab.ledger
    assert [ledger.horizontalHeaderItem(c).text() for c in range(ledger.columnCount())] == [
        "日期", "类型", "项目", "摘要", "金额（元）", "凭证号", "审批人", "经办人", "附件"]
    texts = ledger.texts()
    assert [r[3] for r in texts] == ["全年党员教育", "活动室维修", "县财政拨付", "七一培训", "宣传横幅"]
    assert texts[3] == ["2026-04-01", "支出", "党员教育", "七一培训", "11000.00", "记-1", "王书记", "李会计", ""]
    assert texts[2][1:3] == ["拨付", "财政拨付"]
    unbudgeted = row_of(ledger, 3, "宣传横幅")
    assert ledger.item(unbudgeted, 0).background().color() == UNBUDGETED
    projects = tab.projects.texts()
    assert projects == [["党员教育", "10000.00", "11000.00", "-1000.00", "超出预算 1000.00 元"],
                        ["阵地建设", "5000.00", "0.00", "5000.00", ""],
                        ["宣传", "0.00", "860.00", "-860.00", "没有预算"],
                        ["合计", "15000.00", "11860.00", "3140.00", ""]]
    assert tab.projects.item(0, 0).background().color() == OVER_BUDGET
    assert tab.projects.item(2, 0).background().color() == UNBUDGETED
    assert tab.projects.item(3, 0).background().color() == TOTALS
    summary = tab.summary.text()
    assert "结余 18140.00" in summary and "低于每年 40000.00 元的标准" in summary and "1 笔支出没有预算" in summary

    tab.quarter.setCurrentIndex(3)  # 第三季度
    assert [r[3] for r in tab.ledger.texts()] == ["宣传横幅"]
    assert "本季度拨付 0.00，支出 860.00" in tab.summary.text()
    tab.year.setCurrentIndex(tab.year.findData(2025))
    assert tab.ledger.rowCount() == 0 and not tab.edit_button.isEnabled()


def test_adding_writes_once_on_ok_and_a_refusal_keeps_what_was_typed(qtbot, tab, ledger):
    store = ledger[0]
    before, audits = count(store), len(audit_titles(store))
    dialog = tab.add_dialog("expense")
    qtbot.addWidget(dialog)
    assert not dialog.form_layout.isRowVisible(dialog.source) and dialog.form_layout.isRowVisible(dialog.project)
    dialog.amount.setText("0")
    dialog.item.setText("购买学习资料")
    dialog.project.setEditText("党员 教育")
    dialog.voucher.setText("记-3")
    dialog.accept()
    assert dialog.result() == 0  # still open
    assert "金额应大于 0" in "".join(t for _kind, _title, t in tab.dialogs.told)
    assert (dialog.amount.text(), dialog.item.text(), dialog.project.currentText()) == ("0", "购买学习资料", "党员 教育")
    assert count(store) == before and len(audit_titles(store)) == audits
    dialog.amount.setText("十块")
    dialog.accept()
    assert dialog.result() == 0 and "不是金额" in dialog.problem.text() and count(store) == before
    dialog.amount.setText("120.5")
    dialog.accept()
    assert dialog.result() == 1
    assert count(store) == before + 1
    assert audit_titles(store)[-1] == "登记支出" and len(audit_titles(store)) == audits + 1
    with store.session() as s:
        entry = s.scalars(select(FundsEntry).order_by(FundsEntry.id.desc())).first()
        assert (entry.kind, entry.amount_fen, entry.project, entry.voucher_no) == ("expense", 12050, "党员教育", "记-3")
    assert "购买学习资料" in [r[3] for r in tab.ledger.texts()]  # the tab refreshed on the change
    assert tab.last_saved.warnings[0].code == funds_service.OVER_BUDGET

    cancelled = tab.add_dialog("income")
    qtbot.addWidget(cancelled)
    assert cancelled.form_layout.isRowVisible(cancelled.source) and not cancelled.form_layout.isRowVisible(cancelled.project)
    cancelled.amount.setText("5000")
    cancelled.item.setText("党费返还")
    cancelled.reject()
    assert count(store) == before + 1


def test_editing_and_deleting_are_one_operation_each(qtbot, tab, ledger):
    store = ledger[0]
    row = row_of(tab.ledger, 3, "宣传横幅")
    tab.ledger.selectRow(row)
    dialog = tab.edit_dialog(tab.selected_entry())
    qtbot.addWidget(dialog)
    assert (dialog.amount.text(), dialog.project.currentText(), dialog.voucher.text()) == ("860.00", "宣传", "记-2")
    dialog.project.setEditText("阵地建设")
    dialog.accept()
    assert dialog.result() == 1
    assert tab.projects.texts()[-1][0] == "合计" and "没有预算" not in [r[4] for r in tab.projects.texts()]
    assert "1 笔支出没有预算" not in tab.summary.text()
    assert audit_titles(store)[-1] == "修改经费记录"
    before = count(store)
    tab.ledger.selectRow(row_of(tab.ledger, 3, "宣传横幅"))
    tab.dialogs.answer = False
    tab.ask_delete()
    assert count(store) == before
    tab.dialogs.answer = True
    tab.ask_delete()
    assert count(store) == before - 1 and audit_titles(store)[-1] == "删除经费记录"
    assert "宣传横幅" not in [r[3] for r in tab.ledger.texts()]


def test_attachments_add_open_and_remove(tab, ledger, tmp_path):
    store = ledger[0]
    scan = tmp_path / "发票.png"
    scan.write_bytes(PNG)
    note = tmp_path / "说明.txt"
    note.write_text("不是扫描件")
    tab.ledger.selectRow(row_of(tab.ledger, 3, "七一培训"))
    tab.dialogs.open_ = note
    tab.add_attachment()
    assert count(store, FundsAttachment) == 0 and "不是 JPG" in tab.dialogs.told[-1][2]
    tab.dialogs.open_ = scan
    tab.add_attachment()
    assert count(store, FundsAttachment) == 1 and audit_titles(store)[-1] == "添加凭证附件"
    assert tab.ledger.texts()[tab.ledger.currentRow()][8] == "1"
    assert tab.attachments.count() == 1 and tab.attachments.item(0).text().startswith("发票.png")
    tab.open_attachment()
    assert len(tab.opened) == 1 and tab.opened[0].read_bytes() == PNG and tab.opened[0].name == "发票.png"
    tab.remove_attachment()
    assert count(store, FundsAttachment) == 0 and tab.attachments.count() == 0
    assert audit_titles(store)[-1] == "删除凭证附件"


def test_the_minimum_setting(qtbot, tab, ledger):
    store = ledger[0]
    dialog = tab.minimum_dialog()
    qtbot.addWidget(dialog)
    assert dialog.amount.text() == "40000.00"
    dialog.amount.setText("三万")
    dialog.accept()
    assert dialog.result() == 0 and "不是金额" in dialog.problem.text()
    assert "设置经费标准" not in audit_titles(store)
    dialog.amount.setText("20000")
    dialog.accept()
    assert dialog.result() == 1 and audit_titles(store)[-1] == "设置经费标准"
    with store.session() as s:
        assert funds_service.funds_minimum(s) == 2_000_000
    assert "低于" not in tab.summary.text()  # the tab refreshed on the setting


def test_print_notice_goes_through_the_catalogue(qtbot, tab):
    tab.quarter.setCurrentIndex(2)
    tab.print_notice()
    qtbot.waitUntil(lambda: tab.last_preview is not None, timeout=20000)
    from pathlib import Path

    from tests.helpers import pdf_text

    preview = tab.last_preview
    assert preview.windowTitle() == "打印预览 — 党建经费使用情况公示"
    assert preview.file_name == "东湖村党建经费使用情况公示2026年第二季度.pdf"
    path = Path(preview.pdf)
    assert "2026年第二季度党建经费使用情况公示" in pdf_text(path) and "七一培训" in pdf_text(path)
    preview.close()


def test_the_window_has_the_tab_and_opens_it(qtbot, ledger, data_folder):
    from partybuild_desktop.ui.context import AppContext
    from partybuild_desktop.ui.main_window import MainWindow

    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)
    window.show()
    window.attach(AppContext(ledger[0], data_folder))
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles.index("党建经费") == titles.index("党费") + 1 and titles.index("党费") > titles.index("组织生活")
    window.open_target("funds")
    assert window.tabs.tabText(window.tabs.currentIndex()) == "党建经费"
    assert isinstance(window.funds_tab, FundsTab)
    window.context.store.dispose()
