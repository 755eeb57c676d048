"""The log's formatter and scrub, its file permissions, and what a failure tells the clerk."""

import errno
import logging
import os

import pytest
from sqlalchemy import create_engine, text

from partybuild_desktop import logs
from partybuild_desktop.domain.errors import Refusal
from tests.helpers import make_id, make_id_for

NUMBER = make_id_for("19800215", male=False)


def failing_insert(number: str = NUMBER) -> Exception:
    """A real SQLAlchemy IntegrityError: an ID number already in a unique column."""
    engine = create_engine("sqlite://", hide_parameters=True)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE member (id INTEGER PRIMARY KEY, id_number TEXT UNIQUE)"))
        connection.execute(text("INSERT INTO member (id_number) VALUES (:n)"), {"n": number})
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO member (id_number) VALUES (:n)"), {"n": number})
    except Exception as error:  # noqa: BLE001 (the error under test)
        return error
    raise AssertionError("the insert did not fail")


def test_scrub_masks_id_numbers_phones_and_statements():
    old_style = "110101900307123"
    line = (f"{NUMBER} {make_id('19650312', 123)[:17]}X {old_style} 13912345678 0731-8888888 "
            "[SQL: INSERT INTO member (name) VALUES (?)]\n[SQL parameters hidden due to hide_parameters=True]\n"
            "(Background on this error at: https://sqlalche.me/e/20/gkpj) UPDATE member SET name=? WHERE id=?")
    scrubbed = logs.scrub(line)
    assert NUMBER not in scrubbed and old_style not in scrubbed and "13912345678" not in scrubbed
    assert scrubbed.count(logs.ID_NUMBER_MASK) == 3 and logs.PHONE_MASK in scrubbed
    assert "INSERT" not in scrubbed and "UPDATE" not in scrubbed and "hide_parameters" not in scrubbed
    assert "Background" not in scrubbed and "0731-8888888" in scrubbed  # not every number is personal
    assert logs.scrub("共 18 人，2026-11-23，第 3 行") == "共 18 人，2026-11-23，第 3 行"


def test_a_database_error_is_written_without_its_statement_or_source_lines():
    error = failing_insert()
    full = str(error)
    assert "INSERT INTO member" in full  # what SQLAlchemy itself would print
    written = logs.format_exception_safely(error)
    assert "IntegrityError: UNIQUE constraint failed: member.id_number" in written
    assert "The above exception was the direct cause of the following exception:" in written
    assert "INSERT" not in written and "[SQL" not in written and NUMBER not in written
    assert "sqlite3." not in written and "connection.execute(" not in written  # no source lines
    assert 'line ' in written and "failing_insert" in written  # where it happened is kept


def test_the_formatter_never_reuses_another_handlers_full_text(tmp_path):
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "write of %s failed", (NUMBER,), None)
    error = failing_insert()
    record.exc_info = (type(error), error, error.__traceback__)
    record.exc_text = logging.Formatter().formatException(record.exc_info)  # as another handler caches it
    assert "INSERT" in record.exc_text
    written = logs.SafeFormatter().format(record)
    assert "INSERT" not in written and NUMBER not in written and logs.ID_NUMBER_MASK in written
    assert written.splitlines()[0].endswith(f"ERROR x: write of {logs.ID_NUMBER_MASK} failed")


def test_the_log_and_its_rotated_files_are_private(tmp_path):
    old = tmp_path / logs.LOG_FILE_NAME
    old.write_text("older version\n", encoding="utf-8")
    os.chmod(old, 0o644)
    (tmp_path / f"{logs.LOG_FILE_NAME}.1").write_text("older still\n", encoding="utf-8")
    os.chmod(tmp_path / f"{logs.LOG_FILE_NAME}.1", 0o644)
    old_umask = os.umask(0)
    root = logging.getLogger()
    try:
        path = logs.setup_logging(tmp_path)
        handler = next(h for h in root.handlers if getattr(h, "baseFilename", None) == str(path))
        handler.maxBytes = 300
        for n in range(20):
            logging.getLogger("partybuild_desktop.test").info("line %d of the rotating log", n)
    finally:
        os.umask(old_umask)
        root.removeHandler(handler)
        handler.close()
    files = sorted(tmp_path.glob(f"{logs.LOG_FILE_NAME}*"))
    assert len(files) >= 3
    assert {f.name: f.stat().st_mode & 0o777 for f in files} == {f.name: 0o600 for f in files}
    assert logging.getLogger("sqlalchemy").getEffectiveLevel() == logging.WARNING


@pytest.mark.parametrize("error, said", [
    (Refusal("姓名不能为空，请填写姓名。"), "姓名不能为空，请填写姓名。"),
    (ValueError("日期写法不对，请写成 2026-11-23 这样。"), "日期写法不对，请写成 2026-11-23 这样。"),
    (ValueError("invalid literal for int()"), logs.FAULT),
    (KeyError("internal"), logs.FAULT),
    (OSError(errno.ENOSPC, "No space left on device", "/media/u/报表.xlsx"), "“/media/u/报表.xlsx”无法读写：磁盘或 U 盘已满，请腾出空间后重试。"),
])
def test_what_the_clerk_is_told(error, said):
    assert logs.failure_message(error) == said


def test_a_database_failure_is_told_in_chinese_without_details():
    assert logs.failure_message(failing_insert()) == logs.DATABASE_REFUSED
    engine = create_engine("sqlite://", hide_parameters=True)
    try:
        with engine.begin() as connection:
            connection.execute(text("SELECT id_number FROM no_such_table WHERE id_number = :n"), {"n": NUMBER})
    except Exception as error:  # noqa: BLE001
        told = logs.failure_message(error)
    assert told == logs.DATABASE_FAILED and "no_such_table" not in told and NUMBER not in told
