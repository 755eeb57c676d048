"""Cleaning of free text typed into spreadsheet cells or the editors: names and generic cells.

Control characters, terminal escape sequences and the bidirectional-override characters (which make
``张三\u202e123`` show as ``张三321``) never belong in a record: ``strip_controls`` removes them, and every
cleaning function here starts with it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
import re
import unicodedata

# Characters that occupy space or nothing at all but are not visible text.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
# Dots people type between the parts of a minority name (艾力·买买提); all become U+00B7.
_NAME_DOTS = "·•‧∙⋅・･．.。"
_SPACES = re.compile(r"[\s\u00a0\u3000]+")
# An escape sequence as a terminal reads it (CSI …, OSC … BEL/ST, or ESC and one character), then the
# other C0 and C1 controls but tab and line breaks, then the bidi marks, embeddings, overrides and isolates.
_CONTROLS = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]?"
    "|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?"
    "|\x1b[ -~]?"
    "|[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f]"
    "|[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def has_controls(text: str) -> bool:
    """Whether ``strip_controls`` would remove anything from ``text``."""
    return _CONTROLS.search(text) is not None


def strip_controls(text: str) -> str:
    """``text`` without control characters, escape sequences and bidi controls (tab and line breaks stay)."""
    return _CONTROLS.sub("", text) if _CONTROLS.search(text) else text


def cell_text(raw: object) -> str:
    """A cell value as the clerk saw it: numbers without a stray ``.0``, dates in ISO form."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float):
        if raw.is_integer():
            # Excel shows at most 15 significant digits: 320482196503121000, not float noise.
            return str(int(Decimal(f"{raw:.15g}"))) if abs(raw) >= 1e15 else str(int(raw))
        return f"{raw:.15g}"
    if isinstance(raw, dt.datetime):
        if raw.time() == dt.time(0, 0):
            return raw.date().isoformat()
        return raw.isoformat(sep=" ", timespec="minutes")
    if isinstance(raw, (dt.date, dt.time)):
        return raw.isoformat()
    return str(raw)


def clean_cell(raw: object, keep_newlines: bool = False) -> str:
    """Trimmed text of a cell; runs of spaces (ASCII, full-width, NBSP) become one space.

    Full-width punctuation is kept as typed: it belongs in Chinese text.
    """
    text = strip_controls(cell_text(raw))
    text = "".join(ch for ch in text if ch not in _INVISIBLE)
    if keep_newlines:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        lines = [_SPACES.sub(" ", line).strip() for line in lines]
        return "\n".join(lines).strip("\n")
    return _SPACES.sub(" ", text).strip()


def clean_name(raw: object) -> str:
    """A person's name without any spaces (``张　三`` → ``张三``) and with one kind of middle dot.

    Full-width letters become ASCII (for the rare name written in Latin letters, spaces between
    Latin words are kept as one space).
    """
    text = unicodedata.normalize("NFKC", strip_controls(cell_text(raw)))
    text = "".join(ch for ch in text if ch not in _INVISIBLE)
    text = text.strip()
    # Spaces are padding unless both neighbours are Latin letters.
    parts = _SPACES.split(text)
    name = parts[0] if parts else ""
    for part in parts[1:]:
        if name and part and name[-1].isascii() and name[-1].isalpha() and part[0].isascii() and part[0].isalpha():
            name += " "
        name += part
    # Middle dots: one standard character, none doubled, none at either end.
    name = "".join("·" if ch in _NAME_DOTS else ch for ch in name)
    name = re.sub(r"·+", "·", name).strip("·")
    return name


def is_plausible_name(name: str) -> bool:
    """Chinese characters (optionally joined by ·), or Latin letters; no digits or symbols."""
    if not name:
        return False
    if re.fullmatch(r"[\u3400-\u9fff\U00020000-\U0002ffff]+(·[\u3400-\u9fff\U00020000-\U0002ffff]+)*", name):
        return True
    return bool(re.fullmatch(r"[A-Za-z]+([ ·'-][A-Za-z]+)*", name))
