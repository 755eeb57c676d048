"""Which automatic backups are kept: the rule on its own, then a simulated week of starts and edits on
real files."""

import datetime as dt

from partybuild_desktop.domain.backup_retention import BackupLimits, kept, obsolete, start_backup_due
from partybuild_desktop.services import backups
from partybuild_desktop.store.backup import backup_files, read_limits


def at(y, m, d, h=0, minute=0):
    return dt.datetime(y, m, d, h, minute)


def test_the_rule_on_a_handful_of_backups():
    """Anki's own example, with 3 daily, 2 weekly and 1 monthly kept."""
    today = at(2022, 2, 22)
    limits = BackupLimits(daily=3, weekly=2, monthly=1)
    backups_ = {
        at(2022, 2, 22): False, at(2022, 2, 22, 1): False, at(2022, 2, 21): False,  # today and yesterday
        at(2022, 2, 20, 6): True, at(2022, 2, 20, 18): False, at(2022, 2, 10): False, at(2022, 2, 9): False,  # daily
        at(2022, 2, 7): True,  # a Monday, its week already kept
        at(2022, 2, 6, 1): True, at(2022, 2, 6, 2): False, at(2022, 1, 6): False,  # weekly
        at(2022, 1, 5): True, at(2021, 12, 24): False, at(2021, 12, 1): True, at(2021, 11, 1): True,  # monthly
    }
    assert obsolete(backups_, today, limits) == {t for t, gone in backups_.items() if gone}


def test_a_year_and_a_half_of_daily_use_leaves_today_yesterday_12_days_10_weeks_9_months():
    """Every day from June 2025: a backup at start (08:00), one at noon (30 minutes after a change) and
    one on exit (17:30). On Monday 2026-11-23 exactly these are left."""
    times, day = [], dt.date(2025, 6, 1)
    today = dt.date(2026, 11, 23)
    while day <= today:
        times += [dt.datetime.combine(day, dt.time(h, m)) for h, m in ((8, 0), (12, 0), (17, 30))]
        day += dt.timedelta(days=1)
    now = dt.datetime(2026, 11, 23, 17, 45)
    left = kept(times, now)

    def evening(d):
        return dt.datetime.combine(d, dt.time(17, 30))

    expected = {t for t in times if t.date() >= dt.date(2026, 11, 22)}  # today's and yesterday's, all six
    expected |= {evening(dt.date(2026, 11, 21) - dt.timedelta(days=i)) for i in range(12)}  # 11-21 … 11-10
    # 11-10 is a Tuesday: its week is covered, so the weeks start with Sunday 11-08, ten Sundays back.
    expected |= {evening(dt.date(2026, 11, 8) - dt.timedelta(weeks=i)) for i in range(10)}  # … 09-06
    # September is covered by 09-06; then the last day of each earlier month, nine of them.
    expected |= {evening(d) for d in (dt.date(2026, 8, 31), dt.date(2026, 7, 31), dt.date(2026, 6, 30),
                                      dt.date(2026, 5, 31), dt.date(2026, 4, 30), dt.date(2026, 3, 31),
                                      dt.date(2026, 2, 28), dt.date(2026, 1, 31), dt.date(2025, 12, 31))}
    assert len(expected) == 6 + 12 + 10 + 9
    assert left == expected


def test_limits_of_zero_keep_only_today_and_yesterday():
    times = [at(2026, 11, d, 9) for d in range(1, 24)]
    assert kept(times, at(2026, 11, 23, 18), BackupLimits(0, 0, 0)) == {at(2026, 11, 22, 9), at(2026, 11, 23, 9)}


def test_a_start_backup_is_due_after_a_day():
    now = at(2026, 11, 23, 8)
    assert start_backup_due(None, now)
    assert not start_backup_due(now - dt.timedelta(hours=23), now)
    assert start_backup_due(now - dt.timedelta(hours=24), now)


def test_a_simulated_fortnight_of_starts_and_edits_leaves_exactly_the_retained_set(sample_store):
    """Two weeks on real files: each day the window starts (a backup when the last is a day old), the
    clerk edits (a backup each 30 minutes with changes: here twice) and quits (one more). The folder holds
    exactly what the rule keeps, with 2 daily, 1 weekly and 1 monthly set in the file's settings."""
    with sample_store.engine.begin() as connection:
        for key, value in (("backup_keep_daily", "2"), ("backup_keep_weekly", "1"), ("backup_keep_monthly", "1")):
            connection.exec_driver_sql("INSERT INTO setting (key, value) VALUES (?, ?)", (key, value))
    assert read_limits(sample_store) == BackupLimits(2, 1, 1)
    folder = sample_store.path.parent / "backups"
    made = []
    day = dt.date(2026, 11, 9)  # a Monday
    while day <= dt.date(2026, 11, 23):
        if day.weekday() != 6:  # nobody works on Sundays
            start = dt.datetime.combine(day, dt.time(8, 0))
            made.append(backups.at_start(sample_store, now=start))
            for minutes in (30, 60):
                made.append(backups.make(sample_store, "periodic", now=start + dt.timedelta(minutes=minutes)))
            made.append(backups.make(sample_store, "exit", now=start + dt.timedelta(hours=9)))
        day += dt.timedelta(days=1)
    made = [path for path in made if path is not None]
    starts = sorted(backups.files.parse_name(p).time for p in made if backups.files.parse_name(p).reason == "start")
    # A start backup only when the last is a day old: the first morning, and the Mondays after a Sunday.
    assert starts == [dt.datetime(2026, 11, d, 8) for d in (9, 16, 23)]
    now = dt.datetime(2026, 11, 23, 17)
    left = {(b.time, b.reason) for b in backup_files(folder)}
    assert {t for t, _ in left} == kept({backups.files.parse_name(p).time for p in made}, now, BackupLimits(2, 1, 1))
    # Today all four (yesterday was Sunday); two days: Saturday 11-21 and Friday 11-20, their last; one
    # week: the week before, its last (Saturday 11-14); one month: November is already kept.
    assert sorted(t for t, _ in left) == sorted(
        [dt.datetime(2026, 11, 23, h, m) for h, m in ((8, 0), (8, 30), (9, 0), (17, 0))]
        + [dt.datetime(2026, 11, 21, 17), dt.datetime(2026, 11, 20, 17), dt.datetime(2026, 11, 14, 17)])
    assert {r for _, r in left} == {"start", "periodic", "exit"}
    assert not list(folder.glob(".*.part")), "no temporary file is left"


def test_no_start_backup_within_a_day_of_the_last(sample_store):
    first = backups.at_start(sample_store, now=dt.datetime(2026, 11, 23, 8))
    assert first is not None
    assert backups.at_start(sample_store, now=dt.datetime(2026, 11, 24, 7, 59)) is None
    assert backups.at_start(sample_store, now=dt.datetime(2026, 11, 24, 8)) is not None


def test_an_empty_data_file_is_not_backed_up(store):
    assert backups.make(store, "periodic") is None
    assert not (store.path.parent / "backups").exists()
