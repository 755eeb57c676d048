"""后备干部: the year's roster of reserve cadres (people who need not be members), the count against the
township's target, and 续备 (the roster carried into the next year, then changed there).

Reads through ``services.reserve_cadres``; every write is one operation through the runner, made only on
a dialog's OK.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.domain import reserve_cadres as rules
from partybuild_desktop.domain.vocabulary import Education, Gender
from partybuild_desktop.services import exports
from partybuild_desktop.services import reserve_cadres as service
from partybuild_desktop.services.changes import Change
from partybuild_desktop.ui.checked import CheckedFormDialog, NumberSettingDialog, run_checked
from partybuild_desktop.ui.export_flow import export_report
from partybuild_desktop.ui.operations import WatchesChanges
from partybuild_desktop.ui.widgets import RowsTable, button_row, show_year

CHANGES = Change.VILLAGE


class ReserveCadresTab(WatchesChanges, QWidget):
    watches = Change.VILLAGE | Change.MEMBERS | Change.SETTINGS

    COLUMNS = ("姓名", "性别", "出生年份", "年龄", "学历", "联系电话", "来源", "特长", "培养联系人", "新选/续备", "备注")

    def __init__(self, context, dialogs, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.context, self.dialogs = context, dialogs
        self.today = today or dt.date.today()
        self.last_dialog = None
        self.year = QComboBox()
        self.year.setObjectName("reserveYear")
        self.year.currentIndexChanged.connect(lambda _: self.refresh())
        self.summary = QLabel()
        self.summary.setObjectName("reserveSummary")
        self.table = RowsTable(self.COLUMNS, "reserveTable", stretch=7)
        self.table.itemDoubleClicked.connect(lambda _: self.ask_edit())
        self.add_button = QPushButton("登记后备干部…")
        self.add_button.setObjectName("reserveAdd")
        self.edit_button = QPushButton("修改…")
        self.edit_button.setObjectName("reserveEdit")
        self.remove_button = QPushButton("移出名单")
        self.remove_button.setObjectName("reserveRemove")
        self.renew_button = QPushButton("续备到下一年")
        self.renew_button.setObjectName("reserveRenew")
        self.export_button = QPushButton("导出名册…")
        self.export_button.setObjectName("reserveExport")
        self.target_button = QPushButton("目标人数…")
        self.target_button.setObjectName("reserveTarget")
        for button, slot in ((self.add_button, self.ask_add), (self.edit_button, self.ask_edit),
                             (self.remove_button, self.ask_remove), (self.renew_button, self.ask_renew),
                             (self.export_button, self.export_roster), (self.target_button, self.ask_target)):
            button.clicked.connect(slot)
        top = QHBoxLayout()
        top.addWidget(QLabel("年度"))
        top.addWidget(self.year)
        top.addWidget(self.summary, 1)
        note = QLabel("后备干部不必是党员，不进入党员名册和统计。每年续备：按“续备到…年”把本年名单带到下一年，"
                      "再在下一年的名单中增减。")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(button_row(self.add_button, self.edit_button, self.remove_button, self.renew_button,
                                    self.export_button, self.target_button))
        layout.addWidget(note)
        self._fill_years()
        self.refresh()
        self.watch(context.operations)

    @property
    def village_id(self) -> int:
        return self.context.village().id

    def _fill_years(self, wanted: int | None = None) -> None:
        with self.context.store.session() as session:
            kept = service.years(session, self.village_id)
        current = wanted or self.year.currentData() or self.today.year
        choices = sorted(set(kept) | {self.today.year, self.today.year + 1}, reverse=True)
        self.year.blockSignals(True)
        self.year.clear()
        for year in choices:
            self.year.addItem(f"{year}年", year)
        self.year.setCurrentIndex(max(self.year.findData(current), 0))
        self.year.blockSignals(False)

    def refresh(self) -> None:
        self._fill_years()
        year = self.year.currentData()
        with self.context.store.session() as session:
            rows = service.roster(session, self.village_id, year)
            standing = service.standing(session, self.village_id, year)
        self.table.fill(rows, lambda r: (
            r.name, r.gender.label if r.gender else "", r.birth_year or "", r.age if r.age is not None else "",
            r.education.label if r.education else "", r.phone or "", r.source or "", r.strengths or "", r.trainer,
            "续备" if r.carried else "新选", r.notes or ""))
        self.summary.setText(standing.text)
        self.summary.setStyleSheet("color: #b00000;" if standing.short else "")
        self.renew_button.setText(f"续备到{year + 1}年")
        self.renew_button.setEnabled(bool(rows) and year + 1 <= self.today.year + 1)

    def selected(self) -> service.CadreRow | None:
        return self.table.current()

    # --- actions --------------------------------------------------------------------------------
    def _dialog(self, row: service.CadreRow | None) -> "CadreDialog":
        with self.context.store.session() as session:
            trainers = service.trainers(session, self.village_id)
        self.last_dialog = CadreDialog(self.context, self.village_id, self.year.currentData(), self.today, trainers,
                                       row, self)
        return self.last_dialog

    def ask_add(self) -> None:
        if self._dialog(None).exec():
            self.table.select_id(self.last_dialog.saved)

    def ask_edit(self) -> None:
        row = self.selected()
        if row is None:
            self.dialogs.info("修改后备干部", "请先在名单中选中一人。")
            return
        if self._dialog(row).exec():
            self.table.select_id(row.id)

    def ask_remove(self) -> None:
        row = self.selected()
        if row is None:
            self.dialogs.info("移出名单", "请先在名单中选中一人。")
            return
        if not self.dialogs.confirm("移出名单", f"把{row.name}移出{row.year}年的后备干部名单？以前年度的名单不变。"):
            return
        village_id = self.village_id
        self.context.operations.run(f"移出后备干部（{row.name}）", lambda s: service.remove(s, village_id, row.id),
                                    CHANGES, dialogs=self.dialogs, initiator=self)

    def ask_renew(self) -> None:
        year = self.year.currentData()
        if not self.dialogs.confirm("续备", f"把{year}年的后备干部名单续备到{year + 1}年？"
                                           f"已在{year + 1}年名单中的人不会重复。"):
            return
        village_id, today = self.village_id, self.today
        outcome = self.context.operations.run(f"后备干部续备（{year}年到{year + 1}年）",
                                              lambda s: service.renew(s, village_id, year, today), CHANGES,
                                              dialogs=self.dialogs, initiator=self)
        if outcome.ok:
            done = outcome.value
            self._fill_years(done.year)
            show_year(self.year, done.year)
            self.refresh()
            already = f"，{done.already} 人已在{done.year}年名单中" if done.already else ""
            self.dialogs.info("续备", f"已把 {done.carried} 人续备到{done.year}年{already}。")

    def export_roster(self) -> None:
        export_report(self, self.context, self.dialogs, exports.find("reserve-cadres"),
                      exports.ExportOptions(year=self.year.currentData(), today=self.today))

    def ask_target(self) -> None:
        with self.context.store.session() as session:
            target = service.target(session)
        self.last_dialog = TargetDialog(self.context, target, self)
        self.last_dialog.exec()


class _Dialog(CheckedFormDialog):
    def __init__(self, title: str, context, parent=None):
        super().__init__(title, context, parent, width=480)


class CadreDialog(_Dialog):
    """One reserve cadre of a year: new, or changed."""

    def __init__(self, context, village_id: int, year: int, today: dt.date, trainers, row=None, parent=None):
        super().__init__(f"{'修改' if row else '登记'}{year}年后备干部", context, parent)
        self.village_id, self.year, self.today, self.row = village_id, year, today, row
        form = row.form() if row else service.CadreForm()
        self.name = QLineEdit(form.name)
        self.name.setObjectName("cadreName")
        self.gender = QComboBox()
        self.gender.setObjectName("cadreGender")
        self.gender.addItem("", None)
        for gender in Gender:
            self.gender.addItem(gender.label, gender)
        self.gender.setCurrentIndex(max(self.gender.findData(form.gender), 0))
        self.birth_year = QSpinBox()
        self.birth_year.setObjectName("cadreBirthYear")
        self.birth_year.setRange(rules.OLDEST_BIRTH_YEAR - 1, year - rules.YOUNGEST_AGE)
        self.birth_year.setSpecialValueText("未填")
        self.birth_year.setValue(form.birth_year or self.birth_year.minimum())
        self.education = QComboBox()
        self.education.setObjectName("cadreEducation")
        self.education.addItem("", None)
        for education in Education:
            self.education.addItem(education.label, education)
        self.education.setCurrentIndex(max(self.education.findData(form.education), 0))
        self.phone = QLineEdit(form.phone or "")
        self.phone.setObjectName("cadrePhone")
        self.source = QComboBox()
        self.source.setObjectName("cadreSource")
        self.source.setEditable(True)
        self.source.addItems(["", *rules.SOURCES])
        self.source.setCurrentText(form.source or "")
        self.strengths = QLineEdit(form.strengths or "")
        self.strengths.setObjectName("cadreStrengths")
        self.trainer = QComboBox()
        self.trainer.setObjectName("cadreTrainer")
        self.trainer.addItem("（暂未指定）", None)
        for member_id, name in trainers:
            self.trainer.addItem(name, member_id)
        self.trainer.setCurrentIndex(max(self.trainer.findData(form.trainer_id), 0))
        self.notes = QLineEdit(form.notes or "")
        self.notes.setObjectName("cadreNotes")
        for label, widget in (("姓名", self.name), ("性别", self.gender), ("出生年份", self.birth_year),
                              ("学历", self.education), ("联系电话", self.phone), ("来源", self.source),
                              ("特长", self.strengths), ("培养联系人", self.trainer), ("备注", self.notes)):
            self.form.addRow(label, widget)
        self.finish()

    def check(self) -> bool | None:
        birth = self.birth_year.value()
        form = service.CadreForm(
            self.name.text(), self.gender.currentData(), None if birth == self.birth_year.minimum() else birth,
            self.education.currentData(), self.phone.text(), self.source.currentText(), self.strengths.text(),
            self.trainer.currentData(), self.notes.text())
        village_id, year, today, cadre_id = self.village_id, self.year, self.today, self.row.id if self.row else None
        verb = "修改" if self.row else "登记"
        self.saved = run_checked(self, f"{verb}后备干部（{form.name.strip() or '未填姓名'}）",
                                 lambda s: service.save(s, village_id, year, form, cadre_id, today), CHANGES)
        return None


class TargetDialog(NumberSettingDialog):
    """目标人数…: how many reserve cadres the township asks of a village a year (16 unless set)."""

    def __init__(self, context, target: int, parent=None):
        super().__init__(context, "后备干部目标人数", "镇里要求每村每年的后备干部人数（默认 16 名）。", "目标人数", target,
                         (1, rules.MAX_TARGET), " 名", "reserveTargetCount", "设置后备干部目标人数", service.set_target,
                         parent)
