"""Which automatic backups to keep, as Anki thins its backups.

Newest first: every backup of today and yesterday is kept; then one per day (the newest of that day)
for ``daily`` days that have a backup, then one per week (Monday to Sunday) for ``weekly`` weeks, then
one per month for ``monthly`` months; everything older goes. A day, week or month already covered by a
kept backup (a newer one of the same day, say) gives no second one. Plain dates only: no files here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class BackupLimits:
    daily: int = 12
    weekly: int = 10
    monthly: int = 9


DEFAULT_LIMITS = BackupLimits()
# What 设置 → 自动备份… accepts for each: (fewest, most, what the clerk reads).
LIMIT_RANGES = {"daily": (1, 60, "按天保留"), "weekly": (0, 52, "按周保留"), "monthly": (0, 120, "按月保留")}
START_BACKUP_AFTER = dt.timedelta(days=1)  # at start, a backup when the newest one is older than this
PERIODIC_MINUTES = 30  # while the window is open and something changed


def _day(moment: dt.datetime) -> int:
    return moment.toordinal()


def _week(moment: dt.datetime) -> int:
    return (moment.toordinal() - 1) // 7  # day 1 (0001-01-01) was a Monday: weeks run Monday to Sunday


def _month(moment: dt.datetime) -> int:
    return moment.year * 12 + moment.month


def obsolete(times: Iterable[dt.datetime], now: dt.datetime, limits: BackupLimits = DEFAULT_LIMITS) -> set[dt.datetime]:
    """The backup times of ``times`` to delete on ``now``'s day under ``limits``."""
    yesterday = _day(now) - 1
    daily, weekly, monthly = limits.daily, limits.weekly, limits.monthly
    last_day = last_week = last_month = None
    gone: set[dt.datetime] = set()

    for moment in sorted(set(times), reverse=True):
        stage = None
        if _day(moment) >= yesterday:
            keep = True
        elif daily > 0:
            stage, keep = "daily", last_day is None or _day(moment) < last_day
        elif weekly > 0:
            stage, keep = "weekly", last_week is None or _week(moment) < last_week
        elif monthly > 0:
            stage, keep = "monthly", last_month is None or _month(moment) < last_month
        else:
            keep = False
        if not keep:
            gone.add(moment)
            continue
        last_day, last_week, last_month = _day(moment), _week(moment), _month(moment)
        if stage == "daily":
            daily -= 1
        elif stage == "weekly":
            weekly -= 1
        elif stage == "monthly":
            monthly -= 1
    return gone


def kept(times: Iterable[dt.datetime], now: dt.datetime, limits: BackupLimits = DEFAULT_LIMITS) -> set[dt.datetime]:
    times = set(times)
    return times - obsolete(times, now, limits)


def start_backup_due(newest: dt.datetime | None, now: dt.datetime) -> bool:
    """At start: a backup when there is none, or the newest is older than a day."""
    return newest is None or now - newest >= START_BACKUP_AFTER


def checked_limits(daily: int, weekly: int, monthly: int) -> BackupLimits:
    """The retention a clerk asked for, or a Refusal saying which number is out of its range."""
    from partybuild_desktop.domain.errors import Refusal

    limits = BackupLimits(daily, weekly, monthly)
    for name, (low, high, label) in LIMIT_RANGES.items():
        value = getattr(limits, name)
        if not low <= value <= high:
            raise Refusal(f"“{label}”的份数应在 {low} 到 {high} 之间，现在是 {value}。")
    return limits
