"""流动党员: the members away today, each with the stint (外出时间、流向、流入地党组织), the 活动证, the village's
contact person, the last contact and the alerts (red: 失去联系 or an expired 活动证; yellow: any other);
beside it the selected member's contact log and earlier stints.

外出登记… registers a member leaving (the category becomes 流动党员), 修改登记… corrects the stint, 返回…
ends it, 联系记录… logs a contact. 打印联系卡… prints the 流动党员联系卡 (two to an A4 page) of the selected
member or of all, 导出台账… the 流动党员台账, 联系间隔… the village's interval.

Reads through ``services.migrants``; every write is one operation through the runner, made only on a
dialog's OK (``ui.migrant_dialogs``), announcing MEMBERS.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QHBoxLayout, QLabel, QPushButton, QWidget

from partybuild_desktop.domain import migrants as rules
from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.services import exports
from partybuild_desktop.services import members as member_service
from partybuild_desktop.services import migrants as service
from partybuild_desktop.services.changes import Change
from partybuild_desktop.ui.export_flow import export_report
from partybuild_desktop.ui.operations import WatchesChanges
from partybuild_desktop.ui.widgets import HIGHLIGHT, RowsTable, button_row, side_by_side, tell_warnings, vertical_panel

NOTICE = QColor("#fff4cc")  # yellow: something to do
SERIOUS_KINDS = frozenset({rules.LOST_CONTACT})


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


class MigrantsTab(WatchesChanges, QWidget):
    watches = Change.MEMBERS | Change.VILLAGE | Change.SETTINGS

    COLUMNS = ("姓名", "党小组", "外出时间", "月数", "外出流向", "流入地党组织", "活动证", "村联系人", "最近联系", "提醒")

    def __init__(self, context, dialogs, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.context, self.dialogs = context, dialogs
        self.today = today or dt.date.today()
        self.last_dialog = None
        self.rows: list[service.MigrantRow] = []

        self.summary = QLabel()
        self.summary.setObjectName("migrantSummary")
        self.summary.setWordWrap(True)
        self.table = RowsTable(self.COLUMNS, "migrantTable")
        self.table.horizontalHeader().setStretchLastSection(True)  # the alerts take the room left
        self.table.itemSelectionChanged.connect(self.show_selected)
        self.table.itemDoubleClicked.connect(lambda _: self.ask_contact())

        self.out_button = QPushButton("外出登记…")
        self.out_button.setObjectName("migrantOut")
        self.edit_button = QPushButton("修改登记…")
        self.edit_button.setObjectName("migrantEdit")
        self.back_button = QPushButton("返回…")
        self.back_button.setObjectName("migrantBack")
        self.contact_button = QPushButton("联系记录…")
        self.contact_button.setObjectName("migrantContact")
        self.cards_button = QPushButton("打印联系卡…")
        self.cards_button.setObjectName("migrantCards")
        self.cards_button.setToolTip("选中的流动党员的联系卡，或全部流动党员的；每张A4纸两张卡")
        self.ledger_button = QPushButton("导出台账…")
        self.ledger_button.setObjectName("migrantLedger")
        self.interval_button = QPushButton("联系间隔…")
        self.interval_button.setObjectName("migrantInterval")
        for button, slot in ((self.out_button, self.ask_out), (self.edit_button, self.ask_edit),
                             (self.back_button, self.ask_back), (self.contact_button, self.ask_contact),
                             (self.cards_button, self.print_cards), (self.ledger_button, self.export_ledger),
                             (self.interval_button, self.ask_interval)):
            button.clicked.connect(slot)

        note = QLabel("红色：失去联系（满6个月没有联系上）；黄色：联系超期、外出满6个月应转组织关系、活动证30天内到期。"
                      "双击一行登记联系记录。")
        note.setWordWrap(True)
        left = vertical_panel(self.summary, (self.table, 1),
                              button_row(self.out_button, self.edit_button, self.back_button, self.contact_button),
                              button_row(self.cards_button, self.ledger_button, self.interval_button), note)

        self.heading = QLabel()
        self.heading.setObjectName("migrantHeading")
        self.heading.setWordWrap(True)
        self.contacts = RowsTable(("联系日期", "方式", "联系人", "联系内容"), "migrantContacts")
        self.stints = RowsTable(("外出时间", "返回时间", "外出流向", "外出原因", "活动证号"), "migrantStints")
        self.stints.setMaximumHeight(self.fontMetrics().height() * 8)
        right = vertical_panel(self.heading, QLabel("联系记录"), (self.contacts, 1), QLabel("历次外出"), self.stints)

        self.splitter = side_by_side("migrantsSplitter", left, right, (2, 1))
        layout = QHBoxLayout(self)
        layout.addWidget(self.splitter)
        self.refresh()
        self.watch(context.operations)

    @property
    def village_id(self) -> int:
        return self.context.village().id

    # --- the list -------------------------------------------------------------------------------
    def refresh(self) -> None:
        chosen = self.selected()
        with self.context.store.session() as session:
            self.rows = service.migrants(session, self.village_id, self.today)
            interval = service.contact_interval(session)
        self.table.fill(self.rows, self._cells)
        for line, row in enumerate(self.rows):
            colour = HIGHLIGHT if SERIOUS_KINDS & set(row.alerts) or (
                row.card_expires_on and row.card_expires_on < self.today) else NOTICE if row.alerts else None
            if colour is not None:
                for column in range(len(self.COLUMNS)):
                    self.table.item(line, column).setBackground(colour)
        with_card = sum(1 for r in self.rows if r.card_no)
        overdue = sum(1 for r in self.rows if rules.CONTACT_OVERDUE in r.alerts)
        lost = sum(1 for r in self.rows if rules.LOST_CONTACT in r.alerts)
        transfer = sum(1 for r in self.rows if rules.SHOULD_TRANSFER in r.alerts)
        if self.rows:
            self.summary.setText(f"{format_cn(self.today)}在外的流动党员 {len(self.rows)} 名：持活动证 {with_card}，"
                                 f"联系超期 {overdue}，失去联系 {lost}，应转组织关系 {transfer}。"
                                 f"联系间隔：至少每 {interval} 个月联系一次。")
        else:
            self.summary.setText("现在没有在外的流动党员。党员外出时，按“外出登记…”。")
        if chosen is not None:
            self.select(chosen.member_id)
        elif self.rows:
            self.table.selectRow(0)
        self.show_selected()

    def _cells(self, r: service.MigrantRow):
        card = ""
        if r.card_no:
            card = r.card_no + (f"（至 {_day(r.card_expires_on)}）" if r.card_expires_on else "")
        return (r.name, r.party_group, _day(r.left_on) or "不详", "" if r.months_away is None else r.months_away,
                r.destination, r.host_organisation or "", card, r.contact_person or "",
                _day(r.last_contact) or "无记录", r.alert_labels)

    def selected(self) -> service.MigrantRow | None:
        return self.table.current()

    def select(self, member_id: int) -> None:
        for line, row in enumerate(self.rows):
            if row.member_id == member_id:
                self.table.selectRow(line)
                return

    def shown_names(self) -> list[str]:
        return [r.name for r in self.rows]

    # --- the detail -----------------------------------------------------------------------------
    def show_selected(self) -> None:
        row = self.selected()
        for button in (self.edit_button, self.back_button, self.contact_button):
            button.setEnabled(row is not None)
        if row is None:
            self.heading.setText("选中左边的一名流动党员，这里列出联系记录和历次外出。")
            self.contacts.fill([], lambda c: ())
            self.stints.fill([], lambda s: ())
            return
        with self.context.store.session() as session:
            contacts = service.contacts_of(session, row.member_id)
            stints = [(s.left_on, s.back_on, s.province, s.city, s.county, s.reason, s.card_no)
                      for s in service.stints_of(session, row.member_id)]
        reach = "，".join(part for part in (f"电话 {row.phone}" if row.phone else "",
                                            f"微信 {row.wechat}" if row.wechat else "") if part)
        parts = [f"<b>{row.name}</b>", f"{format_cn(row.left_on)}外出" if row.left_on else "外出时间不详",
                 row.destination or "流向未登记"]
        if row.occupation:
            parts.append(row.occupation)
        if reach:
            parts.append(reach)
        if row.no_transfer_reason:
            parts.append(f"不转接组织关系的原因：{row.no_transfer_reason}")
        if row.alerts:
            parts.append(f"<span style='color:#b00000'>提醒：{row.alert_labels}</span>")
        self.heading.setText("　".join(parts))
        self.contacts.fill(contacts, lambda c: (c.date.isoformat(), c.how.label, c.by_whom or "", c.note or ""))
        self.stints.fill(stints, lambda s: (_day(s[0]) or "不详", _day(s[1]) or "未返回",
                                            rules.place(s[2], s[3], s[4]), s[5] or "", s[6] or ""))
        for table, column in ((self.contacts, 3), (self.stints, 2)):  # the free text takes the room left
            table.horizontalHeader().setSectionResizeMode(column, QHeaderView.Stretch)

    # --- the writes -----------------------------------------------------------------------------
    def _keepers(self) -> list[str]:
        with self.context.store.session() as session:
            rows = member_service.list_members(session, self.village_id, include_archived=False)
        return [r.name for r in rows]

    def out_dialog(self):
        from partybuild_desktop.ui.migrant_dialogs import StintDialog

        with self.context.store.session() as session:
            away = {r.member_id for r in self.rows} | service.away_member_ids(session, self.village_id)
            members = [r for r in member_service.list_members(session, self.village_id, include_archived=False)
                       if r.id not in away]
        names = [r.name for r in members]
        at_home = [(r.name if names.count(r.name) == 1 else f"{r.name}（编号 {r.id}）", r.id) for r in members]
        self.last_dialog = StintDialog(self.context, self.village_id, self.today, at_home, self._keepers(),
                                       parent=self)
        return self.last_dialog

    def edit_dialog(self, row=None):
        from partybuild_desktop.ui.migrant_dialogs import StintDialog

        row = row or self.selected()
        if row is None:
            return None
        self.last_dialog = StintDialog(self.context, self.village_id, self.today, [], self._keepers(), row=row,
                                       parent=self)
        return self.last_dialog

    def back_dialog(self, row=None):
        from partybuild_desktop.ui.migrant_dialogs import BackDialog

        row = row or self.selected()
        if row is None:
            return None
        self.last_dialog = BackDialog(self.context, self.village_id, self.today, row, self)
        return self.last_dialog

    def contact_dialog(self, row=None):
        from partybuild_desktop.ui.migrant_dialogs import ContactDialog

        row = row or self.selected()
        if row is None:
            return None
        self.last_dialog = ContactDialog(self.context, self.village_id, self.today, row, self._keepers(), self)
        return self.last_dialog

    def ask_out(self) -> None:
        dialog = self.out_dialog()
        if dialog.exec():
            self.select(dialog.saved)

    def ask_edit(self) -> None:
        dialog = self.edit_dialog()
        if dialog is None:
            self.dialogs.info("修改登记", "请先在列表中选中一名流动党员。")
            return
        if dialog.exec():
            self.select(dialog.saved)

    def ask_back(self) -> None:
        dialog = self.back_dialog()
        if dialog is None:
            self.dialogs.info("返回", "请先在列表中选中一名流动党员。")
            return
        if dialog.exec():
            tell_warnings(self.dialogs, "返回登记", dialog.warnings)

    def ask_contact(self) -> None:
        dialog = self.contact_dialog()
        if dialog is None:
            self.dialogs.info("联系记录", "请先在列表中选中一名流动党员。")
            return
        if dialog.exec():
            self.select(dialog.row.member_id)

    def ask_interval(self) -> None:
        from partybuild_desktop.ui.migrant_dialogs import IntervalDialog

        with self.context.store.session() as session:
            months = service.contact_interval(session)
        self.last_dialog = IntervalDialog(self.context, self.village_id, self.today, months, self)
        self.last_dialog.exec()

    def print_cards(self) -> None:
        """The selected member's card, or (answering 否) every migrant's."""
        row = self.selected()
        chosen = None
        if row is not None and (len(self.rows) == 1 or self.dialogs.confirm(
                "打印联系卡", f"只打印{row.name}的联系卡吗？\n按“否”打印全部 {len(self.rows)} 名流动党员的联系卡。")):
            chosen = (row.member_id,)
        options = exports.ExportOptions(today=self.today, member_ids=chosen)
        export_report(self, self.context, self.dialogs, exports.find("migrant-cards"), options)

    def export_ledger(self) -> None:
        export_report(self, self.context, self.dialogs, exports.find("migrants"), exports.ExportOptions(today=self.today))
