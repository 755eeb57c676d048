"""The village's committee (村党组织班子): its posts and its five-year term (换届)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.vocabulary import Labelled

TERM_YEARS = 5  # 村党组织每届任期五年
TERM_NOTICE_DAYS = 90  # how long before the term runs out the clerk is reminded


class CommitteePost(Labelled):
    """班子职务"""

    SECRETARY = "secretary", "书记"
    DEPUTY_SECRETARY = "deputy_secretary", "副书记"
    ORGANISATION = "organisation", "组织委员"
    PUBLICITY = "publicity", "宣传委员"
    DISCIPLINE = "discipline", "纪检委员"


def term_end(started_on: dt.date) -> dt.date:
    """The day a term elected on ``started_on`` runs out: the same day five years later (29 Feb → 28 Feb)."""
    try:
        return started_on.replace(year=started_on.year + TERM_YEARS)
    except ValueError:
        return started_on.replace(year=started_on.year + TERM_YEARS, day=28)


@dataclass(frozen=True)
class TermState:
    """Where the current term stands on a given day."""

    started_on: dt.date | None  # None: the election date was never recorded
    ends_on: dt.date | None
    today: dt.date

    @property
    def known(self) -> bool:
        return self.started_on is not None

    @property
    def ended(self) -> bool:
        return self.ends_on is not None and self.today >= self.ends_on

    @property
    def days_left(self) -> int | None:
        return (self.ends_on - self.today).days if self.ends_on is not None else None

    @property
    def ending_soon(self) -> bool:
        """Within the reminder window before the end, not yet ended."""
        return not self.ended and self.days_left is not None and self.days_left <= TERM_NOTICE_DAYS

    def sentence(self) -> str:
        """One line for the clerk."""
        if not self.known:
            return "本届班子的任期起始日期（换届选举日期）未填写，无法提醒换届。"
        start, end = format_cn(self.started_on), format_cn(self.ends_on)
        if self.ended:
            return f"本届班子{start}选出，任期五年，已于{end}届满，请按程序组织换届。"
        if self.ending_soon:
            return f"本届班子{start}选出，任期五年，将于{end}届满（还有{self.days_left}天），请准备换届。"
        return f"本届班子{start}选出，任期五年，至{end}届满。"


def term_state(started_on: dt.date | None, today: dt.date) -> TermState:
    return TermState(started_on, term_end(started_on) if started_on else None, today)
