"""The dialogs of 流动党员: 外出登记 (a new stint, or correcting one), 返回 (the day back), 联系记录 (a contact
kept) and the contact interval.

Each dialog collects; OK runs ONE operation through the runner (``services.migrants`` checks and writes,
announcing MEMBERS: the category 流动党员 follows the stint). A refusal keeps the dialog open with what was
typed and the service's Chinese message.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from partybuild_desktop.domain import migrants as rules
from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.domain.migrants import ContactHow
from partybuild_desktop.services import migrants as service
from partybuild_desktop.services.changes import Change
from partybuild_desktop.services.migrants import ContactForm, StintForm
from partybuild_desktop.ui.checked import CheckedFormDialog, NumberSettingDialog, run_checked
from partybuild_desktop.ui.widgets import date_edit

NO_DATE = QDate(1900, 1, 1)  # an optional date left blank shows “未填”


def _date(value: dt.date | None, today: dt.date, name: str, optional: bool = False, future: bool = False) -> QDateEdit:
    edit = date_edit(value or today)
    edit.setObjectName(name)
    if not future:
        edit.setMaximumDate(QDate(today))
    if optional:
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText("未填")
        if value is None:
            edit.setDate(NO_DATE)
    return edit


def _value(edit: QDateEdit) -> dt.date | None:
    return None if edit.date() == NO_DATE else edit.date().toPython()


def _line(name: str, text: str | None = None, placeholder: str | None = None) -> QLineEdit:
    edit = QLineEdit(text or "")
    edit.setObjectName(name)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def _editable_combo(name: str, choices, current: str | None = None, placeholder: str | None = None) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    box.setEditable(True)
    box.addItem("")
    for choice in choices:
        box.addItem(choice)
    box.setEditText(current or "")
    if placeholder:
        box.lineEdit().setPlaceholderText(placeholder)
    return box


class _Dialog(CheckedFormDialog):
    def __init__(self, title: str, context, village_id: int, today: dt.date, parent=None):
        super().__init__(title, context, parent, width=540)
        self.village_id, self.today = village_id, today


class StintDialog(_Dialog):
    """外出登记: who leaves (chosen from the members at home), when, where to, why, how to reach them, who in
    the village keeps in touch, the 活动证. With ``row`` (a ``MigrantRow``) it corrects that stint."""

    def __init__(self, context, village_id: int, today: dt.date, at_home: list[tuple[str, int]],
                 keepers: list[str], row=None, parent=None):
        title = f"修改外出登记：{row.name}" if row is not None else "外出登记"
        super().__init__(title, context, village_id, today, parent)
        self.row = row
        self.member = QComboBox()
        self.member.setObjectName("migrantMember")
        if row is not None:
            self.member.addItem(row.name, row.member_id)
            self.member.setEnabled(False)
        else:
            self.member.setEditable(True)
            self.member.addItem("", None)
            for label, member_id in at_home:
                self.member.addItem(label, member_id)
            self.member.lineEdit().setPlaceholderText("选择外出的党员（可输入姓名查找）")
        self.left_on = _date(row.left_on if row else today, today, "migrantLeftOn")
        self.province = _line("migrantProvince", row.province if row else None, "省（自治区、直辖市）")
        self.city = _line("migrantCity", row.city if row else None, "市")
        self.county = _line("migrantCounty", row.county if row else None, "县（区）")
        place = QWidget()
        place_line = QHBoxLayout(place)
        place_line.setContentsMargins(0, 0, 0, 0)
        for edit in (self.province, self.city, self.county):
            place_line.addWidget(edit)
        self.host = _line("migrantHost", row.host_organisation if row else None, "知道的填，例如 深圳市宝安区流动党员党支部")
        self.reason = _editable_combo("migrantReason", rules.REASONS, row.reason if row else rules.REASONS[0])
        self.occupation = _line("migrantOccupation", row.occupation if row else None)
        self.phone = _line("migrantPhone", row.phone if row else None, "外出期间的手机号")
        self.wechat = _line("migrantWechat", row.wechat if row else None)
        self.keeper = _editable_combo("migrantKeeper", keepers, row.contact_person if row else None,
                                      "村里负责与其保持联系的人")
        self.card_no = _line("migrantCardNo", row.card_no if row else None, "镇党委发给的流动党员活动证号")
        self.card_issued = _date(row.card_issued_on if row else None, today, "migrantCardIssued", optional=True)
        self.card_expires = _date(row.card_expires_on if row else None, today, "migrantCardExpires", optional=True,
                                  future=True)
        card = QWidget()
        card_line = QHBoxLayout(card)
        card_line.setContentsMargins(0, 0, 0, 0)
        card_line.addWidget(self.card_no, 1)
        card_line.addWidget(QLabel("发证"))
        card_line.addWidget(self.card_issued)
        card_line.addWidget(QLabel("有效期至"))
        card_line.addWidget(self.card_expires)
        self.no_transfer = _line("migrantNoTransfer", row.no_transfer_reason if row else None,
                                 "外出满6个月仍不转组织关系的，写明原因（如 务工地点不固定）")
        intro = QLabel("外出半年以上、地点相对固定的，应转移组织关系；暂不能转接的，由镇党委发给流动党员活动证。"
                       "登记后，党员的类别即为流动党员，返回时恢复原来的类别。")
        intro.setWordWrap(True)
        self.form.addRow(intro)
        for label, widget in (("党员", self.member), ("外出时间", self.left_on), ("外出流向", place),
                              ("流入地党组织", self.host), ("外出原因", self.reason), ("从事职业", self.occupation),
                              ("联系电话", self.phone), ("微信", self.wechat), ("村联系人", self.keeper),
                              ("活动证", card), ("不转接的原因", self.no_transfer)):
            self.form.addRow(label, widget)
        self.finish()

    def stint_form(self) -> StintForm:
        return StintForm(
            left_on=self.left_on.date().toPython(), province=self.province.text(), city=self.city.text(),
            county=self.county.text(), host_organisation=self.host.text(), reason=self.reason.currentText(),
            occupation=self.occupation.text(), phone=self.phone.text(), wechat=self.wechat.text(),
            contact_person=self.keeper.currentText(), card_no=self.card_no.text(),
            card_issued_on=_value(self.card_issued), card_expires_on=_value(self.card_expires),
            no_transfer_reason=self.no_transfer.text(), note=None)

    def check(self) -> bool | None:
        form, village_id, today = self.stint_form(), self.village_id, self.today
        if self.row is not None:
            stint_id = self.row.stint_id
            run_checked(self, f"修改外出登记（{self.row.name}）",
                        lambda s: service.update_stint(s, village_id, stint_id, form, today), Change.MEMBERS)
            self.saved = self.row.member_id
            return None
        index = self.member.findText(self.member.currentText().strip())
        if index <= 0:
            raise Refusal("请从列表中选择外出的党员（正在外出的党员不在列表中，请先登记返回）。")
        member_id = self.member.itemData(index)
        run_checked(self, f"流动党员外出登记（{self.member.itemText(index)}）",
                    lambda s: service.register_out(s, village_id, member_id, form, today), Change.MEMBERS)
        self.saved = member_id
        return None


class BackDialog(_Dialog):
    """返回: the day the member came back; the category before leaving is given back."""

    def __init__(self, context, village_id: int, today: dt.date, row, parent=None):
        super().__init__(f"返回登记：{row.name}", context, village_id, today, parent)
        self.row = row
        self.warnings: list = []
        self.back_on = _date(today, today, "migrantBackOn")
        if row.left_on:
            self.back_on.setMinimumDate(QDate(row.left_on))
        since = f"{format_cn(row.left_on)}外出" if row.left_on else "外出时间不详"
        card = f"；持活动证 {row.card_no}，返回后请收回交镇党委" if row.card_no else ""
        text = QLabel(f"{row.name}{since}，流向{row.destination or '未登记'}{card}。返回后不再是流动党员。")
        text.setWordWrap(True)
        self.form.addRow(text)
        self.form.addRow("返回时间", self.back_on)
        self.finish()

    def check(self) -> bool | None:
        village_id, today, member_id, day = self.village_id, self.today, self.row.member_id, self.back_on.date().toPython()
        self.warnings = run_checked(self, f"流动党员返回登记（{self.row.name}）",
                                    lambda s: service.register_back(s, village_id, member_id, day, today),
                                    Change.MEMBERS)
        self.saved = member_id
        return None


class ContactDialog(_Dialog):
    """联系记录: one contact with a migrant: the day, how (电话, 微信, 面谈, 寄送学习资料), by whom, what about."""

    def __init__(self, context, village_id: int, today: dt.date, row, keepers: list[str], parent=None):
        super().__init__(f"联系记录：{row.name}", context, village_id, today, parent)
        self.row = row
        self.date = _date(today, today, "contactDate")
        if row.left_on:
            self.date.setMinimumDate(QDate(row.left_on))
        self.how = QComboBox()
        self.how.setObjectName("contactHow")
        for how in ContactHow:
            self.how.addItem(how.label, how.value)
        self.by_whom = _editable_combo("contactBy", keepers, row.contact_person)
        self.note = QPlainTextEdit()
        self.note.setObjectName("contactNote")
        self.note.setPlaceholderText("联系内容：了解工作生活情况、提醒交纳党费、寄送的学习资料……")
        self.note.setFixedHeight(self.fontMetrics().height() * 4)
        last = f"最近一次联系：{format_cn(row.last_contact)}。" if row.last_contact else "外出后还没有联系记录。"
        text = QLabel(f"{last}每次与流动党员联系（打电话、发微信、见面、寄送学习资料）都登记一条。")
        text.setWordWrap(True)
        self.form.addRow(text)
        for label, widget in (("联系日期", self.date), ("联系方式", self.how), ("联系人", self.by_whom),
                              ("联系内容", self.note)):
            self.form.addRow(label, widget)
        self.finish()

    def check(self) -> bool | None:
        form = ContactForm(self.date.date().toPython(), ContactHow(self.how.currentData()),
                           self.by_whom.currentText(), self.note.toPlainText())
        village_id, today, member_id = self.village_id, self.today, self.row.member_id
        self.saved = run_checked(self, f"流动党员联系记录（{self.row.name}）",
                                 lambda s: service.add_contact(s, village_id, member_id, form, today), Change.MEMBERS)
        return None


class IntervalDialog(NumberSettingDialog):
    """联系间隔: how many months may pass between two contacts before the contact is overdue."""

    def __init__(self, context, village_id: int, today: dt.date, months: int, parent=None):
        super().__init__(context, "流动党员联系间隔",
                         f"超过这个间隔没有联系的，提醒“联系超期”；满 {rules.LOST_CONTACT_MONTHS} 个月没有联系上的，提醒“失去联系”。",
                         "至少每", months, (rules.SHORTEST_CONTACT_INTERVAL_MONTHS, rules.LONGEST_CONTACT_INTERVAL_MONTHS),
                         " 个月", "contactInterval", "设置流动党员联系间隔", service.set_contact_interval, parent,
                         width=540, wrap=True)
