"""The program password (设置 → 程序密码): set, change, remove and check it; and how long the window may
stay untouched before it locks.

The password keeps other people off this computer's copy of the program. It does not encrypt the data
file: whoever can read the file (the same Windows account, a copied backup) reads the data without it,
and the command line does not ask for it. Only an argon2id hash is kept (argon2-cffi, RFC 9106's
low-memory parameters), in the data file's settings, so a backup restored brings its own password back.

No Qt here: the lock screen and the dialog are in ``ui/app_lock.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.services.village import get_setting, set_setting
from partybuild_desktop.store.models import Setting

HASH_SETTING = "app_lock_password_hash"
IDLE_SETTING = "app_lock_idle_minutes"
IDLE_DEFAULT = 15  # minutes without keyboard or mouse before the window locks
IDLE_MAX = 480
MIN_LENGTH, MAX_LENGTH = 6, 64

# After this many wrong passwords in a row each further try waits, and each wait is twice the one before.
FREE_TRIES = 5
FIRST_WAIT_SECONDS = 30
LONGEST_WAIT_SECONDS = 15 * 60

_hasher = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4


@dataclass(frozen=True)
class LockSettings:
    enabled: bool  # a password is set
    idle_minutes: int  # 0: asked only when the program starts


class WrongPassword(Refusal):
    """The current password typed to change or remove it is not the one set."""


def lock_settings(session: Session) -> LockSettings:
    return LockSettings(bool(_stored_hash(session)), idle_minutes(session))


def idle_minutes(session: Session) -> int:
    raw = get_setting(session, IDLE_SETTING)
    try:
        minutes = int(raw) if raw is not None else IDLE_DEFAULT
    except ValueError:
        return IDLE_DEFAULT
    return minutes if 0 <= minutes <= IDLE_MAX else IDLE_DEFAULT


def password_hash(session: Session) -> str | None:
    """The stored hash, read on the GUI thread so that the slow check can run on a worker thread."""
    return _stored_hash(session)


def matches(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` is the one ``stored_hash`` was made from (argon2id; takes a fifth of a second
    or so, on purpose). A damaged hash matches nothing."""
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify(session: Session, password: str) -> bool:
    return matches(_stored_hash(session), password)


def check_new_password(password: str, repeated: str) -> None:
    """Refuse a new password that is too short, too long, only spaces, or typed differently the second time."""
    if not password or not password.strip():
        raise Refusal("请输入新密码（不能只有空格）。")
    if len(password) < MIN_LENGTH:
        raise Refusal(f"新密码太短：至少要 {MIN_LENGTH} 个字符（字母、数字或汉字都可以）。")
    if len(password) > MAX_LENGTH:
        raise Refusal(f"新密码太长：最多 {MAX_LENGTH} 个字符。")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in password):
        raise Refusal("新密码中有控制字符，请只用字母、数字、符号或汉字。")
    if password != repeated:
        raise Refusal("两次输入的新密码不一样，请重新输入。")


def set_password(session: Session, new: str, repeated: str, current: str | None = None,
                 minutes: int | None = None) -> None:
    """Set or change the password (the current one must be given when one is set), and the idle time."""
    _check_current(session, current)
    check_new_password(new, repeated)
    if minutes is not None:
        set_idle_minutes(session, minutes)
    _write_hash(session, _hasher.hash(new))


def change_idle_minutes(session: Session, minutes: int, current: str | None) -> None:
    """Only the idle time; while a password is set, changing it takes the password."""
    _check_current(session, current)
    set_idle_minutes(session, minutes)


def set_idle_minutes(session: Session, minutes: int) -> None:
    if not 0 <= minutes <= IDLE_MAX:
        raise Refusal(f"无操作锁定的时间要在 0 到 {IDLE_MAX} 分钟之间（0 表示不自动锁定，只在打开程序时询问密码）。")
    set_setting(session, IDLE_SETTING, str(minutes))


def remove_password(session: Session, current: str) -> None:
    """No password any more: the program opens without asking. Takes the current password."""
    stored = _stored_hash(session)
    if not stored:
        raise Refusal("还没有设置程序密码，不需要取消。")
    _check_current(session, current)
    _write_hash(session, None)


def wait_after(failures: int) -> int:
    """Seconds to wait before the next try after ``failures`` wrong passwords in a row: none for the
    first few, then 30 s, 60 s, 120 s … up to 15 minutes."""
    if failures < FREE_TRIES:
        return 0
    return min(FIRST_WAIT_SECONDS * 2 ** (failures - FREE_TRIES), LONGEST_WAIT_SECONDS)


def _check_current(session: Session, current: str | None) -> None:
    stored = _stored_hash(session)
    if not stored:
        return
    if not current:
        raise WrongPassword("已经设置了程序密码：请先输入当前密码。")
    if not matches(stored, current):
        raise WrongPassword("当前密码不对，没有作任何改动。")


# The hash is read and written with Core statements on the session's connection, in its transaction,
# rather than as a Setting object: the audit log records every changed object's fields old → new, and a
# password hash copied into an append-only log (and its Excel export) could never be taken back. The
# operation's own audit row (设置程序密码, 修改程序密码, 取消程序密码) still says that it was done.
_SETTINGS = Setting.__table__


def _stored_hash(session: Session) -> str | None:
    value = session.connection().execute(
        select(_SETTINGS.c.value).where(_SETTINGS.c.key == HASH_SETTING)).scalar()
    return value or None


def _write_hash(session: Session, value: str | None) -> None:
    connection = session.connection()
    where = _SETTINGS.c.key == HASH_SETTING
    if value is None:
        connection.execute(delete(_SETTINGS).where(where))
    elif not connection.execute(update(_SETTINGS).where(where).values(value=value)).rowcount:
        connection.execute(insert(_SETTINGS).values(key=HASH_SETTING, value=value))
