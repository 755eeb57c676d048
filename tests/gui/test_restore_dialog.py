"""文件 → 从备份恢复…: the checked backup beside the current data; the window's automatic backups; the
offer of the newest sound backup when the data file is found damaged at start."""

import os

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QTableWidget

from partybuild_desktop import paths
from partybuild_desktop.services import backups
from partybuild_desktop.services.changes import Change
from partybuild_desktop.store.backup import backup_files
from partybuild_desktop.store.models import Member
from partybuild_desktop.ui.backup_dialogs import ROWS, RestoreDialog, offer_restore_at_start
from partybuild_desktop.ui.main_window import MainWindow
from tests.gui.conftest import ScriptedDialogs

SHOTS = os.environ.get("PARTYBUILD_SHOTS")  # a folder: the dialog is also saved there as a picture


def archive_ten(window, dialogs):
    window.context.operations.run("归档十人", lambda s: s.query(Member).filter(Member.id <= 10).update({"archived": True}),
                                  Change.MEMBERS, dialogs=dialogs)


def test_the_dialog_shows_the_backup_beside_the_current_data(qtbot, sample_store):
    backup = backups.make(sample_store, "periodic")
    with sample_store.session() as session:
        session.query(Member).filter(Member.id <= 10).update({"archived": True})
    dialog = RestoreDialog(backups.compare(sample_store.path, backup))
    qtbot.addWidget(dialog)
    dialog.resize(1280, 720)
    dialog.show()
    values = dialog.values()
    assert values["文件"] == (backup.name, "partybuild.sqlite3")
    assert values["村"][0] == values["村"][1] and "东湖村" in values["村"][0]
    backup_members, current_members = (int(v.split()[0]) for v in values["在册党员"])
    assert backup_members == current_members + 10
    assert values["检查"] == ("完好", "完好")
    table = dialog.findChild(QTableWidget, "restoreComparison")
    assert table.item(ROWS.index("在册党员"), 0).background().color().name() == "#fff3cd", "a difference is marked"
    assert table.item(ROWS.index("村"), 0).background().style() == Qt.NoBrush, "the same village is not"
    assert values["备份时间"][0].endswith("（每 30 分钟定时）") and values["备份时间"][1].startswith("—")
    assert dialog.restore_button.text() == "恢复"
    if SHOTS:
        dialog.grab().save(os.path.join(SHOTS, "restore_dialog_1280x720.png"))


def test_restore_from_the_window_only_when_the_clerk_says_so(qtbot, window_for, sample_store, monkeypatch):
    dialogs = ScriptedDialogs()
    window = window_for(sample_store, dialogs)
    backup = backups.make(sample_store, "periodic")
    dialogs.open_ = backup
    archive_ten(window, dialogs)
    after_edit = window.context.village() and backups.current_contents(sample_store.path).members
    monkeypatch.setattr("partybuild_desktop.ui.backup_dialogs.ask", lambda dialog: False)
    window.restore_from_backup()
    assert backups.current_contents(window.context.store.path).members == after_edit
    shown = []
    monkeypatch.setattr("partybuild_desktop.ui.backup_dialogs.ask", lambda dialog: shown.append(dialog.values()) or True)
    window.restore_from_backup()
    assert dialogs.told[-1][1] == "恢复完成" and "恢复前-" in dialogs.told[-1][2]
    assert backups.current_contents(window.context.store.path).members == after_edit + 10
    assert shown and shown[0]["在册党员"] == (f"{after_edit + 10} 名", f"{after_edit} 名")
    window.context.store.dispose()


def test_a_bad_backup_is_refused_before_the_dialog(qtbot, window_for, sample_store, tmp_path, monkeypatch):
    bad = tmp_path / "空.sqlite3"
    bad.write_bytes(b"")
    dialogs = ScriptedDialogs(open_=bad)
    window = window_for(sample_store, dialogs)
    monkeypatch.setattr("partybuild_desktop.ui.backup_dialogs.ask", lambda dialog: pytest.fail("no dialog for a bad file"))
    window.restore_from_backup()
    kind, title, text = dialogs.told[-1]
    assert kind == "error" and "空文件" in text and "当前数据没有改动" in text


def test_a_backup_every_30_minutes_only_when_something_changed_and_on_exit(qtbot, window_for, sample_store):
    dialogs = ScriptedDialogs()
    window = window_for(sample_store, dialogs)
    folder = paths.backup_dir(window.folder)
    assert window.backup_timer.isActive() and window.backup_timer.interval() == 30 * 60 * 1000
    window.periodic_backup()
    assert backup_files(folder) == [], "nothing changed: no backup"
    archive_ten(window, dialogs)
    window.backup_timer.timeout.emit()
    qtbot.waitUntil(lambda: len(backup_files(folder)) == 1, timeout=15000)
    assert backup_files(folder)[0].reason == "periodic"
    qtbot.waitUntil(lambda: "自动备份" in window.backup_label.text(), timeout=5000)
    window.periodic_backup()
    assert len(backup_files(folder)) == 1, "no change since: no second backup"
    window.close()
    assert [b.reason for b in backup_files(folder)] == ["periodic"], "nothing changed since the last: none on exit"
    window.show()  # opened again, a change, closed: the backup on exit
    archive_ten(window, dialogs)
    window.close()
    assert {b.reason for b in backup_files(folder)} == {"periodic", "exit"}


def test_damage_at_start_offers_the_newest_sound_backup(qtbot, sample_store, data_folder, monkeypatch):
    sound = backups.make(sample_store, "exit")
    sample_store.dispose()
    data = paths.data_file(data_folder)
    data.write_bytes(data.read_bytes()[:-1])
    with pytest.raises(backups.DamagedDataFile) as raised:
        backups.open_data_folder(data_folder)
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: told.append((title, text)))
    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)

    shown = []

    def choose():  # clicks first, so that a failed check below never leaves the box waiting
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
        shown.append((box.text(), box.informativeText(), [b.text() for b in box.buttons()]))
        if SHOTS:
            box.grab().save(os.path.join(SHOTS, "damaged_at_start.png"))
        next(b for b in box.buttons() if b.text() == "恢复这份备份").click()

    QTimer.singleShot(200, choose)
    assert offer_restore_at_start(window, raised.value)
    text, offered, buttons = shown[0]
    assert "不完整" in text and str(data) in text and sound.name in offered and buttons == ["恢复这份备份", "退出"]
    assert told and told[0][0] == "恢复完成"
    store = backups.open_data_folder(data_folder)
    assert backups.current_contents(data).ok
    store.dispose()


def test_closing_a_year_is_preceded_by_a_backup_and_refused_when_none_can_be_made(qtbot, sample_store, data_folder,
                                                                                  monkeypatch):
    import datetime as dt

    from partybuild_desktop.store.backup import BackupFailed
    from partybuild_desktop.ui.points_tab import PointsTab
    from tests.gui.conftest import shown_tab

    tab = shown_tab(qtbot, PointsTab, sample_store, data_folder, dt.date(2026, 11, 23))
    tab.dialogs.answer = True

    def no_room(*args, **kwargs):
        raise BackupFailed("磁盘已满。")

    monkeypatch.setattr("partybuild_desktop.services.backups.make_automatic", no_room)
    tab.close_year()
    assert not tab.board.closed, "no backup, no close"
    assert tab.dialogs.told[-1][0] == "error" and "这一步没有进行" in tab.dialogs.told[-1][2]
    monkeypatch.undo()
    tab.close_year()
    assert tab.board.closed
    assert [b.reason for b in backup_files(paths.backup_dir(data_folder))] == ["year_close"]


def test_the_retention_is_set_in_its_dialog_and_thins_by_it(qtbot, window_for, sample_store):
    from partybuild_desktop.domain.backup_retention import BackupLimits, checked_limits
    from partybuild_desktop.domain.errors import Refusal
    from partybuild_desktop.store.backup import read_limits

    window = window_for(sample_store, ScriptedDialogs())
    dialog = window.open_backup_retention() or window.retention_dialog
    assert [dialog.spins[name].value() for name in ("daily", "weekly", "monthly")] == [12, 10, 9]
    dialog.spins["daily"].setValue(5)
    dialog.spins["monthly"].setValue(0)
    dialog.accept()
    assert dialog.result() == QDialog.Accepted and dialog.saved == BackupLimits(5, 10, 0)
    assert read_limits(window.context.store) == BackupLimits(5, 10, 0)  # what the thinning reads
    with window.context.store.session() as session:
        assert backups.retention(session) == BackupLimits(5, 10, 0)
    with pytest.raises(Refusal, match="按周保留"):
        checked_limits(5, 53, 0)


def test_a_database_error_during_the_restore_is_told_in_chinese(qtbot, window_for, sample_store, monkeypatch):
    import sqlite3

    dialogs = ScriptedDialogs()
    window = window_for(sample_store, dialogs)
    dialogs.open_ = backups.make(sample_store, "periodic")
    monkeypatch.setattr("partybuild_desktop.ui.backup_dialogs.ask", lambda dialog: True)

    def fails(*args, **kwargs):
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(backups, "restore", fails)
    window.restore_from_backup()
    kind, title, text = dialogs.told[-1]
    assert kind == "error" and title == "不能恢复" and "当前数据没有改动" in text
    assert "unable" not in text and "Error" not in text
    assert backups.current_contents(window.context.store.path).ok
    window.context.store.dispose()


def test_the_offer_at_start_says_so_when_there_was_no_data_file_to_keep(qtbot, sample_store, data_folder, monkeypatch):
    backups.make(sample_store, "exit")
    sample_store.dispose()
    offered = backups.DamagedDataFile("数据文件有问题。", backups.newest_sound(paths.backup_dir(data_folder)))
    paths.data_file(data_folder).unlink()  # gone by the time the clerk chooses the backup
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: told.append((title, text)))
    window = MainWindow(data_folder, ScriptedDialogs())
    qtbot.addWidget(window)

    def choose():
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
        next(b for b in box.buttons() if b.text() == "恢复这份备份").click()

    QTimer.singleShot(200, choose)
    assert offer_restore_at_start(window, offered)
    assert told and told[0][0] == "恢复完成" and "没有数据文件" in told[0][1] and "保留在" not in told[0][1]
    assert not list(paths.backup_dir(data_folder).glob("损坏的数据文件-*"))
    assert backups.current_contents(paths.data_file(data_folder)).ok


def test_a_backup_to_a_usb_stick_is_not_a_change_for_the_30_minute_backup(qtbot, window_for, sample_store, tmp_path):
    target = tmp_path / "U盘" / "备份.sqlite3"
    dialogs = ScriptedDialogs(save=target)
    window = window_for(sample_store, dialogs)
    folder = paths.backup_dir(window.folder)
    window.backup_to()
    qtbot.waitUntil(lambda: bool(dialogs.told) and dialogs.told[-1][1] == "备份完成", timeout=15000)
    assert target.exists() and window.backup_label.text().startswith("上次备份：")
    assert not window.changed_since_backup
    window.periodic_backup()
    assert backup_files(folder) == [], "nothing changed but the backup itself: no periodic backup"
    archive_ten(window, dialogs)
    assert window.changed_since_backup, "a change of the data still counts"
