"""The member editor: every national field, the category's own fields, photo and status history.

The layout is ``forms/member_editor.ui``; this class wires it to ``services.members`` (which holds the
same rules the roster import uses).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from partybuild_desktop.domain.dates import parse_date
from partybuild_desktop.domain.vocabulary import (
    Education,
    Gender,
    MemberCategory,
    MemberEventKind,
    Standing,
    management_mode,
)
from partybuild_desktop.services import members as member_service
from partybuild_desktop.services.members import MemberError, MemberForm
from partybuild_desktop.services.photos import PhotoError, crop_for_card
from partybuild_desktop.ui.dialogs import UserDialogs
from partybuild_desktop.ui.forms import load_form

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


def _fill_enum(combo: QComboBox, enum_cls, blank: str | None) -> None:
    if blank is not None:
        combo.addItem(blank, None)
    for item in enum_cls:
        combo.addItem(item.label, item.value)


def _set_combo(combo: QComboBox, value) -> None:
    index = combo.findData(value.value if hasattr(value, "value") else value)
    combo.setCurrentIndex(max(index, 0))


class MemberEditor(QDialog):
    def __init__(self, store, village_id: int, member_id: int | None = None, dialogs: UserDialogs | None = None,
                 parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.store, self.village_id, self.member_id = store, village_id, member_id
        self.today = today or dt.date.today()
        self.dialogs = dialogs or UserDialogs(self)
        self.ui = load_form("member_editor")
        QVBoxLayout(self).addWidget(self.ui)
        self.setLayout(self.layout())
        self.layout().setContentsMargins(0, 0, 0, 0)
        self.setWindowTitle("新增党员" if member_id is None else "党员信息")
        self.resize(self.ui.size())
        self.photo: bytes | None = None
        self.saved_id: int | None = None
        self._setup_choices()
        self._connect()
        if member_id is not None:
            with store.session() as session:
                self._show_form(member_service.load_form(session, member_id))
        else:
            self._show_form(MemberForm())
        self._refresh_history()

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
        with self.store.session() as session:
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
        self.w("is_hub_household").toggled.connect(lambda on: self.w("hub").setEnabled(not on))
        buttons: QDialogButtonBox = self.w("buttons")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence.Save, self, activated=self.save)

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

    def _mark(self, errors: dict[str, str], warnings: dict[str, str]) -> None:
        for name in (*TEXT_FIELDS, *DATE_FIELDS):
            style = ERROR_STYLE if name in errors else WARNING_STYLE if name in warnings else ""
            self.w(name).setStyleSheet(style)
        lines = [f"<span style='color:#b00000'>✗ {text}</span>" for text in errors.values()]
        lines += [f"<span style='color:#9a6700'>! {text}</span>" for text in warnings.values()]
        self.w("problems").setText("<br>".join(lines))

    def _id_number_entered(self) -> None:
        """Fill birth date and gender from the ID number as soon as it is typed."""
        form, date_errors = self.read_form()
        checked = member_service.check_form(form, self.today)
        if "id_number" not in checked.errors and checked.form.id_number:
            self.w("id_number").setText(checked.form.id_number)
            if not self.w("birth_date").text().strip():
                self.w("birth_date").setText(checked.form.birth_date.isoformat())
            if self.w("gender").currentData() is None:
                _set_combo(self.w("gender"), checked.form.gender)
        notes = {k: v for k, v in checked.notes.items()}
        self._mark({k: v for k, v in {**date_errors, **checked.errors}.items() if k == "id_number"},
                   {**checked.warnings, **notes})

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
    def _refresh_history(self) -> None:
        table: QTableWidget = self.w("events")
        table.setColumnCount(3)
        table.setHorizontalHeaderLabels(["日期", "变动", "说明"])
        table.horizontalHeader().setStretchLastSection(True)
        table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.w("change_status").setEnabled(self.member_id is not None)
        if self.member_id is None:
            table.setRowCount(0)
            return
        with self.store.session() as session:
            events = member_service.member_events(session, self.member_id)
        table.setRowCount(len(events))
        for row, event in enumerate(events):
            for column, text in enumerate((event.date.isoformat(), event.kind.label, event.note or "")):
                table.setItem(row, column, QTableWidgetItem(text))

    def change_status(self) -> None:
        dialog = StatusChangeDialog(self, self.today)
        if not dialog.exec():
            return
        kind, date, note = dialog.values()
        try:
            with self.store.session() as session:
                member_service.change_status(session, self.member_id, kind, date, note, today=self.today)
        except MemberError as error:
            self.dialogs.error("状态变动", str(error))
            return
        with self.store.session() as session:
            form = member_service.load_form(session, self.member_id)
        _set_combo(self.w("standing"), form.standing)
        self.w("confirmed_date").setText(form.confirmed_date.isoformat() if form.confirmed_date else "")
        self._refresh_history()

    # --- saving ---------------------------------------------------------------------------------
    def save(self) -> None:
        form, date_errors = self.read_form()
        checked = member_service.check_form(form, self.today)
        errors = {**date_errors, **checked.errors}
        self._mark(errors, checked.warnings)
        if errors:
            first = next(iter(errors))
            self.w(first).setFocus()
            return
        if checked.warnings and not self.dialogs.confirm(
            "请核对", "\n".join(checked.warnings.values()) + "\n\n仍然保存吗？"
        ):
            return
        try:
            with self.store.session() as session:
                self.saved_id = member_service.save_member(session, self.village_id, form, self.member_id, today=self.today)
        except MemberError as error:
            self.dialogs.error("不能保存", str(error))
            return
        self.accept()


class StatusChangeDialog(QDialog):
    """状态变动: kind, date and the reason (required when the member leaves)."""

    def __init__(self, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self.setWindowTitle("状态变动")
        self.kind = QComboBox()
        for kind in member_service.STATUS_CHANGES:
            self.kind.addItem(kind.label, kind.value)
        self.date = QDateEdit(QDate(today or dt.date.today()))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.note = QLineEdit()
        self.note.setPlaceholderText("转出、去世、归档须写明原因或去向")
        form = QFormLayout(self)
        form.addRow("变动", self.kind)
        form.addRow("日期", self.date)
        form.addRow("说明", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[MemberEventKind, dt.date, str]:
        return MemberEventKind(self.kind.currentData()), self.date.date().toPython(), self.note.text()
