"""The 党费 tab's dialogs: 核定党费标准, 登记交纳, 按月收缴 and the village's 农民党员标准.

Each collects what was typed and, on OK, writes it in ONE operation through the runner; a refusal (a
``DuesError`` in Chinese, or an amount that is not one) is shown in the dialog, which stays open as typed.
Cancel writes nothing. The warnings a service returns are kept in ``warnings`` for the tab to show.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from partybuild_desktop.domain.dues import (
    BASED_KINDS,
    FARMER_MAX_FEN,
    FARMER_MIN_FEN,
    FIXED_KINDS,
    DuesKind,
    DuesRuleError,
    assess,
    month_text,
)
from partybuild_desktop.domain.money import format_money, parse_money
from partybuild_desktop.services import dues as dues_service
from partybuild_desktop.services.changes import Change
from partybuild_desktop.services.dues import AssessmentForm, DuesError, PaymentForm
from partybuild_desktop.ui.checked import CheckedDialog, run_checked
from partybuild_desktop.ui.widgets import date_edit


def _money(edit: QLineEdit, what: str, required: bool = True) -> int | None:
    text = edit.text().strip()
    if not text:
        if required:
            raise DuesError(f"请填写{what}（元），例如 15 或 15.50。")
        return None
    try:
        return parse_money(text)
    except ValueError as error:
        raise DuesError(f"{what}：{error}") from error


def _run(dialog, title: str, work):
    """``work(session)`` in one operation; a refusal raised as a DuesError keeps the dialog open."""
    return run_checked(dialog, title, work, Change.RECORDS, DuesError)


def _buttons(dialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def _month_combo(name: str, current: int, last: int = 12) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    for month in range(1, last + 1):
        box.addItem(f"{month}月", month)
    box.setCurrentIndex(max(0, min(current, last) - 1))
    return box


# ---------------------------------------------------------------------------------------- 核定党费标准


class AssessmentDialog(CheckedDialog):
    """What one member pays each month, from a month on: kind, base, amount (worked out as typed)."""

    def __init__(self, context, row, year: int, farmer_fen: int, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.context, self.row, self.year, self.farmer_fen = context, row, year, farmer_fen
        self.today = today or dt.date.today()
        self.village_id = context.village().id
        self.warnings: list = []
        self.setWindowTitle(f"核定党费标准 — {row.name}")
        self.setObjectName("duesAssessmentDialog")
        self.setMinimumWidth(480)
        self.kind = QComboBox()
        self.kind.setObjectName("duesKind")
        for kind in DuesKind:
            self.kind.addItem(kind.label, kind.value)
        self.base = QLineEdit()
        self.base.setObjectName("duesBase")
        self.base.setPlaceholderText("每月税后收入，例如 3000")
        self.base_row = QWidget()
        base_line = QHBoxLayout(self.base_row)
        base_line.setContentsMargins(0, 0, 0, 0)
        base_line.addWidget(self.base, 1)
        base_line.addWidget(QLabel("元"))
        self.amount = QLineEdit()
        self.amount.setObjectName("duesAmount")
        self.other_amount = QCheckBox("另填数额")
        self.other_amount.setObjectName("duesOtherAmount")
        self.other_amount.setToolTip("不按规定比例计算时勾选（例如本人自愿多交），保存时会提示与规定不符")
        amount_row = QWidget()
        amount_line = QHBoxLayout(amount_row)
        amount_line.setContentsMargins(0, 0, 0, 0)
        amount_line.addWidget(self.amount, 1)
        amount_line.addWidget(QLabel("元/月"))
        amount_line.addWidget(self.other_amount)
        self.rule = QLabel()
        self.rule.setObjectName("duesRule")
        self.rule.setWordWrap(True)
        self.from_month = QDateEdit()
        self.from_month.setObjectName("duesFromMonth")
        self.from_month.setDisplayFormat("yyyy年M月")
        self.from_month.setCalendarPopup(False)
        start = dt.date(year, 1, 1) if year != self.today.year else dt.date(year, self.today.month, 1)
        self.from_month.setDate(QDate(start))
        self.decided_on = date_edit(self.today)
        self.decided_on.setObjectName("duesDecidedOn")
        self.approved_by = QLineEdit()
        self.approved_by.setObjectName("duesApprovedBy")
        self.approved_by.setPlaceholderText("例如 城南镇党委")
        self.note = QLineEdit()
        self.note.setObjectName("duesAssessmentNote")

        form = QFormLayout(self)
        form.addRow(QLabel(f"{row.name}（{row.party_group or '未分党小组'}）"))
        form.addRow("党费类别", self.kind)
        form.addRow("缴费基数", self.base_row)
        form.addRow("每月交纳", amount_row)
        form.addRow("", self.rule)
        form.addRow("从哪个月起", self.from_month)
        form.addRow("决定日期", self.decided_on)
        form.addRow("批准单位", self.approved_by)
        form.addRow("备注", self.note)
        form.addRow(self.problem)
        form.addRow(_buttons(self))
        self.form_layout = form

        if row.kind is not None:
            self.kind.setCurrentIndex(self.kind.findData(row.kind.value))
            if row.base_fen is not None:
                self.base.setText(format_money(row.base_fen))
            if row.kind not in BASED_KINDS | FIXED_KINDS:
                self.amount.setText(format_money(row.monthly_fen))
        else:
            self.kind.setCurrentIndex(self.kind.findData(DuesKind.FARMER.value))
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.base.textChanged.connect(lambda _t: self.work_out())
        self.amount.textChanged.connect(lambda _t: self.work_out())
        self.other_amount.toggled.connect(lambda _on: self._kind_changed())
        self._kind_changed(first=True)

    def selected_kind(self) -> DuesKind:
        return DuesKind(self.kind.currentData())

    def _kind_changed(self, first: bool = False) -> None:
        kind = self.selected_kind()
        based, worked_out = kind in BASED_KINDS, kind in BASED_KINDS | FIXED_KINDS
        self.form_layout.setRowVisible(self.base_row, based)
        self.other_amount.setVisible(worked_out)
        typed = not worked_out or self.other_amount.isChecked()
        self.amount.setReadOnly(not typed)
        if kind is DuesKind.FARMER and not first and not self.amount.text().strip():
            self.amount.setText(format_money(self.farmer_fen))
        elif kind is DuesKind.FARMER and first and not self.amount.text().strip():
            self.amount.setText(format_money(self.row.monthly_fen if self.row.kind is DuesKind.FARMER
                                             else self.farmer_fen))
        self.amount.setPlaceholderText("0.20 到 1.00" if kind is DuesKind.FARMER else
                                       "支部决定的数额，可以为 0" if kind is DuesKind.REDUCED else "")
        reduced = kind is DuesKind.REDUCED
        self.form_layout.setRowVisible(self.decided_on, reduced)
        self.form_layout.setRowVisible(self.approved_by, reduced)
        self.work_out()
        self.adjustSize()

    def work_out(self) -> None:
        """The amount as the rules give it, shown under the field as it is typed."""
        kind = self.selected_kind()
        worked_out = kind in BASED_KINDS | FIXED_KINDS and not self.other_amount.isChecked()
        try:
            base = _money(self.base, "缴费基数", required=False) if kind in BASED_KINDS else None
            entered = None if worked_out else _money(self.amount, "每月交纳额", required=False)
            if kind in BASED_KINDS and base is None:
                if worked_out:
                    self.amount.setText("")
                self.rule.setText("填写缴费基数后自动计算：在职、个体 3000 元以下 0.5%，3000–5000 元 1%，"
                                  "5000–10000 元 1.5%，10000 元以上 2%；离退休 5000 元以下 0.5%，以上 1%。")
                return
            result = assess(kind, base, entered, self.farmer_fen)
        except (DuesError, DuesRuleError) as error:
            self.rule.setText(str(error))
            return
        if worked_out:
            self.amount.blockSignals(True)
            self.amount.setText(format_money(result.monthly_fen))
            self.amount.blockSignals(False)
        text = f"按规定：{result.rule_text}"
        if result.rule_fen is not None:
            text += f" = 每月 {format_money(result.rule_fen)} 元"
            if result.monthly_fen != result.rule_fen:
                text += f"（填写的是 {format_money(result.monthly_fen)} 元，与规定不符）"
        self.rule.setText(text)

    def form(self) -> AssessmentForm:
        kind = self.selected_kind()
        worked_out = kind in BASED_KINDS | FIXED_KINDS and not self.other_amount.isChecked()
        base = _money(self.base, "缴费基数") if kind in BASED_KINDS else None
        if worked_out:
            amount = None
        else:  # 农民 and 减免 (blank: the service says what to enter), or another amount than the rule's
            amount = _money(self.amount, "每月交纳额", required=kind is not DuesKind.REDUCED)
        chosen = self.from_month.date().toPython()
        reduced = kind is DuesKind.REDUCED
        return AssessmentForm(kind=kind, base_fen=base, monthly_fen=amount, from_month=(chosen.year, chosen.month),
                              decided_on=self.decided_on.date().toPython() if reduced else None,
                              approved_by=self.approved_by.text() if reduced else None, note=self.note.text())

    def check(self) -> bool | None:
        form = self.form()
        village_id, member_id, today = self.village_id, self.row.member_id, self.today
        self.warnings = _run(self, f"核定党费标准（{self.row.name}）",
                             lambda s: dues_service.set_assessment(s, village_id, member_id, form, today=today))
        return None


# ---------------------------------------------------------------------------------------- 登记交纳


class PaymentDialog(CheckedDialog):
    """Dues one member paid for one month or several months of the year."""

    def __init__(self, context, row, year: int, parent=None, month: int | None = None, as_of: int = 12,
                 today: dt.date | None = None):
        super().__init__(parent)
        self.context, self.row, self.year = context, row, year
        self.today = today or dt.date.today()
        self.village_id = context.village().id
        self.warnings: list = []
        self.paid = None
        self.setWindowTitle(f"登记交纳党费 — {row.name}")
        self.setObjectName("duesPaymentDialog")
        self.setMinimumWidth(460)
        if month is None:  # the first month owed and not paid, else the month after the last one paid
            unpaid = [c.month for c in row.months if c.unpaid]
            paid = [c.month for c in row.months if c.paid_fen is not None]
            month = unpaid[0] if unpaid else min(paid[-1] + 1, 12) if paid else as_of
        self.first = _month_combo("duesFirstMonth", month)
        self.last = _month_combo("duesLastMonth", month)
        months = QWidget()
        months_line = QHBoxLayout(months)
        months_line.setContentsMargins(0, 0, 0, 0)
        months_line.addWidget(QLabel(f"{year}年"))
        months_line.addWidget(self.first)
        months_line.addWidget(QLabel("到"))
        months_line.addWidget(self.last)
        months_line.addStretch()
        self.owed = QLabel()
        self.owed.setObjectName("duesOwed")
        self.amount = QLineEdit()
        self.amount.setObjectName("duesPayAmount")
        self.amount.setPlaceholderText("这几个月一共交的钱")
        amount_row = QWidget()
        amount_line = QHBoxLayout(amount_row)
        amount_line.setContentsMargins(0, 0, 0, 0)
        amount_line.addWidget(self.amount, 1)
        amount_line.addWidget(QLabel("元（合计）"))
        self.paid_on = date_edit(self.today)
        self.paid_on.setObjectName("duesPaidOn")
        self.paid_on.setMaximumDate(QDate(self.today))
        self.collector = QLineEdit()
        self.collector.setObjectName("duesCollector")
        self.receipt = QLineEdit()
        self.receipt.setObjectName("duesReceipt")
        self.method = QComboBox()
        self.method.setObjectName("duesMethod")
        for code, label in dues_service.METHODS.items():
            self.method.addItem(label, code)
        self.note = QLineEdit()
        self.note.setObjectName("duesPaymentNote")
        form = QFormLayout(self)
        form.addRow(QLabel(f"{row.name}（{row.party_group or '未分党小组'}），"
                           f"{row.kind.label if row.kind else '未核定'}，每月 {format_money(row.monthly_fen)} 元"))
        form.addRow("交的月份", months)
        form.addRow("", self.owed)
        form.addRow("交纳金额", amount_row)
        form.addRow("交纳日期", self.paid_on)
        form.addRow("收款人", self.collector)
        form.addRow("收据号", self.receipt)
        form.addRow("交纳方式", self.method)
        form.addRow("备注", self.note)
        form.addRow(self.problem)
        form.addRow(_buttons(self))
        self._typed = False
        self.amount.textEdited.connect(lambda _t: setattr(self, "_typed", True))
        self.first.currentIndexChanged.connect(lambda _i: self._months_changed(self.first))
        self.last.currentIndexChanged.connect(lambda _i: self._months_changed(self.last))
        self._months_changed(None)

    def months(self) -> list[tuple[int, int]]:
        first, last = self.first.currentData(), self.last.currentData()
        return [(self.year, m) for m in range(first, last + 1)]

    def _months_changed(self, moved) -> None:
        first, last = self.first.currentData(), self.last.currentData()
        if first > last:  # keep from ≤ to: move the other end along
            other = self.last if moved is self.first else self.first
            other.blockSignals(True)
            other.setCurrentIndex((first if moved is self.first else last) - 1)
            other.blockSignals(False)
        months = self.months()
        owed = [self.row.months[m - 1].due_fen for _, m in months]
        paid = [self.row.months[m - 1].paid_fen for _, m in months]
        notes = []
        if any(o is not None for o in owed):
            notes.append(f"这 {len(months)} 个月应交 {format_money(sum(o or 0 for o in owed))} 元")
        if any(o is None for o in owed):
            notes.append("其中有不需交纳的月份" if any(o is not None for o in owed) else "按目前的标准这几个月不需交纳")
        if any(p is not None for p in paid):
            notes.append("其中有已登记过的月份")
        self.owed.setText("；".join(notes))
        if len(months) == 3 and self.method.currentData() == "monthly":
            self.method.setCurrentIndex(self.method.findData("quarterly"))
        if not self._typed:
            total = sum(o or 0 for o in owed) or len(months) * self.row.monthly_fen
            self.amount.setText(format_money(total) if total else "")

    def form(self) -> PaymentForm:
        return PaymentForm(months=self.months(), amount_fen=_money(self.amount, "交纳金额"),
                           paid_on=self.paid_on.date().toPython(), collector=self.collector.text(),
                           receipt_no=self.receipt.text(), method=self.method.currentData(), note=self.note.text())

    def check(self) -> bool | None:
        form = self.form()
        village_id, member_id, today = self.village_id, self.row.member_id, self.today
        self.paid = _run(self, f"登记交纳党费（{self.row.name}）",
                         lambda s: dues_service.pay(s, village_id, member_id, form, today=today))
        self.warnings = list(self.paid.warnings)
        return None


# ---------------------------------------------------------------------------------------- 按月收缴


class CollectDialog(CheckedDialog):
    """收缴日: a month's dues at the standard amount for everyone who owes it and has not paid."""

    def __init__(self, context, dialogs, year: int, month: int, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.context, self.dialogs, self.year = context, dialogs, year
        self.today = today or dt.date.today()
        self.village_id = context.village().id
        self.collected = None
        self.warnings: list = []
        self.setWindowTitle("按月收缴")
        self.setObjectName("duesCollectDialog")
        self.setMinimumWidth(440)
        last = self.today.month if year == self.today.year else 12
        self.month = _month_combo("duesCollectMonth", month, last)
        self.paid_on = date_edit(self.today)
        self.paid_on.setObjectName("duesCollectDate")
        self.paid_on.setMaximumDate(QDate(self.today))
        self.collector = QLineEdit()
        self.collector.setObjectName("duesCollectCollector")
        self.preview = QLabel()
        self.preview.setObjectName("duesCollectPreview")
        self.preview.setWordWrap(True)
        form = QFormLayout(self)
        intro = QLabel("为这个月应交而还没有交的党员，按各自的标准数额一次登记（交了别的数额的人请用“登记交纳…”逐个登记）。")
        intro.setWordWrap(True)
        form.addRow(intro)
        form.addRow("月份", self._with_year(self.month))
        form.addRow("交纳日期", self.paid_on)
        form.addRow("收款人", self.collector)
        form.addRow("", self.preview)
        form.addRow(self.problem)
        form.addRow(_buttons(self))
        self.month.currentIndexChanged.connect(lambda _i: self.show_preview())
        self.show_preview()

    def _with_year(self, box) -> QWidget:
        holder = QWidget()
        line = QHBoxLayout(holder)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(QLabel(f"{self.year}年"))
        line.addWidget(box)
        line.addStretch()
        return holder

    def chosen_month(self) -> tuple[int, int]:
        return self.year, self.month.currentData()

    def owing(self) -> tuple[int, int]:
        """(members, 分) who owe the chosen month and have not paid it, as ``collect_month`` will count them."""
        month = self.chosen_month()
        with self.context.store.session() as session:
            grid = dues_service.dues_year(session, self.village_id, month[0], month, from_month=month)
        cells = [r.months[month[1] - 1] for r in grid.rows]
        owing = [c.due_fen for c in cells if c.due_fen and c.paid_fen is None]
        return len(owing), sum(owing)

    def show_preview(self) -> None:
        members, total = self.owing()
        self.preview.setText(f"{month_text(self.chosen_month())}应交未交的有 {members} 人，共 {format_money(total)} 元。"
                             if members else f"{month_text(self.chosen_month())}没有应交未交的党员。")

    def check(self) -> bool | None:
        month = self.chosen_month()
        members, total = self.owing()
        if not members:
            raise DuesError(f"{month_text(month)}没有应交而未交的党员，不需要按月收缴。")
        if not self.dialogs.confirm("按月收缴", f"为 {members} 名党员登记{month_text(month)}的党费，"
                                                f"共 {format_money(total)} 元？\n每人按各自的标准数额登记。"):
            return False
        village_id, paid_on, collector, today = self.village_id, self.paid_on.date().toPython(), \
            self.collector.text(), self.today
        self.collected = _run(self, f"按月收缴（{month_text(month)}）",
                              lambda s: dues_service.collect_month(s, village_id, month, paid_on, collector,
                                                                   today=today))
        return None


# ---------------------------------------------------------------------------------------- 农民党员标准


class FarmerAmountDialog(CheckedDialog):
    """The village's amount a 农民党员 pays a month (0.20–1.00 元)."""

    def __init__(self, context, current_fen: int, parent=None):
        super().__init__(parent)
        self.context = context
        self.warnings: list = []
        self.setWindowTitle("农民党员标准")
        self.setObjectName("duesFarmerDialog")
        self.setMinimumWidth(420)
        self.amount = QLineEdit(format_money(current_fen))
        self.amount.setObjectName("duesFarmerFen")
        amount_row = QWidget()
        line = QHBoxLayout(amount_row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.amount, 1)
        line.addWidget(QLabel("元/月"))
        form = QFormLayout(self)
        intro = QLabel(f"本村农民党员每月交纳 {format_money(FARMER_MIN_FEN)} 元到 {format_money(FARMER_MAX_FEN)} 元，"
                       "由村党组织确定。单独核定过标准的农民党员按各自的标准。")
        intro.setWordWrap(True)
        form.addRow(intro)
        form.addRow("每月交纳", amount_row)
        form.addRow(self.problem)
        form.addRow(_buttons(self))

    def check(self) -> bool | None:
        fen = _money(self.amount, "每月交纳额")
        run_checked(self, "设置农民党员党费标准", lambda s: dues_service.set_farmer_amount(s, fen),
                    Change.SETTINGS | Change.RECORDS, DuesError)
        return None
