"""组织关系: the year's transfers of members' 组织关系. A letter out (开介绍信…) keeps the member on the list
until its 回执 is filed (登记回执…); a letter past its validity with no 回执 is marked red. 转入… registers a
member received from another branch, new here or back after transferring out. 打印介绍信… prints the
selected letter's three parts (存根, 正文, 回执); 导出登记簿… the year's register.

Reads through ``services.transfers``; every write is one operation through the runner, made only on a
dialog's OK, announcing MEMBERS (a 回执 or a 转入 changes the member list).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.domain import transfers as rules
from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.vocabulary import Gender, Standing
from partybuild_desktop.services import exports
from partybuild_desktop.services import members as member_service
from partybuild_desktop.services import transfers as service
from partybuild_desktop.services.changes import Change
from partybuild_desktop.services.organisation import list_party_groups
from partybuild_desktop.ui.checked import CheckedFormDialog, NumberSettingDialog, run_checked
from partybuild_desktop.ui.export_flow import export_report
from partybuild_desktop.ui.operations import WatchesChanges
from partybuild_desktop.ui.widgets import RowsTable, button_row, date_edit, show_year, tell_warnings, year_combo

NO_DATE = QDate(1900, 1, 1)


def _month(month) -> str:
    return f"{month[0]}年{month[1]}月" if month else ""


class TransfersTab(WatchesChanges, QWidget):
    watches = Change.MEMBERS | Change.VILLAGE | Change.SETTINGS

    COLUMNS = ("类别", "姓名", "转往或转自的党组织", "介绍信编号", "日期", "有效期至", "党费交至", "回执收到", "状态")

    def __init__(self, context, dialogs, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.context, self.dialogs = context, dialogs
        self.today = today or dt.date.today()
        self.last_dialog = None
        self.year = year_combo(self.today, "transferYear")
        self.year.currentIndexChanged.connect(lambda _: self.refresh())
        self.summary = QLabel()
        self.summary.setObjectName("transferSummary")
        self.summary.setWordWrap(True)
        self.table = RowsTable(self.COLUMNS, "transferTable", stretch=2)
        self.table.itemSelectionChanged.connect(self._enable)
        self.table.itemDoubleClicked.connect(lambda _: self.ask_receipt())
        self.out_button = QPushButton("开介绍信（转出）…")
        self.out_button.setObjectName("transferOut")
        self.receipt_button = QPushButton("登记回执…")
        self.receipt_button.setObjectName("transferReceipt")
        self.in_button = QPushButton("转入…")
        self.in_button.setObjectName("transferIn")
        self.cancel_button = QPushButton("撤销介绍信")
        self.cancel_button.setObjectName("transferCancel")
        self.letter_button = QPushButton("打印介绍信…")
        self.letter_button.setObjectName("transferLetter")
        self.export_button = QPushButton("导出登记簿…")
        self.export_button.setObjectName("transferExport")
        self.days_button = QPushButton("介绍信有效期…")
        self.days_button.setObjectName("transferDays")
        for button, slot in ((self.out_button, self.ask_out), (self.receipt_button, self.ask_receipt),
                             (self.in_button, self.ask_in), (self.cancel_button, self.ask_cancel),
                             (self.letter_button, self.print_letter), (self.export_button, self.export_register),
                             (self.days_button, self.ask_days)):
            button.clicked.connect(slot)
        top = QHBoxLayout()
        top.addWidget(QLabel("年度"))
        top.addWidget(self.year)
        top.addWidget(self.summary, 1)
        note = QLabel("转出的党员在收到回执之前仍由本支部管理，仍在党员名册中；收到回执后登记，党员即从名册中转出。"
                      "红色：介绍信已过有效期，还没有收到回执。")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(button_row(self.out_button, self.receipt_button, self.cancel_button, self.in_button,
                                    self.letter_button, self.export_button, self.days_button))
        layout.addWidget(note)
        self.refresh()
        self.watch(context.operations)

    @property
    def village_id(self) -> int:
        return self.context.village().id

    def refresh(self) -> None:
        year = self.year.currentData()
        with self.context.store.session() as session:
            rows = service.list_transfers(session, self.village_id, year, self.today)
            days = service.valid_days(session)
        self.table.fill(rows, lambda r: (
            rules.DIRECTION_LABELS[r.direction], r.name, r.organisation, r.letter_no or "", r.date.isoformat(),
            r.expires_on.isoformat() if r.expires_on else "", _month(r.dues_paid_to),
            r.receipt_on.isoformat() if r.receipt_on else "", r.state), highlight=lambda r: r.receipt_missing)
        out = [r for r in rows if r.direction == rules.OUT]
        waiting = sum(1 for r in out if r.receipt_on is None)
        missing = sum(1 for r in out if r.receipt_missing)
        self.summary.setText(f"{year}年转出 {len(out)} 名（待回执 {waiting}，其中逾期 {missing}），"
                             f"转入 {len(rows) - len(out)} 名。介绍信有效期 {days} 天。")
        self._enable()

    def selected(self) -> service.TransferRow | None:
        return self.table.current()

    def _enable(self) -> None:
        row = self.selected()
        waiting = row is not None and row.direction == rules.OUT and row.receipt_on is None
        self.receipt_button.setEnabled(waiting)
        self.cancel_button.setEnabled(waiting)
        self.letter_button.setEnabled(row is not None and row.direction == rules.OUT)

    def select(self, transfer_id: int) -> None:
        self.table.select_id(transfer_id)

    # --- actions --------------------------------------------------------------------------------
    def ask_out(self) -> None:
        with self.context.store.session() as session:
            people = service.transferable_members(session, self.village_id)
            days = service.valid_days(session)
            number = service.suggested_letter_no(session, self.village_id, self.today.year)
        if not people:
            self.dialogs.info("开介绍信", "没有可以转出的在册党员。")
            return
        self.last_dialog = TransferOutDialog(self.context, self.village_id, self.today, people, days, number, self)
        if self.last_dialog.exec():
            show_year(self.year, self.last_dialog.saved.date.year)
            self.select(self.last_dialog.saved.id)

    def ask_receipt(self) -> None:
        row = self.selected()
        if row is None or row.direction != rules.OUT or row.receipt_on is not None:
            self.dialogs.info("登记回执", "请先选中一条还在等回执的转出记录。")
            return
        self.last_dialog = ReceiptDialog(self.context, self.village_id, self.today, row, self)
        if self.last_dialog.exec():
            tell_warnings(self.dialogs, "登记回执", self.last_dialog.saved.warnings)
            self.select(row.id)

    def ask_in(self) -> None:
        with self.context.store.session() as session:
            returning = service.returnable_members(session, self.village_id)
            groups = [(g.name, g.id) for g in list_party_groups(session, self.village_id)]
        self.last_dialog = TransferInDialog(self.context, self.village_id, self.today, returning, groups, self)
        if self.last_dialog.exec():
            show_year(self.year, self.last_dialog.saved.row.date.year)
            self.select(self.last_dialog.saved.row.id)

    def ask_cancel(self) -> None:
        row = self.selected()
        if row is None or row.direction != rules.OUT or row.receipt_on is not None:
            self.dialogs.info("撤销介绍信", "请先选中一条还在等回执的转出记录。")
            return
        if not self.dialogs.confirm("撤销介绍信", f"撤销{row.name}的介绍信第 {row.letter_no} 号（转往{row.organisation}）？"
                                                  f"\n介绍信作废，{row.name}仍在册。"):
            return
        village_id = self.village_id
        self.context.operations.run(f"撤销组织关系介绍信（{row.name}）",
                                    lambda s: service.cancel_transfer(s, village_id, row.id), Change.MEMBERS,
                                    dialogs=self.dialogs, initiator=self)

    def print_letter(self) -> None:
        row = self.selected()
        if row is None or row.direction != rules.OUT:
            self.dialogs.info("打印介绍信", "请先选中一条转出记录。")
            return
        with self.context.store.session() as session:
            try:
                options = exports.transfer_letter_options(session, self.village_id, str(row.member_id), today=self.today)
            except Refusal as error:
                self.dialogs.error("打印介绍信", str(error))
                return
        export_report(self, self.context, self.dialogs, exports.find("transfer-letter"), options)

    def export_register(self) -> None:
        export_report(self, self.context, self.dialogs, exports.find("transfers"),
                      exports.ExportOptions(year=self.year.currentData(), today=self.today))

    def ask_days(self) -> None:
        with self.context.store.session() as session:
            days = service.valid_days(session)
        self.last_dialog = ValidDaysDialog(self.context, days, self)
        self.last_dialog.exec()


# ---------------------------------------------------------------------------------------- dialogs


class _Dialog(CheckedFormDialog):
    def __init__(self, title: str, context, parent=None):
        super().__init__(title, context, parent, width=520)


def _date(today: dt.date, name: str):
    edit = date_edit(today)
    edit.setObjectName(name)
    edit.setMaximumDate(QDate(today))
    return edit


class TransferOutDialog(_Dialog):
    """开介绍信: the member, where to, the letter's date, number and validity, dues paid to."""

    def __init__(self, context, village_id: int, today: dt.date, people, days: int, number: str, parent=None):
        super().__init__("开出组织关系介绍信（转出）", context, parent)
        self.village_id, self.today = village_id, today
        self.member = QComboBox()
        self.member.setObjectName("outMember")
        self.member.setEditable(True)
        for member_id, name in people:
            self.member.addItem(name, member_id)
        self.organisation = QLineEdit()
        self.organisation.setObjectName("outOrganisation")
        self.organisation.setPlaceholderText("转往的党组织全称，如：中共某某县某某镇某某村支部委员会")
        self.date = _date(today, "outDate")
        self.letter = QLineEdit()
        self.letter.setObjectName("outLetter")
        self.letter.setPlaceholderText(f"不填时自动编号：{number}")
        self.days = QSpinBox()
        self.days.setObjectName("outDays")
        self.days.setRange(1, rules.MAX_VALID_DAYS)
        self.days.setValue(days)
        self.days.setSuffix(" 天")
        self.dues = QLineEdit()
        self.dues.setObjectName("outDues")
        self.dues.setPlaceholderText("如 2026-10；不填时按党费登记")
        self.note = QLineEdit()
        self.note.setObjectName("outNote")
        self.form.addRow(QLabel("开出介绍信后，党员仍在册，由本支部管理；收到接收党组织寄回的回执后再登记回执。"))
        for label, widget in (("党员", self.member), ("转往的党组织", self.organisation), ("开出日期", self.date),
                              ("介绍信编号", self.letter), ("有效期", self.days), ("党费交至", self.dues),
                              ("说明", self.note)):
            self.form.addRow(label, widget)
        self.finish()

    def check(self) -> bool | None:
        index = self.member.findText(self.member.currentText().strip())
        if index < 0:
            raise Refusal("请从列表中选择要转出的党员。")
        dues = None
        if self.dues.text().strip():
            try:
                dues = rules.parse_month(self.dues.text())
            except ValueError as error:
                raise Refusal(f"党费交至：{error}。") from None
        form = service.OutForm(self.member.itemData(index), self.organisation.text(), self.date.date().toPython(),
                               self.letter.text() or None, self.days.value(), dues, self.note.text() or None)
        village_id, today = self.village_id, self.today
        self.saved = run_checked(self, f"开出组织关系介绍信（{self.member.itemText(index)}）",
                                 lambda s: service.transfer_out(s, village_id, form, today), Change.MEMBERS)
        return None


class ReceiptDialog(_Dialog):
    """登记回执: the day the 回执 came back; the member then leaves the list."""

    def __init__(self, context, village_id: int, today: dt.date, row: service.TransferRow, parent=None):
        super().__init__(f"登记回执：{row.name}", context, parent)
        self.village_id, self.today, self.row = village_id, today, row
        self.date = _date(today, "receiptDate")
        self.date.setMinimumDate(QDate(row.date))
        expires = f"，有效期至{format_cn(row.expires_on)}" if row.expires_on else ""
        self.form.addRow(QLabel(f"介绍信第 {row.letter_no} 号：{format_cn(row.date)}开出，转往{row.organisation}{expires}。\n"
                                f"登记回执后，{row.name}从党员名册中转出（状态记录中记为“组织关系转出”）。"))
        self.form.addRow("回执收到日期", self.date)
        self.finish()

    def check(self) -> bool | None:
        village_id, today, row, day = self.village_id, self.today, self.row, self.date.date().toPython()
        self.saved = run_checked(self, f"登记介绍信回执（{row.name}）",
                                 lambda s: service.record_receipt(s, village_id, row.id, day, today), Change.MEMBERS)
        return None


class TransferInDialog(_Dialog):
    """转入: a member new to the branch (their main details; the rest later in 党员), or one who had
    transferred out and comes back; the letter's sender, number and the date."""

    def __init__(self, context, village_id: int, today: dt.date, returning, groups, parent=None):
        super().__init__("登记组织关系转入", context, parent)
        self.village_id, self.today = village_id, today
        self.new = QRadioButton("新转入的党员")
        self.new.setObjectName("inNew")
        self.back = QRadioButton("曾从本支部转出的党员")
        self.back.setObjectName("inBack")
        self.back.setEnabled(bool(returning))
        kinds = QButtonGroup(self)
        kinds.addButton(self.new)
        kinds.addButton(self.back)
        self.new.setChecked(True)
        self.returning = QComboBox()
        self.returning.setObjectName("inReturning")
        for member_id, name in returning:
            self.returning.addItem(name, member_id)
        self.name = QLineEdit()
        self.name.setObjectName("inName")
        self.id_number = QLineEdit()
        self.id_number.setObjectName("inIdNumber")
        self.id_number.setPlaceholderText("18 位；填了可不填性别")
        self.gender = QComboBox()
        self.gender.setObjectName("inGender")
        self.gender.addItem("", None)
        for gender in Gender:
            self.gender.addItem(gender.label, gender)
        self.ethnicity = QLineEdit()
        self.ethnicity.setObjectName("inEthnicity")
        self.ethnicity.setPlaceholderText("如 汉族、回族；不知道可不填")
        self.joined = date_edit(NO_DATE.toPython())
        self.joined.setObjectName("inJoined")
        self.joined.setMinimumDate(NO_DATE)
        self.joined.setSpecialValueText("未填")
        self.joined.setMaximumDate(QDate(today))
        self.probationary = QCheckBox("预备党员")
        self.probationary.setObjectName("inProbationary")
        self.group = QComboBox()
        self.group.setObjectName("inGroup")
        self.group.addItem("（暂不编入）", None)
        for name, group_id in groups:
            self.group.addItem(name, group_id)
        self.phone = QLineEdit()
        self.phone.setObjectName("inPhone")
        self.organisation = QLineEdit()
        self.organisation.setObjectName("inOrganisation")
        self.organisation.setPlaceholderText("开出介绍信的党组织全称")
        self.letter = QLineEdit()
        self.letter.setObjectName("inLetter")
        self.date = _date(today, "inDate")
        self.note = QLineEdit()
        self.note.setObjectName("inNote")
        kind_row = QWidget()
        row = QHBoxLayout(kind_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.new)
        row.addWidget(self.back)
        row.addWidget(self.returning, 1)
        self.form.addRow("转入的是", kind_row)
        self.new_fields = (self.name, self.id_number, self.gender, self.ethnicity, self.joined, self.probationary,
                           self.group, self.phone)
        for label, widget in (("姓名", self.name), ("身份证号", self.id_number), ("性别", self.gender),
                              ("民族", self.ethnicity),
                              ("入党日期", self.joined), ("人员类别", self.probationary), ("编入党小组", self.group),
                              ("手机", self.phone), ("转自的党组织", self.organisation), ("介绍信编号", self.letter),
                              ("转入日期", self.date), ("说明", self.note)):
            self.form.addRow(label, widget)
        self.form.addRow(QLabel("新转入的党员保存后出现在党员名册中，其他信息请到“党员”页补全。"))
        self.new.toggled.connect(self._kind_changed)
        self._kind_changed()
        self.finish()

    def _kind_changed(self) -> None:
        new = self.new.isChecked()
        self.returning.setEnabled(not new)
        for widget in self.new_fields:
            self.form.setRowVisible(widget, new)

    def check(self) -> bool | None:
        organisation, letter, day = self.organisation.text(), self.letter.text(), self.date.date().toPython()
        note = self.note.text() or None
        if self.new.isChecked():
            joined = self.joined.date()
            card = member_service.MemberForm(
                name=self.name.text(), gender=self.gender.currentData(), id_number=self.id_number.text().strip() or None,
                ethnicity=self.ethnicity.text().strip() or None,
                joined_date=None if joined == NO_DATE else joined.toPython(),
                standing=Standing.PROBATIONARY if self.probationary.isChecked() else Standing.FULL,
                party_group_id=self.group.currentData(), mobile=self.phone.text().strip() or None)
            form = service.InForm(organisation, day, letter, member=card, note=note)
            who = card.name.strip() or "未填姓名"
        else:
            if self.returning.currentData() is None:
                raise Refusal("请选择转回来的党员。")
            form = service.InForm(organisation, day, letter, member_id=self.returning.currentData(), note=note)
            who = self.returning.currentText()
        village_id, today = self.village_id, self.today
        self.saved = run_checked(self, f"登记组织关系转入（{who}）",
                                 lambda s: service.transfer_in(s, village_id, form, today), Change.MEMBERS)
        return None


class ValidDaysDialog(NumberSettingDialog):
    """介绍信有效期…: how many days an outgoing letter is valid (本村设置, 90 unless set)."""

    def __init__(self, context, days: int, parent=None):
        super().__init__(context, "介绍信有效期", "新开出的介绍信按这个天数计算有效期（从开出的次日算起）；已开出的介绍信不变。",
                         "有效期", days, (1, rules.MAX_VALID_DAYS), " 天", "validDays", "设置介绍信有效期",
                         service.set_valid_days, parent, width=520)
