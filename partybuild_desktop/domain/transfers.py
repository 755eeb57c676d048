"""组织关系转接: the rules of a member's transfer out (with its 介绍信 and the 回执 that comes back) and in.

A transfer out goes with a 介绍信: its number, the organisation it is addressed to, the day it is written,
how many days it is valid (a village setting, 90 unless set; [local]) and the month the member's dues are
paid up to. The old branch stays responsible for the member until the receiving one sends the 回执 back:
only then does the member leave the branch's list (a 转出 in the member's status history, dated the day
the 回执 arrived). A letter whose validity has run out with no 回执 is flagged.

Days are counted as the 民法典 (第二百零一条) counts a period: the day the letter is written is not
counted, so a letter of 2026年1月1日 valid 90 days runs to the end of 2026年4月1日, and a 回执 that
arrives on that day is on time.

The letter itself is printed as the 中组部 form (组通字〔2006〕45号) has it, in three parts: 存根, 正文 and
回执; the month the dues are paid to and the days of validity are written in 大写 numbers (贰零贰陆年壹拾壹月,
玖拾天), so they cannot be altered.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from partybuild_desktop.domain.dates import format_cn
from partybuild_desktop.domain.errors import Refusal

DEFAULT_VALID_DAYS = 90
MAX_VALID_DAYS = 365
OUT, IN = "out", "in"
DIRECTION_LABELS = {OUT: "转出", IN: "转入"}
Month = tuple[int, int]

_LETTER_NO = re.compile(r"^[0-9A-Za-z\-－_/（）()第号〔〕\u4e00-\u9fff]{1,32}$")


class TransferError(Refusal):
    """A transfer that cannot be recorded; the message says why and what to do, in Chinese."""


def expires_on(issued: dt.date, valid_days: int) -> dt.date:
    """The last day a letter written on ``issued`` is valid (the day it is written not counted)."""
    return issued + dt.timedelta(days=valid_days)


def receipt_on_time(issued: dt.date, valid_days: int, receipt: dt.date) -> bool:
    """A 回执 that arrives on the day the letter expires is on time."""
    return receipt <= expires_on(issued, valid_days)


def receipt_missing(issued: dt.date, valid_days: int, receipt: dt.date | None, as_of: dt.date) -> bool:
    """No 回执 yet and the letter no longer valid on ``as_of``."""
    return receipt is None and as_of > expires_on(issued, valid_days)


def check_valid_days(days: int | None) -> int:
    if days is None:
        return DEFAULT_VALID_DAYS
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_VALID_DAYS:
        raise TransferError(f"介绍信的有效期应在 1 到 {MAX_VALID_DAYS} 天之间，而填写的是“{days}”。请改正有效天数。")
    return days


def clean_organisation(text: str | None, what: str) -> str:
    value = " ".join((text or "").split())
    if not value:
        raise TransferError(f"请填写{what}（党组织的全称，例如“中共某某县某某镇某某村支部委员会”）。")
    if len(value) > 128:
        raise TransferError(f"{what}太长（{len(value)} 个字），请写党组织的全称，不超过 128 个字。")
    return value


def clean_letter_no(text: str | None, required: bool) -> str | None:
    value = "".join((text or "").split())
    if not value:
        if required:
            raise TransferError("请填写介绍信的编号（介绍信右上角“第　号”中的号码）。")
        return None
    if not _LETTER_NO.match(value):
        raise TransferError(f"介绍信编号“{value}”的写法不对：只能用数字、字母、汉字和“-”，不超过 32 个字。")
    return value


def check_date(day: dt.date | None, today: dt.date, what: str) -> dt.date:
    if day is None:
        raise TransferError(f"请填写{what}。")
    if day > today:
        raise TransferError(f"{what} {format_cn(day)} 晚于今天，请核对。")
    return day


def check_receipt(issued: dt.date, receipt: dt.date | None, today: dt.date) -> dt.date:
    receipt = check_date(receipt, today, "回执收到的日期")
    if receipt < issued:
        raise TransferError(f"回执收到的日期 {format_cn(receipt)} 早于介绍信开出的日期 {format_cn(issued)}，请核对。")
    return receipt


def check_dues_month(month: Month | None, issued: dt.date) -> Month | None:
    if month is None:
        return None
    year, number = month
    if not 1 <= number <= 12 or not 1950 <= year <= 2100:
        raise TransferError(f"党费交至的月份“{year}-{number}”不对，请写成 2026-10 这样。")
    if (year, number) > (issued.year + 1, issued.month):
        raise TransferError(f"党费交至 {year}年{number}月，比介绍信开出的日期晚一年以上，请核对。")
    return month


def parse_month(text: str) -> Month:
    """``2026-10`` or ``2026年10月`` → (2026, 10); ValueError in Chinese otherwise."""
    found = re.fullmatch(r"\s*(\d{4})\s*(?:-|年|/|\.)\s*(\d{1,2})\s*月?\s*", text or "")
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise ValueError(f"月份“{text}”的写法不对，请写成 2026-10 这样（年-月）")
    return int(found.group(1)), int(found.group(2))


def next_letter_no(year: int, used: list[str]) -> str:
    """The next number of the year's outgoing letters: ``2026-001``, ``2026-002`` … after the highest used."""
    prefix = f"{year}-"
    taken = [int(n[len(prefix):]) for n in used if n.startswith(prefix) and n[len(prefix):].isdigit()]
    return f"{prefix}{max(taken, default=0) + 1:03d}"


# ---------------------------------------------------------------------------------------- 大写 numbers

_UPPER = "零壹贰叁肆伍陆柒捌玖"


def upper_digits(number: int) -> str:
    """Digit by digit, as a year is written: 2026 → 贰零贰陆."""
    return "".join(_UPPER[int(d)] for d in str(number))


def upper_number(number: int) -> str:
    """A count below 10000 in 大写: 90 → 玖拾, 11 → 壹拾壹, 105 → 壹佰零伍, 0 → 零."""
    if not 0 <= number < 10000:
        raise ValueError(number)
    if number == 0:
        return _UPPER[0]
    units = ((1000, "仟"), (100, "佰"), (10, "拾"), (1, ""))
    text, zero = "", False
    for size, unit in units:
        digit = number // size % 10
        if digit:
            if zero and text:
                text += _UPPER[0]
            text += _UPPER[digit] + unit
            zero = False
        elif text:
            zero = True
    return text


def upper_month(month: Month) -> str:
    """贰零贰陆年壹拾壹月 (the month always with its 拾 or 零 so nothing can be added in front)."""
    year, number = month
    return f"{upper_digits(year)}年{upper_number(number) if number >= 10 else '零' + _UPPER[number]}月"


def age_on(birth: dt.date | None, day: dt.date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class Letter:
    """Everything the three parts of one 介绍信 print (plain values, no database)."""

    number: str
    member_name: str
    gender: str  # 男 / 女 / "" (unknown: both printed, one to be circled off by hand)
    age: int | None
    ethnicity: str
    standing: str  # 正式 / 预备
    id_number: str  # the official letter carries it in full; it is never posted in public
    from_organisation: str  # the branch the member leaves
    to_organisation: str  # addressed to
    dues_paid_to: Month | None
    valid_days: int
    issued_on: dt.date
    member_phone: str
    branch_address: str
    branch_phone: str
