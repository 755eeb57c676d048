"""The member editor: every national field, the category's own fields, photo and status history.

The layout is ``forms/member_editor.ui`` (a plain widget placed in this dialog); this class wires it to
``services.members`` (which holds the same rules the roster import uses). Nothing is written before OK:
status changes, corrections and removals of status records are collected with the form and saved
together in one operation; 取消, Esc and the close button discard them, asking first when anything
was typed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.domain import membership
from partybuild_desktop.domain.dates import parse_date
from partybuild_desktop.domain.membership import HistoryEdit, MemberState, StatusEvent
from partybuild_desktop.domain.vocabulary import (
    Education,
    Gender,
    MemberCategory,
    MemberEventKind,
    Standing,
    management_mode,
)
from partybuild_desktop.services import members as member_service
from partybuild_desktop.services.changes import Change
from partybuild_desktop.services.members import MemberForm
from partybuild_desktop.services.photos import PhotoError, crop_for_card
from partybuild_desktop.ui.checked import CheckedDialog
from partybuild_desktop.ui.dialogs import UserDialogs
from partybuild_desktop.ui.forms import load_form
from partybuild_desktop.ui.widgets import make_copyable

CATEGORY_PAGES = (MemberCategory.EMPLOYED, MemberCategory.FARMER, MemberCategory.MIGRANT, MemberCategory.ELDERLY)
TEXT_FIELDS = (
    "name", "ethnicity", "id_number", "job_post", "native_place", "degree", "mobile", "landline", "address",
    "employer", "employer_contact", "post", "away_reason", "away_province", "away_city", "away_county",
    "away_contact", "away_occupation", "activity_card_no",
)
DATE_FIELDS = {"birth_date": "出生日期", "joined_date": "加入党组织日期", "confirmed_date": "转为正式党员日期",
               "away_since": "外出时间"}
ENUM_FIELDS = {"gender": Gender, "education": Education, "standing": Standing, "category": MemberCategory}
ERROR_STYLE = "background: #fde2e2;"
WARNING_STYLE = "background: #fff3cd;"
PENDING_COLOUR = QColor("#1f5fbf")
FOLLOWS_HISTORY = "由状态记录决定：转正请用“状态记录 → 状态变动”，录错请在状态记录中改正或删除。"


def _fill_enum(combo: QComboBox, enum_cls, blank: str | None) -> None:
    if blank is not None:
        combo.addItem(blank, None)
    for item in enum_cls:
        combo.addItem(item.label, item.value)


def _set_combo(combo: QComboBox, value) -> None:
    index = combo.findData(value.value if hasattr(value, "value") else value)
    combo.setCurrentIndex(max(index, 0))


class MemberEditor(QDialog):
    def __init__(self, context, member_id: int | None = None, dialogs: UserDialogs | None = None, parent=None,
                 today: dt.date | None = None):
        super().__init__(parent)
        self.context, self.member_id = context, member_id
        self.village_id = context.village().id
        self.today = today or dt.date.today()
        self.dialogs = dialogs or UserDialogs(self)
        self.ui = load_form("member_editor", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.ui)
        self.setWindowTitle("新增党员" if member_id is None else "党员信息")
        self.resize(self.ui.size())
        self.photo: bytes | None = None
        self.saved_id: int | None = None
        self.status: member_service.MemberStatusView | None = None
        self.edit = HistoryEdit()  # status changes made in this editor, saved with OK
        self._checking = False  # problems follow the form once a save was tried or an ID number entered
        self._setup_choices()
        with context.store.session() as session:
            if member_id is not None:
                form = member_service.load_form(session, member_id)
                self.status = member_service.load_status(session, member_id)
            else:
                form = MemberForm()
        self._show_form(form)
        self._setup_history()
        self._show_history()
        self._connect()
        self._typed = self._snapshot()

    def w(self, name: str):
        widget = self.ui.findChild(QWidget, name)
        if widget is None:
            raise LookupError(f"forms/member_editor.ui has no widget {name!r}")
        return widget

    # --- set-up ---------------------------------------------------------------------------------
    def _setup_choices(self) -> None:
        _fill_enum(self.w("gender"), Gender, "（由身份证号判断）")
        _fill_enum(self.w("education"), Education, "（未填）")
        _fill_enum(self.w("standing"), Standing, None)
        _fill_enum(self.w("category"), MemberCategory, None)
        with self.context.store.session() as session:
            choices = {
                "party_group": member_service.party_groups(session, self.village_id),
                "grid": member_service.grids(session, self.village_id),
                "hub": [c for c in member_service.hub_households(session, self.village_id) if c.id != self.member_id],
            }
        for name, items in choices.items():
            combo = self.w(name)
            combo.addItem("（无）", None)
            for item in items:
                combo.addItem(item.name, item.id)

    def _connect(self) -> None:
        self.w("category").currentIndexChanged.connect(self._category_changed)
        self.w("id_number").editingFinished.connect(self._id_number_entered)
        self.w("photo_import").clicked.connect(self.import_photo)
        self.w("photo_clear").clicked.connect(lambda: self._show_photo(None))
        self.w("change_status").clicked.connect(self.change_status)
        self.w("correct_event").clicked.connect(self.correct_event)
        self.w("remove_event").clicked.connect(self.remove_event)
        self.w("events").itemSelectionChanged.connect(self._enable_event_buttons)
        make_copyable(self.w("events"))
        self.w("is_hub_household").toggled.connect(lambda on: self.w("hub").setEnabled(not on))
        buttons: QDialogButtonBox = self.w("buttons")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence.Save, self, activated=self.save)
        # Problems shown follow the form as it is now (a new category drops the old category's warning).
        for widget in self.ui.findChildren(QLineEdit):
            widget.textChanged.connect(self._form_changed)
        for widget in self.ui.findChildren(QComboBox):
            widget.currentIndexChanged.connect(self._form_changed)
        for widget in self.ui.findChildren(QCheckBox):
            widget.toggled.connect(self._form_changed)
        for widget in self.ui.findChildren(QPlainTextEdit):
            widget.textChanged.connect(self._form_changed)

    def _category_changed(self) -> None:
        category = MemberCategory(self.w("category").currentData())
        self.w("category_pages").setCurrentIndex(CATEGORY_PAGES.index(category))
        self.w("management_mode").setText(management_mode(category).label)

    # --- form <-> widgets -----------------------------------------------------------------------
    def _show_form(self, form: MemberForm) -> None:
        for name in TEXT_FIELDS:
            self.w(name).setText(getattr(form, name) or "")
        for name in DATE_FIELDS:
            value = getattr(form, name)
            self.w(name).setText(value.isoformat() if value else "")
        for name in ENUM_FIELDS:
            _set_combo(self.w(name), getattr(form, name))
        _set_combo(self.w("party_group"), form.party_group_id)
        _set_combo(self.w("grid"), form.grid_id)
        _set_combo(self.w("hub"), form.hub_id)
        self.w("is_hub_household").setChecked(form.is_hub_household)
        self.w("hub").setEnabled(not form.is_hub_household)
        self.w("is_committee_member").setChecked(form.is_committee_member)
        self.w("care_needs").setPlainText(form.care_needs or "")
        self.w("visit_interval_days").setValue(form.visit_interval_days or 0)
        self.w("notes").setPlainText(form.notes or "")
        self._show_photo(form.photo)
        self._category_changed()

    def read_form(self) -> tuple[MemberForm, dict[str, str]]:
        """The form as typed, and the date fields that could not be read."""
        values, errors = {}, {}
        for name in TEXT_FIELDS:
            values[name] = self.w(name).text()
        for name, label in DATE_FIELDS.items():
            text = self.w(name).text().strip()
            values[name] = None
            if text:
                parsed = parse_date(text, today=self.today)
                if parsed.ok:
                    values[name] = parsed.value
                else:
                    errors[name] = f"{label}：{parsed.message}"
        for name, enum_cls in ENUM_FIELDS.items():
            data = self.w(name).currentData()
            values[name] = enum_cls(data) if data is not None else None
        values["party_group_id"] = self.w("party_group").currentData()
        values["grid_id"] = self.w("grid").currentData()
        values["is_hub_household"] = self.w("is_hub_household").isChecked()
        values["hub_id"] = None if values["is_hub_household"] else self.w("hub").currentData()
        values["is_committee_member"] = self.w("is_committee_member").isChecked()
        values["care_needs"] = self.w("care_needs").toPlainText()
        values["visit_interval_days"] = self.w("visit_interval_days").value() or None
        values["notes"] = self.w("notes").toPlainText()
        values["photo"] = self.photo
        return MemberForm(**values), errors

    def _snapshot(self) -> tuple:
        """Everything the clerk can change, as shown: compared with the start to know whether to ask."""
        texts = tuple(w.text() for w in self.ui.findChildren(QLineEdit))
        plain = tuple(w.toPlainText() for w in self.ui.findChildren(QPlainTextEdit))
        combos = tuple(w.currentIndex() for w in self.ui.findChildren(QComboBox))
        checks = tuple(w.isChecked() for w in self.ui.findChildren(QCheckBox))
        spins = tuple(w.value() for w in self.ui.findChildren(QSpinBox))
        return texts, plain, combos, checks, spins, self.photo, self.edit

    def has_changes(self) -> bool:
        return self._snapshot() != self._typed

    def _mark(self, errors: dict[str, str], warnings: dict[str, str]) -> None:
        for name in (*TEXT_FIELDS, *DATE_FIELDS):
            style = ERROR_STYLE if name in errors else WARNING_STYLE if name in warnings else ""
            self.w(name).setStyleSheet(style)
        lines = [f"<span style='color:#b00000'>✗ {text}</span>" for text in errors.values()]
        lines += [f"<span style='color:#9a6700'>! {text}</span>" for text in warnings.values()]
        self.w("problems").setText("<br>".join(lines))

    def _check(self):
        """The form's errors and warnings as it is now."""
        form, date_errors = self.read_form()
        checked = member_service.check_form(form, self.today)
        return form, {**date_errors, **checked.errors}, checked

    def _form_changed(self) -> None:
        if self._checking:
            _, errors, checked = self._check()
            self._mark(errors, {**checked.warnings, **checked.notes})

    def _id_number_entered(self) -> None:
        """Fill birth date and gender from the ID number as soon as it is typed."""
        form, _ = self.read_form()
        checked = member_service.check_form(form, self.today)
        if "id_number" not in checked.errors and checked.form.id_number:
            self.w("id_number").setText(checked.form.id_number)
            if not self.w("birth_date").text().strip():
                self.w("birth_date").setText(checked.form.birth_date.isoformat())
            if self.w("gender").currentData() is None:
                _set_combo(self.w("gender"), checked.form.gender)
        self._checking = True
        self._form_changed()

    # --- photo ----------------------------------------------------------------------------------
    def _show_photo(self, data: bytes | None) -> None:
        self.photo = data
        label: QLabel = self.w("photo")
        if data:
            pixmap = QPixmap()
            pixmap.loadFromData(data)
            label.setPixmap(pixmap.scaled(label.maximumSize(), Qt.KeepAspectRatio, Qt.SmoothTransformation))
        else:
            label.setPixmap(QPixmap())
            label.setText("无照片")

    def import_photo(self) -> None:
        from pathlib import Path

        path = self.dialogs.open_file("选择照片", Path.home(), "图片 (*.jpg *.jpeg *.png *.bmp)")
        if path is None:
            return
        try:
            self._show_photo(crop_for_card(path.read_bytes()))
        except (PhotoError, OSError) as error:
            self.dialogs.error("照片", str(error))

    # --- status history -------------------------------------------------------------------------
    def _setup_history(self) -> None:
        table: QTableWidget = self.w("events")
        table.setColumnCount(3)
        table.setHorizontalHeaderLabels(["日期", "变动", "说明"])
        table.horizontalHeader().setStretchLastSection(True)
        table.setEditTriggers(QTableWidget.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.setSelectionMode(QAbstractItemView.SingleSelection)
        table.verticalHeader().setVisible(False)
        self.w("change_status").setEnabled(self.member_id is not None)
        if self.member_id is None:
            self.w("status_summary").setText("保存新党员后，可在这里登记转正、失联、转出等状态变动。")

    def _card(self, edit: HistoryEdit) -> MemberState:
        """The card's state, with 人员类别 and 转正日期 as typed while no status record decides them."""
        card = self.status.card
        if membership.standing_follows_history([*self.status.history, *edit.added, *edit.corrected]):
            return card
        form, _ = self.read_form()
        return replace(card, standing=form.standing or card.standing, confirmed_date=form.confirmed_date)

    def state_with(self, edit: HistoryEdit) -> MemberState:
        """The member's state if ``edit`` were saved; refused (MembershipError) when it makes no sense."""
        return membership.state_after_edit(self._card(edit), self.status.history, edit, self.today)

    def history_rows(self) -> list[StatusEvent]:
        return self.edit.apply(self.status.history) if self.status else []

    def _show_history(self) -> None:
        table: QTableWidget = self.w("events")
        rows = self.history_rows()
        self._rows = rows
        pending = {id(event) for event in self.edit.added} | {id(event) for event in self.edit.corrected}
        table.setRowCount(len(rows))
        for row, event in enumerate(rows):
            note = event.note or ""
            if id(event) in pending:
                note = f"{note}（未保存，按“保存”后生效）" if note else "（未保存，按“保存”后生效）"
            for column, text in enumerate((event.date.isoformat(), event.kind.label, note)):
                item = QTableWidgetItem(text)
                if id(event) in pending:
                    item.setForeground(QBrush(PENDING_COLOUR))
                if event.kind not in membership.STATUS_CHANGES:
                    item.setToolTip("自动记录（入党日期、类别变更），不能在这里改正或删除")
                table.setItem(row, column, item)
        if self.status is not None:
            self._show_state()
        self._enable_event_buttons()

    def _show_state(self) -> None:
        """What the status changes make of the member, shown on the form as it will be saved."""
        state = self.state_with(self.edit)
        follows = membership.standing_follows_history(self.history_rows())
        for name in ("standing", "confirmed_date"):
            self.w(name).setEnabled(not follows)
            self.w(name).setToolTip(FOLLOWS_HISTORY if follows else "")
        if follows:
            _set_combo(self.w("standing"), state.standing)
            self.w("confirmed_date").setText(state.confirmed_date.isoformat() if state.confirmed_date else "")
        hub = self.w("is_hub_household")
        if state.archived:
            hub.setChecked(False)
        hub.setEnabled(not state.archived)
        hub.setToolTip("已离开的党员不再是中心户" if state.archived else "")
        self.w("change_status").setEnabled(bool(membership.allowed_changes(state)))
        pending = "（含未保存的变动）" if self.edit else ""
        self.w("status_summary").setText(f"现在：{membership.describe(state)}{pending}")

    def _selected_event(self) -> StatusEvent | None:
        row = self.w("events").currentRow()
        selected = self.w("events").selectionModel().hasSelection()
        return self._rows[row] if selected and 0 <= row < len(self._rows) else None

    def _enable_event_buttons(self) -> None:
        event = self._selected_event()
        correctable = event is not None and event.kind in membership.STATUS_CHANGES
        self.w("correct_event").setEnabled(correctable)
        self.w("remove_event").setEnabled(correctable)

    def _replacing(self, old: StatusEvent, new: StatusEvent | None) -> HistoryEdit:
        """The edit with ``old`` (a row of the history as shown) corrected to ``new``, or removed."""
        added = tuple(e for e in self.edit.added if e is not old)
        if old.id is None:  # a change not saved yet: replaced or dropped
            return replace(self.edit, added=added + ((new,) if new is not None else ()))
        corrected = tuple(e for e in self.edit.corrected if e.id != old.id)
        if new is None:
            return HistoryEdit(self.edit.added, corrected, self.edit.removed | {old.id})
        return HistoryEdit(self.edit.added, corrected + (replace(new, id=old.id),), self.edit.removed)

    def _set_edit(self, edit: HistoryEdit) -> None:
        self.edit = edit
        self._show_history()

    def change_status(self) -> None:
        """状态变动…: the changes that make sense now; kept until OK."""
        kinds = membership.allowed_changes(self.state_with(self.edit))

        def check(event: StatusEvent) -> HistoryEdit:
            edit = replace(self.edit, added=self.edit.added + (event,))
            self.state_with(edit)
            return edit

        dialog = StatusChangeDialog(self, self.today, kinds, check=check)
        if dialog.exec():
            self._set_edit(dialog.edit)

    def correct_event(self) -> None:
        old = self._selected_event()
        if old is None or old.kind not in membership.STATUS_CHANGES:
            return

        def check(event: StatusEvent) -> HistoryEdit:
            edit = self._replacing(old, event)
            self.state_with(edit)
            return edit

        dialog = StatusChangeDialog(self, self.today, membership.STATUS_CHANGES, event=old, check=check)
        if dialog.exec():
            self._set_edit(dialog.edit)

    def remove_event(self) -> None:
        old = self._selected_event()
        if old is None or old.kind not in membership.STATUS_CHANGES:
            return
        edit = self._replacing(old, None)
        try:
            self.state_with(edit)
        except membership.MembershipError as error:
            self.dialogs.error("删除状态记录", f"不能删除{old.title()}：{error}")
            return
        if self.dialogs.confirm("删除状态记录", f"删除{old.title()}？党员状态将按其余记录重新确定（按“保存”后生效）。"):
            self._set_edit(edit)

    # --- saving and closing ---------------------------------------------------------------------
    def save(self) -> None:
        form, errors, checked = self._check()
        self._checking = True
        self._mark(errors, checked.warnings)
        if errors:
            self.w(next(iter(errors))).setFocus()
            return
        if checked.warnings and not self.dialogs.confirm(
            "请核对", "\n".join(checked.warnings.values()) + "\n\n仍然保存吗？"
        ):
            return
        edit, member_id, village_id, today = self.edit, self.member_id, self.village_id, self.today
        outcome = self.context.operations.run(
            "保存党员信息" if member_id is not None else "新增党员",
            lambda session: member_service.save_member_edit(session, village_id, form, member_id, edit, today),
            Change.MEMBERS, dialogs=self.dialogs, initiator=self)
        if outcome.ok:
            self.saved_id = outcome.value
            super().accept()

    def accept(self) -> None:  # Enter in a field is the same as 保存
        self.save()

    def reject(self) -> None:
        """取消, Esc and the close button: close the whole editor, asking first when something was typed."""
        if self.has_changes() and not self.dialogs.confirm(
            "放弃修改", "填写或改动的内容（包括状态变动）还没有保存。放弃这些改动并关闭吗？"
        ):
            return
        super().reject()


class StatusChangeDialog(CheckedDialog):
    """状态变动 (or the correction of one): kind, date and the reason (required when the member leaves).

    ``check(event)`` says whether the change makes sense with the member's history, raising a Refusal
    when it does not; the dialog then stays open with what was typed. Nothing is written here."""

    def __init__(self, parent=None, today: dt.date | None = None, kinds=membership.STATUS_CHANGES, *,
                 event: StatusEvent | None = None, check=None):
        super().__init__(parent)
        self.today = today or dt.date.today()
        self.setWindowTitle("改正状态记录" if event else "状态变动")
        self.setMinimumWidth(420)
        self.check_event = check
        self.edit: HistoryEdit | None = None
        self.kind = QComboBox()
        self.kind.setObjectName("statusKind")
        for kind in kinds:
            self.kind.addItem(kind.label, kind.value)
        self.date = QDateEdit(QDate(event.date if event else self.today))
        self.date.setObjectName("statusDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMaximumDate(QDate(self.today))  # a status change has already happened
        self.note = QLineEdit((event.note or "") if event else "")
        self.note.setObjectName("statusNote")
        self.note.setPlaceholderText("转出、去世、归档须写明原因或去向")
        if event is not None:
            self.kind.setCurrentIndex(max(self.kind.findData(event.kind.value), 0))
        form = QFormLayout(self)
        if not kinds:
            form.addRow(QLabel("该党员已离开（已归档），没有可以登记的状态变动。"))
        form.addRow("变动", self.kind)
        form.addRow("日期", self.date)
        form.addRow("说明", self.note)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def value(self) -> StatusEvent:
        kind = self.kind.currentData()
        if kind is None:
            raise membership.MembershipError("请选择一种状态变动。")
        return StatusEvent(MemberEventKind(kind), self.date.date().toPython(), self.note.text())

    def check(self) -> None:
        event = membership.check_entry(self.value(), self.today)
        self.edit = self.check_event(event) if self.check_event else HistoryEdit(added=(event,))
