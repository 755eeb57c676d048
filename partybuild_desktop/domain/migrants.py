"""流动党员: stints away, the contact kept with each migrant and what the rules ask of them
(党员教育管理工作条例 2019, 第二十五、三十二、三十三条; the 流动党员活动证 rules; seed 001's "三个一").

- Away ≥ 6 months at a fairly fixed place → the 组织关系 should be transferred, unless a 流动党员活动证
  was issued because it cannot be (the reason is recorded on the stint).
- The village names one person to keep contact with each migrant; a contact is due within an interval
  the village sets (3 months unless set).
- Out of contact ≥ 6 months and not found → 失联, and the branch may decide 停止党籍.
- A 活动证 expiring within 30 days (or already expired while the member is still away) is shown.

Plain Python: no SQL, no Qt. ``services.migrants`` gathers the rows and asks these rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from partybuild_desktop.domain.probation import add_months
from partybuild_desktop.domain.vocabulary import Labelled

SHOULD_TRANSFER_MONTHS = 6  # 第三十二条: 外出6个月以上、地点相对固定 → 转移组织关系
LOST_CONTACT_MONTHS = 6  # 第三十三条: 失去联系6个月以上 → 停止党籍
DEFAULT_CONTACT_INTERVAL_MONTHS = 3  # [local] how often the village keeps contact
SHORTEST_CONTACT_INTERVAL_MONTHS = 1
LONGEST_CONTACT_INTERVAL_MONTHS = 6
CARD_EXPIRING_DAYS = 30  # a 活动证 shown as expiring this many days ahead

# Alert kinds (services.alerts), also the codes in ``migrants --json``.
CONTACT_OVERDUE = "migrant_contact_overdue"
SHOULD_TRANSFER = "migrant_should_transfer"
LOST_CONTACT = "migrant_lost_contact"
CARD_EXPIRING = "activity_card_expiring"
ALERT_KINDS = (CONTACT_OVERDUE, SHOULD_TRANSFER, LOST_CONTACT, CARD_EXPIRING)
ALERT_LABELS = {
    CONTACT_OVERDUE: "联系超期",
    SHOULD_TRANSFER: "应转组织关系",
    LOST_CONTACT: "失去联系",
    CARD_EXPIRING: "活动证到期",
}


class ContactHow(Labelled):
    """联系方式 (seed 002: 电话、QQ、微信、寄送学习资料)"""

    PHONE = "phone", "电话"
    WECHAT = "wechat", "微信"
    IN_PERSON = "in_person", "面谈"
    MAILED = "mailed", "寄送学习资料"

    @classmethod
    def from_text(cls, text: str | None) -> "ContactHow | None":
        """The way as typed: the code, the label, or 寄送 for 寄送学习资料; None when it is none of them."""
        value = (text or "").strip()
        for item in cls:
            if value in (item.value, item.label):
                return item
        if value == "寄送":
            return cls.MAILED
        return None


REASONS = ("务工经商", "外出就学", "随子女居住", "外出就医", "其他")


def months_away(left_on: dt.date, as_of: dt.date) -> int:
    """Whole months from the day the member left to ``as_of`` (1 March → 31 August: 5; → 1 September: 6)."""
    if as_of < left_on:
        return 0
    months = (as_of.year - left_on.year) * 12 + as_of.month - left_on.month
    if add_months(left_on, months) > as_of:
        months -= 1
    return months


def reached(start: dt.date, months: int, as_of: dt.date) -> bool:
    """Whether ``months`` have passed since ``start`` by ``as_of`` (the same day ``months`` later counts)."""
    return as_of >= add_months(start, months)


def contact_due_by(reference: dt.date, interval_months: int) -> dt.date:
    """The last day of the interval: a contact on that day is in time."""
    return add_months(reference, interval_months)


@dataclass(frozen=True)
class StintFacts:
    """What the rules read of one open stint, on the day asked about."""

    left_on: dt.date | None  # None only for a stint carried over from a record without 外出时间
    last_contact: dt.date | None  # the latest contact on or before the day, within this stint
    card_no: str | None = None
    card_expires_on: dt.date | None = None
    no_transfer_reason: str | None = None  # why the 组织关系 is not transferred (活动证 for a long absence)
    transfer_under_way: bool = False  # a 介绍信 out written, its 回执 not back yet


def alerts_for(facts: StintFacts, as_of: dt.date, interval_months: int = DEFAULT_CONTACT_INTERVAL_MONTHS) -> list[str]:
    """The alert kinds of one migrant on ``as_of``, in the order of ``ALERT_KINDS``.

    Without any contact the intervals count from the day the member left; a contact on the last day of
    the interval is in time. 失去联系 replaces 联系超期 (one is enough). With neither a 外出时间 nor a
    contact, the contact is overdue and nothing else can be told."""
    if facts.left_on is not None and as_of < facts.left_on:
        return []
    kinds: list[str] = []
    reference = facts.last_contact or facts.left_on
    lost = reference is not None and reached(reference, LOST_CONTACT_MONTHS, as_of)
    if not lost and (reference is None or as_of > contact_due_by(reference, interval_months)):
        kinds.append(CONTACT_OVERDUE)
    if facts.left_on is not None and reached(facts.left_on, SHOULD_TRANSFER_MONTHS, as_of) \
            and not facts.transfer_under_way and not (facts.no_transfer_reason or "").strip():
        kinds.append(SHOULD_TRANSFER)
    if lost:
        kinds.append(LOST_CONTACT)
    if facts.card_no and facts.card_expires_on is not None \
            and facts.card_expires_on <= as_of + dt.timedelta(days=CARD_EXPIRING_DAYS):
        kinds.append(CARD_EXPIRING)
    return kinds


def check_interval(months: int) -> str | None:
    """Why a contact interval cannot be used (None: it can)."""
    if isinstance(months, bool) or not isinstance(months, int) \
            or not SHORTEST_CONTACT_INTERVAL_MONTHS <= months <= LONGEST_CONTACT_INTERVAL_MONTHS:
        return (f"联系间隔应为 {SHORTEST_CONTACT_INTERVAL_MONTHS} 到 {LONGEST_CONTACT_INTERVAL_MONTHS} 个月"
                f"（失去联系满 {LOST_CONTACT_MONTHS} 个月即按失联处理）。")
    return None


def place(province: str | None, city: str | None, county: str | None) -> str:
    """省/市/县 as one line: 广东省深圳市宝安区."""
    return "".join(part for part in (province, city, county) if part)


def split_place(text: str) -> tuple[str | None, str | None, str | None]:
    """``--to 省/市/县`` split at the slashes (广东省/深圳市/宝安区; a missing part may be left out)."""
    parts = [p.strip() for p in text.replace("／", "/").split("/")]
    parts += [""] * (3 - len(parts))
    if len(parts) > 3:
        parts = parts[:2] + ["/".join(parts[2:])]
    return tuple(p or None for p in parts[:3])  # type: ignore[return-value]
