"""A failing write tells neither the log nor the clerk its SQL, its parameters or the ID number it carried.

The write fails in the data file itself: an ID number that is already there (the unique index), or a
trigger standing in for a constraint no service checks first. Tried through the command line (stderr,
the --json object), through the operation runner (on the GUI thread and off it) and through the
window's uncaught-exception hook; then the log file is read back.
"""

import datetime as dt
import json
import os
import re
import sqlite3
import sys

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from sqlalchemy import select

from partybuild_desktop import logs, paths
from partybuild_desktop.domain.vocabulary import MemberCategory
from partybuild_desktop.services.changes import Change
from partybuild_desktop.store.models import Member
from partybuild_desktop.ui.context import AppContext
from tests.gui.conftest import ScriptedDialogs
from tests.helpers import cli, make_id_for, member, new_store, village

SQL_WORDS = ("INSERT", "UPDATE", "VALUES", "SELECT", "[SQL", "parameters", "sqlite3.", "hide_parameters")


def leaks(text: str, *numbers: str) -> list[str]:
    """What of a failing write's details ``text`` holds."""
    found = [n for n in numbers if n in text] + [w for w in SQL_WORDS if w in text]
    return found + re.findall(r"sqlite3\.\w+Error", text)


def english(text: str) -> list[str]:
    """English words a clerk would be shown (the log file's name and the check command are not)."""
    return re.findall(r"[A-Za-z]{3,}", text.replace("partybuild.log", "").replace("check", ""))


def refuse_insert(folder, table: str, id_number: str) -> None:
    """A trigger that makes the data file refuse one write, as a constraint would."""
    with sqlite3.connect(paths.data_file(folder)) as db:
        db.execute(f"CREATE TRIGGER refuse_for_test BEFORE INSERT ON {table} WHEN NEW.id_number = '{id_number}' "
                   "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: refuse_for_test'); END")


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "data"
    store = new_store(folder)
    with store.session() as session:
        village_id = village(session, "东湖村")
        member(session, village_id, "王建国", joined_date=dt.date(2000, 7, 1), id_number=make_id_for("19700101"))
    store.dispose()
    return folder


def test_a_write_the_data_file_refuses_leaks_nothing_through_the_command_line(folder):
    number = make_id_for("19900307", male=False)
    refuse_insert(folder, "recruit_case", number)
    result = cli("--data-dir", folder, "recruit", "add", "--name", "李新苗", "--applied", "2026-03-01",
                 "--id-number", number)
    assert result.returncode == 2
    assert result.stderr.strip() == logs.DATABASE_REFUSED
    assert leaks(result.stderr + result.stdout, number) == [] and english(result.stderr) == []
    as_json = cli("--data-dir", folder, "recruit", "add", "--name", "李新苗", "--applied", "2026-03-01",
                  "--id-number", number, "--json")
    assert as_json.returncode == 2 and json.loads(as_json.stdout)["error"] == logs.DATABASE_REFUSED
    assert leaks(as_json.stdout + as_json.stderr, number) == [] and english(json.loads(as_json.stdout)["error"]) == []

    log_text = (folder / "partybuild.log").read_text(encoding="utf-8")
    assert "command recruit failed" in log_text and "IntegrityError: CHECK constraint failed: refuse_for_test" in log_text
    assert leaks(log_text, number, number[:17]) == []
    with sqlite3.connect(paths.data_file(folder)) as db:
        assert db.execute("SELECT count(*) FROM recruit_case").fetchone() == (0,)  # nothing written


def test_the_log_file_is_readable_by_its_owner_only(folder):
    cli("--data-dir", folder, "alerts")
    log_file = folder / "partybuild.log"
    assert log_file.exists() and log_file.stat().st_mode & 0o777 == 0o600


@pytest.fixture
def runner(folder, qtbot):
    """The operation runner over the data file, with the log set up as the window sets it up."""
    log_file = paths.setup_logging(folder)
    store = new_store_from(folder)
    context = AppContext(store, folder)
    yield context, log_file
    store.dispose()
    close_log(log_file)


def close_log(log_file) -> None:
    """The test's log handler off the root logger again (later tests write elsewhere)."""
    import logging

    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "baseFilename", None) == str(log_file)]:
        root.removeHandler(handler)
        handler.close()


def new_store_from(folder):
    from partybuild_desktop.store.schema import open_store

    return open_store(paths.data_file(folder), paths.backup_dir(folder))


def duplicate_id_number(session):
    """Another member with 王建国's ID number, past every service: the unique index refuses it."""
    taken = session.scalar(select(Member.id_number).where(Member.name == "王建国"))
    village_id = session.scalar(select(Member.village_id).where(Member.name == "王建国"))
    session.add(Member(village_id=village_id, name="重号人", id_number=taken, category=list(MemberCategory)[0]))
    session.flush()


def taken_number(context) -> str:
    with context.store.session() as session:
        return session.scalar(select(Member.id_number).where(Member.name == "王建国"))


def test_a_duplicate_id_number_leaks_nothing_through_the_runner(runner):
    context, log_file = runner
    number = taken_number(context)
    dialogs = ScriptedDialogs()
    outcome = context.operations.run(f"保存党员（重号人 {number}）", duplicate_id_number, Change.MEMBERS, dialogs=dialogs)
    assert not outcome.ok
    ((kind, title, message),) = dialogs.told
    assert kind == "error" and message == logs.DATABASE_REFUSED
    assert leaks(message, number) == [] and english(message) == []
    log_text = log_file.read_text(encoding="utf-8")
    assert "operation '保存党员' failed" in log_text  # the kind of operation; not the names in its title
    assert "IntegrityError: UNIQUE constraint failed: member.id_number" in log_text
    assert leaks(log_text, number) == [] and "重号人" not in log_text


def test_a_duplicate_id_number_leaks_nothing_off_the_gui_thread(runner, qtbot):
    context, log_file = runner
    number = taken_number(context)
    dialogs, parent = ScriptedDialogs(), QWidget()
    qtbot.addWidget(parent)
    context.operations.run_in_background("导入花名册", lambda session, progress: duplicate_id_number(session),
                                         Change.MEMBERS, dialogs=dialogs, parent=parent)
    qtbot.waitUntil(lambda: bool(dialogs.told), timeout=10000)
    ((kind, _, message),) = dialogs.told
    assert kind == "error" and message == logs.DATABASE_REFUSED and leaks(message, number) == []
    log_text = log_file.read_text(encoding="utf-8")
    assert "background job failed" in log_text and "UNIQUE constraint failed: member.id_number" in log_text
    assert leaks(log_text, number) == []


def test_an_uncaught_database_error_leaks_nothing_in_the_window(runner, monkeypatch):
    from partybuild_desktop import app as app_module

    context, log_file = runner
    number = taken_number(context)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    app_module.install_error_dialog()
    try:
        with context.store.session() as session:
            duplicate_id_number(session)
    except Exception:  # noqa: BLE001 (what the hook is given)
        sys.excepthook(*sys.exc_info())
    (text,) = shown
    assert logs.DATABASE_REFUSED in text and leaks(text, number) == [] and english(text) == []
    log_text = log_file.read_text(encoding="utf-8")
    assert "uncaught exception" in log_text and "IntegrityError" in log_text
    assert leaks(log_text, number) == []


def test_a_message_logged_with_an_id_number_or_a_statement_is_scrubbed(runner):
    import logging

    _, log_file = runner
    number = make_id_for("19650312")
    logging.getLogger("partybuild_desktop.test").warning(
        "row of %s (%s, 13812345678) failed: [SQL: INSERT INTO member (name, id_number) VALUES (?, ?)]", "张三", number)
    log_text = log_file.read_text(encoding="utf-8")
    assert logs.ID_NUMBER_MASK in log_text and logs.PHONE_MASK in log_text and logs.SQL_MASK in log_text
    assert leaks(log_text, number, "13812345678") == []
    assert os.stat(log_file).st_mode & 0o777 == 0o600


def test_a_refusal_that_passed_on_english_text_is_said_in_chinese():
    from partybuild_desktop.cli import CliError, _failure

    try:
        try:
            raise ValueError("Sample larger than population or is negative")
        except ValueError as error:
            raise CliError(str(error)) from error
    except CliError as refusal:
        assert _failure(refusal) == logs.FAULT
    assert _failure(CliError("数据文件中还没有村。")) == "数据文件中还没有村。"
    assert _failure(CliError("no Chinese here")) == logs.FAULT
