"""Chinese fonts for PDF output (reportlab).

Windows' own 宋体 / 黑体 (and 仿宋 when 宋体 is absent) are used when present, so printouts look like
every other document in the office; otherwise the bundled WenQuanYi Micro Hei. The bundled font is also
the fallback for a character the preferred font lacks (rare characters in names are common).
reportlab is imported inside the functions, so ``bundled_font_path()`` stays cheap for the Qt side.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

BUNDLED_FONT_FILE = "wqy-microhei.ttc"


@dataclass(frozen=True)
class FontFace:
    name: str  # the name registered with reportlab
    path: Path
    subfont_index: int = 0  # which font inside a .ttc collection
    label: str = ""  # what the user calls it, for messages: 宋体, 黑体, 文泉驿微米黑


@dataclass(frozen=True)
class FontSet:
    body: FontFace
    heading: FontFace
    fallback: FontFace


# (file name, index in the collection, label), in order of preference.
_WINDOWS_BODY = (("simsun.ttc", 0, "宋体"), ("simfang.ttf", 0, "仿宋"))
_WINDOWS_HEADING = (("simhei.ttf", 0, "黑体"),)

_active: FontSet | None = None
_registered: set[str] = set()
_lock = threading.Lock()
_detect_lock = threading.Lock()


def fonts_dirs() -> list[Path]:
    """Where the bundled fonts may be: inside a PyInstaller bundle, then the source tree."""
    from ..bundled import roots

    return [root / "resources" / "fonts" for root in roots()]


def bundled_font_path() -> Path:
    from ..bundled import bundled_file

    return bundled_file("resources", "fonts", BUNDLED_FONT_FILE)


def windows_fonts_dir() -> Path | None:
    if sys.platform != "win32":
        return None
    return Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"


def bundled_face() -> FontFace:
    return FontFace("PB-WenQuanYiMicroHei", bundled_font_path(), 0, "文泉驿微米黑")


def find_fonts(system_dir: Path | None = None) -> FontSet:
    """Pick fonts from ``system_dir`` (default: the Windows fonts folder), falling back to the bundled one.
    A system font that reportlab refuses (damaged, or not licensed for embedding) is skipped."""
    if system_dir is None:
        system_dir = windows_fonts_dir()
    fallback = bundled_face()

    def first_usable(candidates: tuple[tuple[str, int, str], ...]) -> FontFace | None:
        if system_dir is None:
            return None
        for file_name, index, label in candidates:
            path = system_dir / file_name
            if not path.is_file():
                continue
            # The path is part of the name: reportlab keeps one font per name for the whole process.
            face = FontFace(f"PB-{path.stem}-{index}-{zlib.crc32(str(path).encode()):08x}", path, index, label)
            try:
                register(face)
            except Exception as error:  # reportlab raises several types for unusable files
                log.warning("font %s unusable, skipped: %s", path, error)
                continue
            return face
        return None

    body = first_usable(_WINDOWS_BODY) or fallback
    heading = first_usable(_WINDOWS_HEADING) or body
    return FontSet(body=body, heading=heading, fallback=fallback)


def register(face: FontFace) -> str:
    """Register a face with reportlab once; returns its name."""
    with _lock:
        if face.name not in _registered:
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            pdfmetrics.registerFont(TTFont(face.name, str(face.path), subfontIndex=face.subfont_index))
            _registered.add(face.name)
    return face.name


def use_fonts(fonts: FontSet | None) -> None:
    """Set the fonts to print with (all faces get registered); None: look for them again on next use."""
    global _active
    if fonts is not None:
        for face in (fonts.body, fonts.heading, fonts.fallback):
            register(face)
    _active = fonts


def active_fonts() -> FontSet:
    with _detect_lock:  # exports run off the GUI thread; detect and register only once
        if _active is None:
            use_fonts(find_fonts())
        return _active


def body_font() -> str:
    return active_fonts().body.name


def heading_font() -> str:
    return active_fonts().heading.name


def fallback_font() -> str:
    return active_fonts().fallback.name


def font_label(font_name: str) -> str:
    """The user-facing name of a registered font, e.g. 宋体."""
    fonts = active_fonts()
    for face in (fonts.body, fonts.heading, fonts.fallback):
        if face.name == font_name:
            return face.label or face.name
    return font_name


def missing_glyphs(text: str, font_name: str) -> set[str]:
    """Characters of ``text`` that the registered TrueType font ``font_name`` has no glyph for.
    Control characters (line breaks, tabs) are not drawn and so never count as missing."""
    from reportlab.pdfbase import pdfmetrics

    cmap = pdfmetrics.getFont(font_name).face.charToGlyph
    # Glyph 0 is ".notdef", the empty box: a character mapped to it is as good as missing.
    return {ch for ch in set(text) if not cmap.get(ord(ch)) and unicodedata.category(ch) != "Cc"}
