"""Phone numbers: mainland mobiles and landlines, cleaned, checked and masked."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MOBILE = "mobile"
LANDLINE = "landline"

# Problem codes.
PHONE_FORMAT = "phone_format"

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area code (0 + 2 or 3 digits), optional separator, local number of 7–8 digits not starting
# with 0 or 1, optional extension.
_LANDLINE = re.compile(
    r"^(?:\((?P<area_p>0\d{2,3})\)|(?P<area>0\d{2,3}))-?(?P<local>[2-9]\d{6,7})"
    r"(?:(?:-|转|ext\.?|x|#)(?P<ext>\d{1,6}))?$",
    re.IGNORECASE,
)
# Three-digit area codes: Beijing 010 and the 02x cities; every other area code has four digits.
_THREE_DIGIT_AREA = re.compile(r"^0(10|2\d)")
# Characters people put between digit groups.
_SEPARATORS = re.compile(r"[\s\u00a0\u3000.·]")
# What splits two numbers written in one cell.
_MULTI = re.compile(r"[/／、，,；;]|\s{2,}|或")


@dataclass(frozen=True)
class PhoneCheck:
    """The cleaned number (``13812345678``, ``0512-12345678``, ``0512-12345678-801``) or a problem."""

    number: str | None
    kind: str | None = None
    code: str | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.code is None


def _text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    return text.replace("（", "(").replace("）", ")").replace("－", "-").replace("—", "-")


def check_phone(raw: object) -> PhoneCheck:
    """Clean and check a single phone number (a spreadsheet cell may give it as a number)."""
    text = _text(raw)
    if not text:
        return PhoneCheck(None)
    compact = _SEPARATORS.sub("", text)
    compact = re.sub(r"^(\+86|0086)-?", "", compact)

    digits_only = compact.replace("-", "")
    if digits_only.isdigit():
        if len(digits_only) == 13 and digits_only.startswith("86") and _MOBILE.match(digits_only[2:]):
            digits_only = digits_only[2:]
        if _MOBILE.match(digits_only):
            return PhoneCheck(digits_only, MOBILE)

    if compact[:1] == "0" and compact[1:5].isdigit() and "-" not in compact[:5]:
        # No separator after the area code: split it off by the national numbering plan.
        cut = 3 if _THREE_DIGIT_AREA.match(compact) else 4
        compact = compact[:cut] + "-" + compact[cut:]
    match = _LANDLINE.match(compact)
    if match:
        area = match.group("area") or match.group("area_p")
        if len(area) == 3 and not _THREE_DIGIT_AREA.match(area):
            match = None
    if match:
        number = f"{area}-{match.group('local')}"
        if match.group("ext"):
            number += f"-{match.group('ext')}"
        return PhoneCheck(number, LANDLINE)

    if digits_only.isdigit() and len(digits_only) in (7, 8) and digits_only[0] in "23456789":
        hint = "少了区号。请在前面加上区号（如 0512-）。"
    elif digits_only.isdigit() and digits_only.startswith("1"):
        hint = f"手机号应为 1 开头的 11 位数字，这里是 {len(digits_only)} 位。请核对后重新填写。"
    else:
        hint = "请填写 11 位手机号，或“区号-号码”形式的固定电话（如 0512-12345678）。"
    return PhoneCheck(None, None, PHONE_FORMAT, f"「{text}」不是有效的电话号码，{hint}")


def split_phones(raw: object) -> list[str]:
    """The pieces of a cell that holds several numbers (``138…/0512-…``)."""
    text = _text(raw)
    return [part.strip() for part in _MULTI.split(text) if part and part.strip()]


def is_valid_phone(raw: object) -> bool:
    result = check_phone(raw)
    return result.ok and result.number is not None


def mask_phone(number: str | None) -> str:
    """``138****5678`` for a mobile; a landline keeps its area code and last four digits."""
    if not number:
        return ""
    if _MOBILE.match(number):
        return number[:3] + "****" + number[-4:]
    area, _, rest = number.partition("-")
    if rest:
        local = rest.split("-")[0]
        return f"{area}-" + "*" * max(len(local) - 4, 0) + local[-4:]
    if len(number) <= 4:
        return "*" * len(number)
    return "*" * (len(number) - 4) + number[-4:]
