"""The log file, and what a failure may say: never SQL, its parameters, ID numbers or phone numbers.

The engine already hides statement parameters (``hide_parameters`` in ``store/database.py``), but a
failing write's exception still carries the SQL text, and a traceback's source lines or an exception's
own message can carry more. So the log's formatter writes an exception as its type, the DB-API's own
short message for a database error (``UNIQUE constraint failed: members.id_number``: the constraint,
never the values), and where it happened (file, line, function: no source lines); and every line it
writes is scrubbed of SQL statements, parameter lists and anything shaped like an ID number (18 or 15
digits) or a mobile number. The log file is readable by its owner only where the system supports it.

``failure_message`` is what the clerk is told about a failure that is not a refusal: Chinese, with no
detail of the exception (those go to the log).

No Qt and no data layer here: the window's start and the command line both set up the log before
anything else is imported.
"""

from __future__ import annotations

import errno
import logging
import logging.handlers
import os
import re
import traceback
from pathlib import Path

LOG_FILE_NAME = "partybuild.log"
MAX_BYTES, BACKUP_COUNT = 1_000_000, 5
PRIVATE_MODE = 0o600

FAULT = "程序内部出错，没有保存任何改动。请把数据文件夹中的日志文件 partybuild.log 交给技术人员。"
DATABASE_REFUSED = ("数据文件拒绝了这次写入（与已有的记录冲突，或不符合数据文件的规则），没有保存任何改动。"
                    "请核对刚才填写的内容；仍然不行时，请把数据文件夹中的日志文件 partybuild.log 交给技术人员。")
DATABASE_FAILED = ("读写数据文件时出错，没有保存任何改动。请关闭程序后重新打开；仍然不行时，请运行 check 命令检查数据文件，"
                   "并把数据文件夹中的日志文件 partybuild.log 交给技术人员。")

FAULTS = (FAULT, DATABASE_REFUSED, DATABASE_FAILED)  # the program's failures, not the clerk's: logged in full

ID_NUMBER_MASK = "[身份证号已隐去]"
PHONE_MASK = "[电话已隐去]"
SQL_MASK = "[数据库语句已隐去]"

_SCRUBS = (
    # SQLAlchemy's rendering of a statement error: "[SQL: …]", "[parameters: …]", "(Background on this error at: …)".
    (re.compile(r"\[SQL: .*?\](?=\s*(?:\[|\(Background|$))", re.S), SQL_MASK),
    (re.compile(r"\[parameters: .*?\](?=\s*(?:\(Background|$))", re.S), ""),
    (re.compile(r"\[SQL parameters hidden[^\]]*\]"), ""),
    (re.compile(r"\(Background on this error at: [^)]*\)"), ""),
    (re.compile(r"\((?:sqlite3|pysqlite|psycopg2?|pymysql)\.[\w.]+\)\s*"), ""),
    # A statement anywhere else (SQL keywords are written in capitals by SQLAlchemy and by this program).
    (re.compile(r"\b(?:INSERT INTO|INSERT OR \w+ INTO|UPDATE \S+ SET|DELETE FROM|SELECT\b.*?\bFROM)\b[^\n]*"), SQL_MASK),
    (re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"), ID_NUMBER_MASK),
    (re.compile(r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])"), ID_NUMBER_MASK),
    (re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"), PHONE_MASK),
)


def scrub(text: str) -> str:
    """``text`` without SQL statements, parameter lists, ID numbers or mobile numbers."""
    for pattern, replacement in _SCRUBS:
        text = pattern.sub(replacement, text)
    return text


def is_database_error(error: BaseException) -> bool:
    """A SQLAlchemy statement error or a DB-API error (told by shape: this module imports no data layer)."""
    return (hasattr(error, "statement") and hasattr(error, "orig")) or type(error).__module__ == "sqlite3"


def _is_integrity_error(error: BaseException) -> bool:
    names = {type(error).__name__}
    orig = getattr(error, "orig", None)
    if orig is not None:
        names.add(type(orig).__name__)
    return "IntegrityError" in names


def exception_summary(error: BaseException) -> str:
    """``Type: message`` as the log may hold it: a database error by its DB-API message only."""
    if hasattr(error, "statement") and hasattr(error, "orig"):
        orig = error.orig
        message = str(orig) if orig is not None else ""
    else:
        try:
            message = str(error)
        except Exception:  # noqa: BLE001 (an exception whose __str__ fails still gets a line)
            message = ""
    return scrub(f"{type(error).__name__}: {message}" if message else type(error).__name__)


def format_exception_safely(error: BaseException) -> str:
    """A traceback without source lines or SQL: for each exception of the chain, where it was raised
    (file, line, function) and its summary, the cause first as Python prints it."""
    chain: list[tuple[BaseException, str | None]] = []  # the exception, and how it follows from the next
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if current.__cause__ is not None:
            link, following = "The above exception was the direct cause of the following exception:", current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            link, following = "During handling of the above exception, another exception occurred:", current.__context__
        else:
            link, following = None, None
        chain.append((current, link))
        current = following
    lines: list[str] = []
    for exc, link in reversed(chain):
        if link and lines:
            lines += ["", link, ""]
        lines.append("Traceback (most recent call last):")
        for frame in traceback.extract_tb(exc.__traceback__):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
        lines.append(exception_summary(exc))
    return scrub("\n".join(lines))


class SafeFormatter(logging.Formatter):
    """``time LEVEL logger: message``, the exception written safely, everything scrubbed. The cached
    ``record.exc_text`` of another handler is never used (it may hold the full text)."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 (a bad format string in a log call must not lose the line)
            message = str(record.msg)
        text = f"{self.formatTime(record, self.datefmt)} {record.levelname} {record.name}: {message}"
        if record.exc_info and record.exc_info[1] is not None:
            text += "\n" + format_exception_safely(record.exc_info[1])
        if record.stack_info:
            text += "\n" + self.formatStack(record.stack_info)
        return scrub(text)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files only their owner may read (0600 on POSIX; Windows keeps its own
    per-user permissions of the data folder)."""

    def _open(self):
        if os.name != "posix":
            return super()._open()
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_MODE)
        try:
            os.fchmod(fd, PRIVATE_MODE)  # a log made before by an older version, readable by all
        except OSError:
            pass
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def setup_logging(folder: Path, level: int = logging.INFO) -> Path:
    """The rotating log file in the data folder (1 MB × 5), once per process."""
    log_path = Path(folder) / LOG_FILE_NAME
    root = logging.getLogger()
    if not any(getattr(h, "baseFilename", None) == str(log_path) for h in root.handlers):
        handler = PrivateRotatingFileHandler(log_path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8")
        handler.setFormatter(SafeFormatter())
        root.addHandler(handler)
        _make_private(log_path)
    root.setLevel(level)
    # SQLAlchemy's own loggers write statements at INFO; they stay at WARNING whatever the root level.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    return log_path


def _make_private(log_path: Path) -> None:
    if os.name != "posix":
        return
    for number in range(1, BACKUP_COUNT + 1):  # the rotated files an older version left readable by all
        try:
            os.chmod(f"{log_path}.{number}", PRIVATE_MODE)
        except OSError:
            pass


def failure_message(error: BaseException) -> str:
    """What the clerk is told about a failure: a refusal's own words; a file or a database problem in
    plain Chinese; anything else as a fault of the program. Never SQL, values or English text."""
    from partybuild_desktop.domain.errors import Refusal, has_chinese

    if isinstance(error, Refusal) or (isinstance(error, ValueError) and has_chinese(str(error))):
        return str(error)
    if is_database_error(error):
        return DATABASE_REFUSED if _is_integrity_error(error) else DATABASE_FAILED
    if isinstance(error, OSError):
        return file_problem(error)
    return FAULT


def file_problem(error: OSError) -> str:
    """An OSError in Chinese: which file, and what to do."""
    where = f"“{error.filename}”" if getattr(error, "filename", None) else "文件"
    reasons = {
        errno.ENOSPC: "磁盘或 U 盘已满，请腾出空间后重试。",
        errno.EACCES: "没有权限写入，请换一个位置，或检查文件是否只读。",
        errno.EPERM: "没有权限写入，请换一个位置，或检查文件是否只读。",
        errno.EROFS: "该位置只读（U 盘可能有写保护开关），请换一个位置。",
        errno.ENOENT: "找不到该文件或文件夹，请检查 U 盘是否插好。",
        errno.EIO: "读写出错，U 盘可能已被拔下或已损坏。",
    }
    return f"{where}无法读写：{reasons.get(error.errno, '请检查 U 盘是否插好、位置是否可写。')}"
