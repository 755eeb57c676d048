"""组织生活's 民主评议 and 学时统计 pages.

民主评议: the year's sheet from ``services.meetings.review_sheet``, graded in a table (a model with combo
editors, no widget per row) or by selecting rows and pressing a grade button; 预备党员 are listed but not
graded. The ⅓ cap on 优秀 is counted as grades are given; 保存评议结果 sends what changed in one
operation, and a refusal saves nothing.

学时统计: every member's study hours of the year against 32 (56 for the 书记 and committee members).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.domain.meetings import DISPOSALS, ReviewGrade
from partybuild_desktop.services import meetings as meeting_service
from partybuild_desktop.services.changes import Change
from partybuild_desktop.services.meetings import ReviewForm
from partybuild_desktop.ui.widgets import (
    KeyedTableView,
    NumberedTableModel,
    PickDelegate,
    RowsTable,
    make_copyable,
    tell_warnings,
    year_combo,
)

NOT_GRADED = "参加评议，不评定等次"
GRADE_KEYS = ((ReviewGrade.EXCELLENT, "1"), (ReviewGrade.QUALIFIED, "2"), (ReviewGrade.BASIC, "3"),
              (ReviewGrade.UNQUALIFIED, "4"))
GRADE_COLOURS = {ReviewGrade.EXCELLENT: QColor("#e3f1e3"), ReviewGrade.BASIC: QColor("#fff4cc"),
                 ReviewGrade.UNQUALIFIED: QColor("#fde2e2")}
MISSING = QColor("#f7b6b6")
CHANGED = QColor("#eef3fb")


# ---------------------------------------------------------------------------------------- 民主评议


class ReviewModel(NumberedTableModel):
    COLUMNS = ("姓名", "党小组", "身份", "评议等次", "处置", "备注")
    GRADE, DISPOSAL, NOTE = 3, 4, 5
    counted = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []
        self.edits: dict[int, ReviewForm] = {}

    def load(self, sheet, keep_edits: bool) -> None:
        self.beginResetModel()
        self.rows = [r for r in sheet.rows]
        listed = {r.member_id for r in self.rows if r.gradable}
        self.edits = {i: f for i, f in self.edits.items() if i in listed} if keep_edits else {}
        self.endResetModel()
        self.counted.emit()

    def form(self, row: int) -> ReviewForm:
        r = self.rows[row]
        return self.edits.get(r.member_id) or ReviewForm(r.grade, r.disposal, r.note)

    def changed(self) -> dict[int, ReviewForm]:
        """The edited rows that differ from what is saved."""
        rows = {r.member_id: r for r in self.rows}
        result = {}
        for member_id, form in self.edits.items():
            saved = rows[member_id]
            if (form.grade, form.disposal or None, form.note or None) != (saved.grade, saved.disposal, saved.note):
                result[member_id] = ReviewForm(form.grade, form.disposal or None, form.note or None)
        return result

    def _edit(self, row: int, **values) -> None:
        r = self.rows[row]
        form = self.form(row)
        grade = values.get("grade", form.grade)
        disposal = values.get("disposal", form.disposal)
        if grade is not ReviewGrade.UNQUALIFIED:
            disposal = None
        self.edits[r.member_id] = ReviewForm(grade, disposal, values.get("note", form.note))

    def set_grade(self, rows, grade: ReviewGrade | None) -> int:
        """Grade the gradable ones of ``rows``; how many were."""
        rows = sorted(r for r in set(rows) if self.rows[r].gradable)
        for row in rows:
            self._edit(row, grade=grade)
        if rows:
            self.dataChanged.emit(self.index(rows[0], 0), self.index(rows[-1], len(self.COLUMNS) - 1))
            self.counted.emit()
        return len(rows)

    def counts(self) -> dict[ReviewGrade | None, int]:
        result: dict = {grade: 0 for grade in ReviewGrade}
        result[None] = 0
        for row, r in enumerate(self.rows):
            if r.gradable:
                result[self.form(row).grade] += 1
        return result

    def missing_disposals(self) -> int:
        return sum(1 for row in range(len(self.rows))
                   if self.form(row).grade is ReviewGrade.UNQUALIFIED and not (self.form(row).disposal or "").strip())

    # --- Qt's model ---------------------------------------------------------------------------
    def line_count(self) -> int:
        return len(self.rows)

    def flags(self, index):
        r = self.rows[index.row()]
        if not r.gradable:
            return Qt.ItemIsSelectable  # listed, greyed: 预备党员 are not graded
        base = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        column = index.column()
        if column in (self.GRADE, self.NOTE):
            return base | Qt.ItemIsEditable
        if column == self.DISPOSAL and self.form(index.row()).grade is ReviewGrade.UNQUALIFIED:
            return base | Qt.ItemIsEditable
        return base

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        r, column = self.rows[index.row()], index.column()
        form = self.form(index.row())
        if role in (Qt.DisplayRole, Qt.EditRole):
            if column == 0:
                return r.name
            if column == 1:
                return r.party_group
            if column == 2:  # 流动党员 are reviewed too (三个一), where they are when recorded
                return ("正式" if r.gradable else "预备") + ("，流动党员" if r.away else "")
            if column == self.GRADE:
                if not r.gradable:
                    return NOT_GRADED if role == Qt.DisplayRole else None
                return (form.grade.label if form.grade else "") if role == Qt.DisplayRole else (
                    form.grade.value if form.grade else None)
            if column == self.DISPOSAL:
                return form.disposal or ""
            if column == self.NOTE:
                return form.note or ""
        if role == Qt.BackgroundRole and r.gradable:
            if column == self.DISPOSAL and form.grade is ReviewGrade.UNQUALIFIED and not (form.disposal or "").strip():
                return MISSING
            if column == self.GRADE:
                return GRADE_COLOURS.get(form.grade)
            if r.member_id in self.edits and column == 0:
                return CHANGED
        if role == Qt.ToolTipRole and column == 2 and r.away:
            return r.away
        if role == Qt.ToolTipRole:
            if not r.gradable:
                return "预备党员参加民主评议，但不评定等次"
            if column == self.DISPOSAL and form.grade is ReviewGrade.UNQUALIFIED:
                return "评为不合格的，要登记处置方式"
        return None

    def setData(self, index, value, role=Qt.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.EditRole or not self.rows[index.row()].gradable:
            return False
        row, column = index.row(), index.column()
        if column == self.GRADE:
            self.set_grade([row], ReviewGrade(value) if value else None)
            return True
        if column in (self.DISPOSAL, self.NOTE):
            self._edit(row, **{"disposal" if column == self.DISPOSAL else "note": (str(value or "")).strip() or None})
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
            self.counted.emit()
            return True
        return False


class GradeDelegate(PickDelegate):
    def choices(self):
        return [("", None)] + [(grade.label, grade.value) for grade in ReviewGrade]


class DisposalDelegate(QStyledItemDelegate):
    def createEditor(self, parent, option, index):  # noqa: N802
        editor = QComboBox(parent)
        editor.setEditable(True)
        editor.addItems(DISPOSALS)
        return editor

    def setEditorData(self, editor, index):  # noqa: N802
        editor.setCurrentText(index.data(Qt.EditRole) or "")

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.currentText())


class GradeView(KeyedTableView):
    """1–4 grade the selected rows (优秀, 合格, 基本合格, 不合格); Delete takes the grade back."""

    KEYS = GRADE_KEYS
    CLEARABLE = True


class ReviewPage(QWidget):
    def __init__(self, context, dialogs, today: dt.date, owner=None):
        super().__init__()
        self.context, self.dialogs, self.today, self.owner = context, dialogs, today, owner
        self.sheet = None
        self.year = year_combo(today, "reviewYear")
        self.shown_year = self.year.currentData()
        self.decided = QDateEdit()
        self.decided.setObjectName("reviewDate")
        self.decided.setCalendarPopup(True)
        self.decided.setDisplayFormat("yyyy-MM-dd")
        self.summary = QLabel()
        self.summary.setObjectName("reviewSummary")
        self.model = ReviewModel(self)
        self.view = GradeView()
        self.view.setObjectName("reviewTable")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed
                                  | QAbstractItemView.AnyKeyPressed)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.setItemDelegateForColumn(ReviewModel.GRADE, GradeDelegate(self.view))
        self.view.setItemDelegateForColumn(ReviewModel.DISPOSAL, DisposalDelegate(self.view))
        self.view.horizontalHeader().setSectionResizeMode(ReviewModel.NOTE, QHeaderView.Stretch)
        for column, width in enumerate((90, 100, 52, 150, 120)):
            self.view.setColumnWidth(column, width)
        make_copyable(self.view)
        self.view.picked.connect(self.grade_selected)
        self.model.counted.connect(self.update_summary)

        self.grade_buttons = {}
        row = QHBoxLayout()
        row.addWidget(QLabel("选中的评为："))
        for grade, key in GRADE_KEYS:
            button = QPushButton(f"{grade.label} ({key})")
            button.setObjectName(f"grade_{grade.value}")
            button.clicked.connect(lambda _=False, g=grade: self.grade_selected(g))
            self.grade_buttons[grade] = button
            row.addWidget(button)
        clear = QPushButton("清除等次")
        clear.clicked.connect(lambda: self.grade_selected(None))
        row.addWidget(clear)
        row.addStretch()
        self.save_button = QPushButton("保存评议结果")
        self.save_button.setObjectName("saveReviews")
        self.save_button.clicked.connect(self.save)
        self.undo_button = QPushButton("放弃改动")
        self.undo_button.clicked.connect(self.discard)
        row.addWidget(self.undo_button)
        row.addWidget(self.save_button)

        top = QHBoxLayout()
        for widget in (QLabel("年度"), self.year, QLabel("评定日期"), self.decided):
            top.addWidget(widget)
        top.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        note = QLabel("优秀不超过正式党员的三分之一；预备党员参加评议，不评定等次；评为不合格的要登记处置方式。"
                      "选中多行（Ctrl、Shift）后按 1–4 或上面的按钮评定，Delete 清除。")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.year.currentIndexChanged.connect(self._year_changed)

    @property
    def village_id(self) -> int:
        return self.context.village().id

    def _set_date_range(self, year: int) -> None:
        last = min(self.today, dt.date(year, 12, 31))
        self.decided.setDateRange(QDate(year, 1, 1), QDate(last))
        self.decided.setDate(QDate(last))

    def _year_changed(self) -> None:
        if self.model.changed() and not self.dialogs.confirm(
                "民主评议", f"{self.shown_year}年的评议结果还没有保存，放弃这些改动？"):
            self.year.blockSignals(True)
            self.year.setCurrentIndex(self.year.findData(self.shown_year))
            self.year.blockSignals(False)
            return
        self.refresh(keep_edits=False)

    def refresh(self, keep_edits: bool = True) -> None:
        """Read the year's sheet; edits not yet saved stay on the rows still listed."""
        year = self.year.currentData()
        keep = keep_edits and year == self.shown_year
        with self.context.store.session() as session:
            self.sheet = meeting_service.review_sheet(session, self.village_id, year)
        if year != self.shown_year or self.decided.minimumDate().year() != year:
            self._set_date_range(year)
        self.shown_year = year
        self.model.load(self.sheet, keep)

    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.view.selectionModel().selectedRows()})

    def grade_selected(self, grade: ReviewGrade | None) -> None:
        rows = self.selected_rows()
        if not rows and self.view.currentIndex().isValid():
            rows = [self.view.currentIndex().row()]
        if rows and not self.model.set_grade(rows, grade):
            self.dialogs.info("民主评议", "选中的都是预备党员：预备党员参加民主评议，但不评定等次。")
            return
        if grade is ReviewGrade.UNQUALIFIED and len(rows) == 1:
            index = self.model.index(rows[0], ReviewModel.DISPOSAL)
            self.view.setCurrentIndex(index)
            self.view.edit(index)

    def update_summary(self) -> None:
        if self.sheet is None:
            return
        counts = self.model.counts()
        excellent, cap = counts[ReviewGrade.EXCELLENT], self.sheet.cap
        over = excellent > cap
        parts = [f"优秀 {excellent} 人 / 最多 {cap} 人（正式党员 {self.sheet.full_members} 人的三分之一）"]
        parts.append("，".join(f"{g.label} {counts[g]} 人" for g in ReviewGrade if g is not ReviewGrade.EXCELLENT))
        parts.append(f"未评 {counts[None]} 人")
        missing = self.model.missing_disposals()
        if missing:
            parts.append(f"{missing} 名不合格的没有登记处置")
        changed = len(self.model.changed())
        if changed:
            parts.append(f"有 {changed} 人的改动未保存")
        self.summary.setText("；".join(parts))
        self.summary.setStyleSheet("color: #b00000; font-weight: bold;" if over or missing else "")
        self.save_button.setEnabled(bool(changed))
        self.undo_button.setEnabled(bool(changed))

    def discard(self) -> None:
        self.refresh(keep_edits=False)

    def save(self) -> None:
        changed = self.model.changed()
        if not changed:
            self.dialogs.info("保存评议结果", "没有改动需要保存。")
            return
        village_id, year, today = self.village_id, self.shown_year, self.today
        decided = self.decided.date().toPython()
        outcome = self.context.operations.run(
            "保存评议结果", lambda s: meeting_service.set_reviews(s, village_id, year, changed, decided_on=decided,
                                                              today=today),
            Change.RECORDS, dialogs=self.dialogs, initiator=self)
        if outcome.ok:
            self.refresh(keep_edits=False)
            tell_warnings(self.dialogs, "保存评议结果", outcome.value)


# ---------------------------------------------------------------------------------------- 学时统计


class StudyPage(QWidget):
    def __init__(self, context, dialogs, today: dt.date, owner=None):
        super().__init__()
        self.context, self.dialogs, self.today, self.owner = context, dialogs, today, owner
        self.rows = []
        self.year = year_combo(today, "studyYear")
        self.short_only = QCheckBox("只看未达标")
        self.short_only.setObjectName("studyShortOnly")
        self.summary = QLabel()
        self.summary.setObjectName("studySummary")
        self.table = RowsTable(["姓名", "党小组", "班子成员", "学时", "要求", "差额", "达标"], "studyTable")
        self.export_button = QPushButton("导出学时统计…")
        self.export_button.setObjectName("exportStudy")
        self.export_button.clicked.connect(self.export)
        top = QHBoxLayout()
        for widget in (QLabel("年度"), self.year, self.short_only):
            top.addWidget(widget)
        top.addWidget(self.summary, 1)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        note = QLabel("学时来自参加的会议（登记会议时填写的学时）和纪实本中的学习记录。"
                      "每名党员每年不少于 32 学时，书记和支部委员（班子成员）不少于 56 学时。")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.year.currentIndexChanged.connect(lambda _i: self.refresh())
        self.short_only.toggled.connect(lambda _on: self.show_rows())

    @property
    def village_id(self) -> int:
        return self.context.village().id

    def refresh(self) -> None:
        with self.context.store.session() as session:
            self.rows = meeting_service.study_table(session, self.village_id, self.year.currentData())
        self.show_rows()

    def show_rows(self) -> None:
        shown = [r for r in self.rows if r.short] if self.short_only.isChecked() else self.rows
        self.table.fill(shown, lambda r: (r.name, r.party_group, "是" if r.leader else "", f"{r.hours:g}", r.required,
                                          f"{r.lacking:g}" if r.short else "", "✗" if r.short else "✓"),
                        highlight=lambda r: r.short)
        for row in range(len(shown)):
            for column in range(2, 7):
                self.table.item(row, column).setTextAlignment(Qt.AlignCenter)
        for column, width in enumerate((90, 110, 70, 70, 70, 70, 60)):
            self.table.setColumnWidth(column, max(self.table.columnWidth(column), width))
        short = sum(r.short for r in self.rows)
        self.summary.setText(f"　共 {len(self.rows)} 人，未达标 {short} 人" if self.rows else "　还没有在册党员")

    def export(self) -> None:
        """导出学时统计…: the catalogue's study-hours table of the year shown, to a file the clerk names."""
        from partybuild_desktop.services import exports
        from partybuild_desktop.ui.export_flow import export_report

        try:
            definition = exports.find("study-hours")
        except exports.ExportError as error:
            self.dialogs.error("导出学时统计", str(error))
            return
        options = exports.ExportOptions(year=self.year.currentData(), today=self.today)
        export_report(self, self.context, self.dialogs, definition, options)
