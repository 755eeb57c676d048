"""Citizen ID numbers (GB 11643-1999): cleaning, checking, birth date and gender, masking."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# Problem codes returned by ``check``.
MISSING = "id_number_missing"
MANGLED_BY_EXCEL = "id_number_mangled_by_excel"
CHECKSUM = "id_number_checksum"
FORMAT = "id_number_format"

_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)


def check_char(first17: str) -> str:
    """The 18th character that GB 11643 computes from the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS))
    return CHECK_CHARS[total % 11]


def is_valid(number: str) -> bool:
    """True for an 18-character number with digits, a real birth date and a correct check digit."""
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        return False
    try:
        birth_date(number)
    except ValueError:
        return False
    return check_char(number[:17]) == number[17]


def birth_date(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def is_male(number: str) -> bool:
    """The 17th digit is odd for men and even for women."""
    return int(number[16]) % 2 == 1


def mask(number: str | None) -> str:
    """``320482********1234``: the region and the last four stay, the birth date goes."""
    if not number:
        return ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def normalise(raw: object) -> str:
    """Text of an ID number without spaces, with ASCII digits and an upper-case X.

    Full-width characters (``３２０４…ｘ``) become ASCII; every kind of space goes, as do
    the apostrophe Excel users type to force text and dashes some people put between parts.
    """
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    text = unicodedata.normalize("NFKC", str(raw))
    text = "".join(ch for ch in text if not ch.isspace() and ch not in "'‘’`-")
    return text.replace("x", "X")


def upgrade_15_to_18(number15: str) -> str:
    """A first-generation 15-digit number as 18 digits: ``19`` before the year, check digit after."""
    number15 = normalise(number15)
    if len(number15) != 15 or not number15.isdigit():
        raise ValueError(f"不是 15 位数字：{number15}")
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_char(first17)


@dataclass(frozen=True)
class IdCheck:
    """What ``check`` found: the cleaned number, or a problem code and a Chinese message.

    ``note`` is set when the number was accepted after a change the clerk should know of
    (a 15-digit number upgraded to 18 digits).
    """

    number: str | None
    code: str | None = None
    message: str = ""
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.code is None


def _birth_date_plausible(number18: str, today: dt.date) -> bool:
    try:
        born = birth_date(number18)
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= born <= today


def check(raw: object, today: dt.date | None = None) -> IdCheck:
    """Clean and check one ID number cell as a spreadsheet reader gives it."""
    today = today or dt.date.today()
    if raw is None or (isinstance(raw, str) and not normalise(raw)):
        return IdCheck(None, MISSING, "没有填写身份证号。")

    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        digits = normalise(raw)
        # A float cannot hold 18 digits; Excel itself keeps only 15 significant digits.
        exact = isinstance(raw, int) and is_valid(digits)
        if len(digits) >= 16 and not exact:
            return IdCheck(
                None,
                MANGLED_BY_EXCEL,
                "单元格被 Excel 当成数字，后几位已丢失。请把该列设为文本格式后重新填写完整的 18 位号码。",
            )
        text = digits
    else:
        text = normalise(raw)
        if _SCIENTIFIC.match(text):
            return IdCheck(
                None,
                MANGLED_BY_EXCEL,
                f"单元格显示为科学计数法（{text}），号码已被 Excel 当成数字，后几位已丢失。"
                "请把该列设为文本格式后重新填写完整的 18 位号码。",
            )

    if len(text) == 15 and text.isdigit():
        upgraded = upgrade_15_to_18(text)
        if not _birth_date_plausible(upgraded, today):
            return IdCheck(
                None, FORMAT, f"15 位号码 {text} 中的出生日期不存在。请核对后填写 18 位号码。"
            )
        return IdCheck(
            upgraded,
            note=f"15 位老号码 {text} 已按国家标准升为 18 位：{upgraded}，请与本人身份证核对。",
        )

    if len(text) != 18:
        return IdCheck(
            None,
            FORMAT,
            f"号码「{text}」是 {len(text)} 位，身份证号应为 18 位（老号码为 15 位）。请核对后重新填写。",
        )
    if not text[:17].isdigit() or text[17] not in "0123456789X":
        return IdCheck(
            None,
            FORMAT,
            f"号码「{text}」含有数字以外的字符（只有最后一位可以是 X）。请核对后重新填写。",
        )
    if not _birth_date_plausible(text, today):
        return IdCheck(
            None,
            FORMAT,
            f"号码「{text}」第 7–14 位的出生日期 {text[6:10]}-{text[10:12]}-{text[12:14]} 不存在。"
            "请核对后重新填写。",
        )
    expected = check_char(text[:17])
    if text[17] != expected:
        hint = "末尾是 000，可能曾被 Excel 当成数字而丢失了后几位；" if text.endswith("000") else ""
        return IdCheck(
            None,
            CHECKSUM,
            f"号码「{text}」最后一位校验码不对（按前 17 位算应为 {expected}），{hint}"
            "多半是某一位抄错了。请对照身份证重新填写。",
        )
    return IdCheck(text)
