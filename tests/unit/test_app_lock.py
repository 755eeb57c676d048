"""The program password's service: argon2id hash in the settings, set / change / remove, idle time, waits."""

import pytest
from sqlalchemy import select

from partybuild_desktop.domain.errors import Refusal
from partybuild_desktop.services import app_lock
from partybuild_desktop.store.models import Setting


def stored(store) -> dict[str, str]:
    with store.session() as session:
        return {row.key: row.value for row in session.scalars(select(Setting))}


def test_no_password_at_first_and_the_default_idle_time(store):
    with store.session() as session:
        assert app_lock.lock_settings(session) == app_lock.LockSettings(enabled=False, idle_minutes=15)
        assert not app_lock.verify(session, "")


def test_set_keeps_only_an_argon2id_hash_and_verifies(store):
    with store.session() as session:
        app_lock.set_password(session, "东湖村2026", "东湖村2026", minutes=10)
    settings = stored(store)
    kept = settings[app_lock.HASH_SETTING]
    assert kept.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert "东湖村2026" not in "".join(settings.values())
    with store.session() as session:
        assert app_lock.lock_settings(session) == app_lock.LockSettings(enabled=True, idle_minutes=10)
        assert app_lock.verify(session, "东湖村2026")
        assert not app_lock.verify(session, "东湖村2025")
        assert not app_lock.verify(session, "")


def test_the_same_password_twice_gives_two_different_hashes(store):
    with store.session() as session:
        app_lock.set_password(session, "abcdef", "abcdef")
        first = app_lock.password_hash(session)
        app_lock.set_password(session, "abcdef", "abcdef", current="abcdef")
        assert app_lock.password_hash(session) != first
        assert app_lock.matches(app_lock.password_hash(session), "abcdef")


@pytest.mark.parametrize("new, repeated, words", [
    ("", "", "请输入新密码"),
    ("      ", "      ", "不能只有空格"),
    ("12345", "12345", "至少要 6 个字符"),
    ("x" * 65, "x" * 65, "最多 64 个字符"),
    ("abc\x1bdef", "abc\x1bdef", "控制字符"),
    ("abcdef", "abcdeg", "两次输入的新密码不一样"),
])
def test_bad_new_passwords_are_refused_in_chinese_and_nothing_is_stored(store, new, repeated, words):
    with pytest.raises(Refusal, match=words):
        with store.session() as session:
            app_lock.set_password(session, new, repeated)
    assert app_lock.HASH_SETTING not in stored(store)


def test_changing_or_removing_takes_the_current_password(store):
    with store.session() as session:
        app_lock.set_password(session, "first-one", "first-one")
    for current in (None, "", "wrong-one"):
        with pytest.raises(app_lock.WrongPassword):
            with store.session() as session:
                app_lock.set_password(session, "second-one", "second-one", current=current)
        with pytest.raises(app_lock.WrongPassword):
            with store.session() as session:
                app_lock.remove_password(session, current)
        with pytest.raises(app_lock.WrongPassword):
            with store.session() as session:
                app_lock.change_idle_minutes(session, 5, current)
    with store.session() as session:
        assert app_lock.verify(session, "first-one")
        assert app_lock.idle_minutes(session) == 15
        app_lock.set_password(session, "second-one", "second-one", current="first-one")
    with store.session() as session:
        assert app_lock.verify(session, "second-one") and not app_lock.verify(session, "first-one")
        app_lock.change_idle_minutes(session, 0, "second-one")
    with store.session() as session:
        assert app_lock.lock_settings(session) == app_lock.LockSettings(enabled=True, idle_minutes=0)
        app_lock.remove_password(session, "second-one")
    assert app_lock.HASH_SETTING not in stored(store)
    with store.session() as session:
        assert not app_lock.lock_settings(session).enabled
        with pytest.raises(Refusal, match="还没有设置程序密码"):
            app_lock.remove_password(session, "second-one")


def test_idle_minutes_bounds_and_a_damaged_setting(store):
    with pytest.raises(Refusal, match="0 到 480 分钟"):
        with store.session() as session:
            app_lock.set_idle_minutes(session, 481)
    with pytest.raises(Refusal):
        with store.session() as session:
            app_lock.set_idle_minutes(session, -1)
    with store.session() as session:
        app_lock.set_idle_minutes(session, 480)
    with store.session() as session:
        assert app_lock.idle_minutes(session) == 480
        session.get(Setting, app_lock.IDLE_SETTING).value = "十五"
    with store.session() as session:
        assert app_lock.idle_minutes(session) == app_lock.IDLE_DEFAULT


def test_a_damaged_hash_matches_nothing(store):
    with store.session() as session:
        app_lock.set_password(session, "abcdef", "abcdef")
    with store.session() as session:
        session.get(Setting, app_lock.HASH_SETTING).value = "$argon2id$broken"
    with store.session() as session:
        assert app_lock.lock_settings(session).enabled  # still locked: a damaged hash does not open the window
        assert not app_lock.verify(session, "abcdef")
        assert not app_lock.matches(None, "abcdef")


def test_five_wrong_tries_are_free_then_the_wait_doubles_up_to_a_cap():
    assert [app_lock.wait_after(n) for n in range(5)] == [0, 0, 0, 0, 0]
    assert [app_lock.wait_after(n) for n in range(5, 10)] == [30, 60, 120, 240, 480]
    assert app_lock.wait_after(11) == app_lock.wait_after(50) == 15 * 60


def test_the_audit_log_says_the_password_was_set_but_never_holds_the_hash(store):
    from partybuild_desktop.services import audit
    from partybuild_desktop.services.changes import Change
    from partybuild_desktop.store.models import AuditEntry

    with store.session() as session:
        app_lock.set_password(session, "abcdef", "abcdef", minutes=10)
        audit.record(session, "设置程序密码", Change.SETTINGS)
    with store.session() as session:
        app_lock.set_password(session, "ghijkl", "ghijkl", current="abcdef")
        audit.record(session, "修改程序密码", Change.SETTINGS)
    with store.session() as session:
        app_lock.remove_password(session, "ghijkl")
        audit.record(session, "取消程序密码", Change.SETTINGS)
    with store.session() as session:
        assert [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))] == [
            "设置程序密码", "修改程序密码", "取消程序密码"]
        connection = session.connection()
        everything = "\n".join(str(row) for table in ("audit_entry", "audit_detail")
                               for row in connection.exec_driver_sql(f"SELECT * FROM {table}"))
    assert "$argon2" not in everything and app_lock.HASH_SETTING not in everything
    assert "app_lock_idle_minutes" in everything  # the idle time is an ordinary setting, recorded as such
