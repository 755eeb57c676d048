"""Files that ship with the program (fonts, Qt Designer forms, sample data), found the same way from a
source checkout and from a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parents[1]


def roots() -> list[Path]:
    bundle = getattr(sys, "_MEIPASS", None)
    return ([Path(bundle)] if bundle else []) + [_SOURCE_ROOT]


def bundled_file(*parts: str) -> Path:
    """The first existing ``<root>/<parts…>``; FileNotFoundError (in Chinese) when none exists."""
    for root in roots():
        candidate = root.joinpath(*parts)
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"找不到程序自带的文件 {'/'.join(parts)}，请重新安装本程序。")
