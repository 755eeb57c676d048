"""Money as a whole number of 分 (cents): what a clerk types ("15", "15.5", "15.00元", "１５.００") becomes
an ``int``; an ``int`` of 分 prints as "15.00". Never a float: 0.1 + 0.2 yuan must be 30 分, not
30.000000000000004. A rate times a base (党费 = 工资 × 比例) is rounded half up to the 分, as a cashier does.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN_PER_YUAN = 100
# A typed amount once normalised: an optional sign, yuan (digits, optionally grouped by commas), and
# up to two decimals.
_AMOUNT = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?|([+-]?)\.(\d+)")
_CURRENCY_WORDS = ("人民币", "元整", "元", "rmb", "cny", "¥")


def parse_money(value: str | int | Decimal, *, allow_negative: bool = False) -> int:
    """The amount in 分. Accepts what a clerk types or a spreadsheet cell holds: "15", "15.5", "15.00元",
    "¥1,234.50", full-width "１５．００", "15。5" (a Chinese full stop typed for the point), an int (yuan)
    or a Decimal. More than two decimals, anything that is not a number, and (unless ``allow_negative``)
    a negative amount raise ``ValueError`` with a Chinese message saying what to type."""
    if isinstance(value, bool):
        raise ValueError(f"“{value}”不是金额，请填写数字，例如 15 或 15.50。")
    if isinstance(value, int):
        return _checked(Decimal(value), str(value), allow_negative)
    if isinstance(value, float):
        # A spreadsheet cell: its shortest repr is the number the clerk typed (15.55, not 15.550000000000001).
        value = repr(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"“{value}”不是金额，请填写数字，例如 15 或 15.50。")
        return _checked(value, str(value), allow_negative)
    shown = str(value).strip()
    text = unicodedata.normalize("NFKC", shown).replace("。", ".").replace(" ", "").lower()
    for word in _CURRENCY_WORDS:
        text = text.replace(word, "")
    if not text:
        raise ValueError("请填写金额，例如 15 或 15.50。")
    found = _AMOUNT.fullmatch(text)
    if not found:
        raise ValueError(f"“{shown}”不是金额，请只填写数字（可带小数点和“元”），例如 15 或 15.50。")
    sign, whole, decimals = (found.group(1), found.group(2), found.group(3)) if found.group(2) else (
        found.group(4), "0", found.group(5))
    if decimals and len(decimals.rstrip("0")) > 2:
        raise ValueError(f"“{shown}”的小数超过两位：金额只能精确到分（例如 15.05）。")
    amount = Decimal(f"{sign}{whole.replace(',', '')}.{decimals or '0'}")
    return _checked(amount, shown, allow_negative)


def _checked(amount: Decimal, shown: str, allow_negative: bool) -> int:
    fen = amount * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise ValueError(f"“{shown}”的小数超过两位：金额只能精确到分（例如 15.05）。")
    if fen < 0 and not allow_negative:
        raise ValueError(f"“{shown}”是负数，金额不能小于 0。")
    return int(fen)


def format_money(fen: int) -> str:
    """分 as yuan with two decimals: 1550 → "15.50", -5 → "-0.05"."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"金额应为整数（分），而不是 {fen!r}")
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{yuan}.{cents:02d}"


def apply_rate(base_fen: int, rate: Decimal | str | int) -> int:
    """``base_fen`` × ``rate`` in 分, rounded half up (0.5 分 and above goes up): 党费 of a 3,333.00 元 wage
    at 0.5 % is 1666.5 分 → 1667 分 (16.67 元). ``rate`` as a Decimal or a string ("0.005"), never a float."""
    if isinstance(base_fen, bool) or not isinstance(base_fen, int):
        raise TypeError(f"基数应为整数（分），而不是 {base_fen!r}")
    if isinstance(rate, float) or isinstance(rate, bool):
        raise TypeError("比例请用 Decimal 或文字（例如 \"0.005\"），不要用浮点数。")
    try:
        factor = Decimal(rate) if not isinstance(rate, Decimal) else rate
    except InvalidOperation as error:
        raise ValueError(f"“{rate}”不是比例，请填写小数，例如 0.005。") from error
    if not factor.is_finite() or factor < 0:
        raise ValueError(f"“{rate}”不是有效的比例，比例不能小于 0。")
    product = Decimal(base_fen) * factor
    return int(product.quantize(Decimal(1), rounding=ROUND_HALF_UP))
