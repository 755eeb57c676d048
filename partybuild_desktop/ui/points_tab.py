"""党建先锋榜: rankings for members and grids, the trace of any score in one click, manual awards,
and the rule editor (积分评价办法) that each village writes for itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.domain.dates import format_cn, parse_date
from partybuild_desktop.domain.points import CountUnit, RuleItem, Scope
from partybuild_desktop.services import members as member_service
from partybuild_desktop.services import point_rules, points
from partybuild_desktop.services.changes import Change
from partybuild_desktop.ui.checked import CheckedDialog
from partybuild_desktop.ui.operations import WatchesChanges
from partybuild_desktop.ui.widgets import year_combo

WARNING_BACKGROUND = QColor("#fde2e2")
MAX_LISTED = 100  # members listed at once in the award dialog; typing narrows the rest
PERIODS = (("全年", None), ("第一季度", 1), ("第二季度", 2), ("第三季度", 3), ("第四季度", 4))


def _number(value: float) -> str:
    return f"{value:g}"


class PointsTab(WatchesChanges, QWidget):
    # Points are counted from members, their records, visits and proxy services, and the grids.
    watches = Change.POINTS | Change.MEMBERS | Change.RECORDS | Change.HOUSEHOLDS | Change.GRIDS | Change.VILLAGE

    def __init__(self, context, dialogs, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.context, self.dialogs = context, dialogs
        self.today = today or dt.date.today()
        self.board = None
        self.year = year_combo(self.today, "pointsYear", years=5)
        self.period = QComboBox()
        for label, quarter in PERIODS:
            self.period.addItem(label, quarter)
        self.view = QComboBox()
        self.view.addItem("党员排名", "members")
        self.view.addItem("网格排名", "units")
        self.status = QLabel()
        self.rules_button = QPushButton("积分办法…")
        self.award_button = QPushButton("加分/减分…")
        self.close_button = QPushButton("关闭年度…")
        top = QHBoxLayout()
        for widget in (QLabel("年度"), self.year, self.period, self.view):
            top.addWidget(widget)
        top.addWidget(self.status, 1)
        for widget in (self.rules_button, self.award_button, self.close_button):
            top.addWidget(widget)

        self.table = QTableWidget()
        self.table.setObjectName("pointsTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.trace_heading = QLabel("选中一行，查看积分的每一项来源")
        self.trace_heading.setWordWrap(True)
        self.trace = QTreeWidget()
        self.trace.setObjectName("pointsTrace")
        self.trace.setHeaderLabels(["项目 / 依据", "日期", "数量", "得分"])
        self.trace.header().setSectionResizeMode(0, QHeaderView.Stretch)
        for column in (1, 2, 3):
            self.trace.header().setSectionResizeMode(column, QHeaderView.ResizeToContents)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.trace_heading)
        right_layout.addWidget(self.trace, 1)
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.setObjectName("pointsSplitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        for combo in (self.year, self.period, self.view):
            combo.currentIndexChanged.connect(self.refresh)
        self.table.itemSelectionChanged.connect(self.show_trace)
        self.rules_button.clicked.connect(self.edit_rules)
        self.award_button.clicked.connect(self.add_award)
        self.close_button.clicked.connect(self.close_year)
        self.refresh()
        self.watch(context.operations)

    # --- the board ------------------------------------------------------------------------------
    @property
    def village_id(self) -> int:
        return self.context.village().id

    def refresh(self) -> None:
        year, quarter = self.year.currentData(), self.period.currentData()
        with self.context.store.session() as session:
            self.board = points.board(session, self.village_id, year, quarter=quarter, as_of=self.today)
        board = self.board
        categories = [c for c in board.rules.categories]
        standings = board.members if self.view.currentData() == "members" else board.units
        who = "姓名" if self.view.currentData() == "members" else board.unit_label
        headers = ["名次", who, "所在" + board.unit_label if who == "姓名" else "党员数", "积分",
                   *[c.name for c in categories]]
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(standings))
        for row, standing in enumerate(standings):
            second = standing.unit_name if who == "姓名" else str(standing.members)
            cells = [str(standing.rank), standing.name, second, _number(standing.score),
                     *[_number(standing.by_category.get(c.code, 0)) for c in categories]]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 0 or column >= 3:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if standing.below_warning:
                    item.setBackground(WARNING_BACKGROUND)
                    item.setToolTip(f"低于警示线 {_number(board.rules.warning_line)} 分")
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        below = sum(1 for s in standings if s.below_warning)
        state = "（已关闭，积分办法已冻结）" if board.closed else ""
        self.status.setText(f"{board.period.label}，截至 {board.as_of:%Y-%m-%d}{state}　低于警示线 {below} 个")
        self.close_button.setText("重新打开年度…" if board.closed else "关闭年度…")
        self.trace.clear()

    def show_trace(self) -> None:
        row = self.table.currentRow()
        if self.board is None or row < 0:
            return
        year, quarter = self.year.currentData(), self.period.currentData()
        with self.context.store.session() as session:
            if self.view.currentData() == "members":
                standing = self.board.members[row]
                explanation = points.explain(session, self.village_id, year, standing.member_id, quarter=quarter,
                                             as_of=self.today)
            else:
                standing = self.board.units[row]
                explanation = points.explain_unit(session, self.village_id, year, standing.unit_id, quarter=quarter,
                                                  as_of=self.today)
        self.trace_heading.setText(
            f"<b>{explanation.name}</b>：{_number(explanation.score)} 分 = 基础分 {_number(explanation.base_score)}"
            f" + 各项合计 {_number(explanation.score - explanation.base_score)}（{explanation.rules_name}）"
        )
        self.trace.clear()
        for line in explanation.lines:
            capped = f"（封顶 {_number(line.cap)}，原 {_number(line.before_cap)}）" if line.capped else ""
            item = QTreeWidgetItem([f"{line.item_name}　{line.rule}{capped}", "", _number(line.quantity),
                                    _number(line.points)])
            for evidence in line.evidence:
                amount = "" if evidence.amount is None else _number(evidence.amount)
                QTreeWidgetItem(item, [f"{evidence.kind}：{evidence.text}",
                                       evidence.date.isoformat() if evidence.date else "", amount, ""])
            self.trace.addTopLevelItem(item)

    # --- actions --------------------------------------------------------------------------------
    def _change(self, title: str, work) -> bool:
        return self.context.operations.run(title, work, Change.POINTS, dialogs=self.dialogs, initiator=self).ok

    def edit_rules(self) -> None:
        year = self.year.currentData()
        with self.context.store.session() as session:
            record = point_rules.load_rules(session, self.village_id, year)
        editor = RuleEditor(record, self.dialogs, self)
        if editor.exec():
            self._change("保存积分办法", lambda s: point_rules.save_rules(s, self.village_id, year, editor.rules()))

    def add_award(self) -> None:
        year = self.year.currentData()
        with self.context.store.session() as session:
            rules = point_rules.load_rules(session, self.village_id, year).rules
        manual = [item for item in rules.items if item.unit is CountUnit.MANUAL]
        if not manual:
            self.dialogs.error("加分/减分", "本年度的积分办法中没有“按登记”计分的项目，请先在积分办法中添加。")
            return
        with self.context.store.session() as session:
            members = member_service.list_members(session, self.village_id, include_archived=False)
        village_id, today = self.village_id, self.today
        AwardDialog(manual, self.board, today, self, members=members, save=lambda values: self._change(
            "登记加分/减分", lambda s: points.add_award(s, village_id, today=today, **values))).exec()

    def close_year(self) -> None:
        year = self.year.currentData()
        if self.board.closed:
            if self.dialogs.confirm("重新打开年度", f"重新打开 {year} 年？积分办法将可以修改，积分可能随之变化。"):
                self._change("重新打开年度", lambda s: point_rules.reopen_year(s, self.village_id, year))
            return
        if self.dialogs.confirm("关闭年度", f"关闭 {year} 年？该年的积分办法和各党员所在网格将被冻结，"
                                             "以后修改积分办法不会改变该年的积分。"):
            from partybuild_desktop.services import backups

            store = self.context.store

            def close(session):
                backups.before(store, "year_close")
                return point_rules.close_year(session, self.village_id, year)

            self._change("关闭年度", close)


class RuleEditor(QDialog):
    """积分评价办法 of one year: base score, warning line and every item, edited in a table."""

    COLUMNS = ("项目", "类别", "计分方式", "每单位分值", "年度上限", "适用对象")

    def __init__(self, record, dialogs, parent=None):
        super().__init__(parent)
        self.record, self.dialogs = record, dialogs
        rules = record.rules
        self.setWindowTitle(f"{record.year}年积分评价办法" + ("（已关闭，只读）" if record.closed else ""))
        self.resize(980, 620)
        self.name = QLineEdit(rules.name)
        self.base = self._spin(rules.base_score)
        self.warning = self._spin(rules.warning_line)
        form = QFormLayout()
        form.addRow("名称", self.name)
        form.addRow("基础分", self.base)
        form.addRow("警示线（低于此分公示提醒）", self.warning)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("ruleItems")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.items = list(rules.items)
        for item in self.items:
            self._add_row(item)
        add = QPushButton("添加项目")
        remove = QPushButton("删除选中项目")
        add.clicked.connect(self._new_item)
        remove.clicked.connect(self._remove_item)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        origin = QLabel(f"来源：{record.origin}" if getattr(record, "origin", "") else "")
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch()
        row.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(origin)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        if record.closed:
            for widget in (self.name, self.base, self.warning, self.table, add, remove):
                widget.setEnabled(False)
            self.buttons.button(QDialogButtonBox.Save).setEnabled(False)

    @staticmethod
    def _spin(value: float, low: float = 0, high: float = 1000) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(low, high)
        spin.setDecimals(2)
        spin.setValue(value)
        return spin

    def _combo(self, items, current) -> QComboBox:
        combo = QComboBox()
        for label, data in items:
            combo.addItem(label, data)
        combo.setCurrentIndex(max(combo.findData(current), 0))
        return combo

    def _add_row(self, item: RuleItem) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(item.name))
        categories = [(c.name, c.code) for c in self.record.rules.categories]
        self.table.setCellWidget(row, 1, self._combo(categories, item.category))
        self.table.setCellWidget(row, 2, self._combo([(u.label, u.value) for u in CountUnit], item.unit.value))
        self.table.setCellWidget(row, 3, self._spin(item.points, -1000, 1000))
        cap = self._spin(item.cap or 0, 0, 1000)
        cap.setSpecialValueText("不封顶")
        self.table.setCellWidget(row, 4, cap)
        self.table.setCellWidget(row, 5, self._combo([(s.label, s.value) for s in Scope], item.applies_to.value))

    def _new_item(self) -> None:
        category = self.record.rules.categories[0].code
        code = f"item{len(self.items) + 1}"
        while any(i.code == code for i in self.items):
            code += "x"
        item = RuleItem(code=code, name="新项目", category=category, unit=CountUnit.MANUAL, points=1)
        self.items.append(item)
        self._add_row(item)

    def _remove_item(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.items):
            self.items.pop(row)
            self.table.removeRow(row)

    def rules(self):
        """The edited rule set (checked by the service when saved)."""
        items = []
        for row, item in enumerate(self.items):
            cap = self.table.cellWidget(row, 4).value()
            items.append(replace(
                item,
                name=self.table.item(row, 0).text().strip(),
                category=self.table.cellWidget(row, 1).currentData(),
                unit=CountUnit(self.table.cellWidget(row, 2).currentData()),
                points=self.table.cellWidget(row, 3).value(),
                cap=cap or None,
                applies_to=Scope(self.table.cellWidget(row, 5).currentData()),
            ))
        return replace(self.record.rules, name=self.name.text().strip(), base_score=self.base.value(),
                       warning_line=self.warning.value(), items=tuple(items))


class AwardDialog(CheckedDialog):
    """A manual award or deduction: for whom, under which item, when, why and who entered it.

    The member is found with the members tab's search (name, pinyin or initials, ID number, phone);
    a grid or grid branch by its name. Nobody is chosen at the start. OK checks what was typed and hands
    the values to ``save(values)`` (the write through the operation runner, True when saved); when
    anything is refused the dialog stays open as typed."""

    def __init__(self, items, board, today: dt.date, parent=None, *, members=(), save=None):
        super().__init__(parent)
        self.setWindowTitle("加分/减分")
        self.today, self.save = today, save
        self.item = QComboBox()
        for item in items:
            self.item.addItem(f"{item.name}（{_number(item.points)} 分/次）", item.code)
        units = {standing.member_id: standing.unit_name for standing in board.members}
        # Members on this year's board, with the search text the members list uses.
        self.members = [(row, units[row.id]) for row in members if row.id in units]
        self.units = [(f"{board.unit_label}：{unit.name}", unit.name.lower(),
                       (f"{board.rules.unit_level.value}_id", unit.unit_id)) for unit in board.units]
        self.search = QLineEdit()
        self.search.setObjectName("awardSearch")
        self.search.setPlaceholderText("搜索：姓名、拼音或首字母（如 zs）、身份证号、电话，或网格名称")
        self.search.setClearButtonEnabled(True)
        self.who = QListWidget()
        self.who.setObjectName("awardWho")
        self.who.setSelectionMode(QAbstractItemView.SingleSelection)
        self.search.textChanged.connect(self._find)
        self.date = QLineEdit(today.isoformat())
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("如：民主评议为优秀；某月某日通报")
        self.entered_by = QLineEdit()
        form = QFormLayout(self)
        form.addRow("项目", self.item)
        form.addRow("对象", self.search)
        form.addRow("", self.who)
        form.addRow("日期", self.date)
        form.addRow("理由", self.reason)
        form.addRow("登记人", self.entered_by)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._find()

    def _find(self) -> None:
        """The members the search finds, best first (as in the members list), then the matching grids."""
        chosen = self.target()
        query = member_service.normalise_query(self.search.text())
        rows = [row for row, _ in self.members]
        found = member_service.rank(member_service.find(rows, query), query)
        unit_of = dict((row.id, unit) for row, unit in self.members)
        self.who.clear()
        for row in found[:MAX_LISTED]:
            self._add(f"{row.name}（{unit_of[row.id]}）" if unit_of[row.id] else row.name, ("member_id", row.id), chosen)
        if len(found) > MAX_LISTED:
            more = QListWidgetItem(f"……还有 {len(found) - MAX_LISTED} 名，请再输入几个字")
            more.setFlags(Qt.NoItemFlags)
            self.who.addItem(more)
        for label, name, target in self.units:
            if not query or query in name:
                self._add(label, target, chosen)

    def _add(self, label: str, target, chosen) -> None:
        item = QListWidgetItem(label)
        item.setData(Qt.UserRole, target)
        self.who.addItem(item)
        if target == chosen:
            item.setSelected(True)

    def target(self) -> tuple[str, int] | None:
        selected = self.who.selectedItems()
        return tuple(selected[0].data(Qt.UserRole)) if selected else None

    def values(self) -> dict:
        target = self.target()
        if target is None:
            raise points.PointsError("请在“对象”中搜索并选中一名党员或一个网格（支部）。")
        parsed = parse_date(self.date.text(), today=self.today)
        if not parsed.ok:
            raise points.PointsError(f"日期：{parsed.message}")
        if parsed.value > self.today:
            raise points.PointsError(f"日期 {format_cn(parsed.value)} 晚于今天，请核对。")
        key, target_id = target
        return {"item_code": self.item.currentData(), "date": parsed.value, "reason": self.reason.text(),
                "entered_by": self.entered_by.text(), key: target_id}

    def check(self) -> bool | None:
        values = self.values()
        return self.save(values) if self.save is not None else None
