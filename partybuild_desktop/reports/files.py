"""One way to write a report to a file: ``write_report`` picks the xlsx or the pdf writer by format.

The Export menu, the CLI, the quarterly return and the township's tables all write through here. A
printout with a layout of its own (the public points board) carries its own ``write_pdf``; every other
report is a ``spec.Report`` for the two shared writers. The writers load openpyxl and reportlab only
when a file of their kind is written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..fileio import sha256_of

FORMATS = ("xlsx", "pdf")


@dataclass(frozen=True)
class Written:
    path: Path
    sha256: str
    warnings: list[str] = field(default_factory=list)  # in Chinese, e.g. a character printed in the fallback font


def format_of(path: str | os.PathLike[str]) -> str:
    """"xlsx" or "pdf" from a file's extension (any case); "" for anything else."""
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else ""


def write_report(report, path: str | os.PathLike[str], fmt: str | None = None) -> Written:
    """Write ``report`` to ``path`` as ``fmt`` ("xlsx" or "pdf"; default: the path's extension), safely
    (``fileio.atomic_write``: a temporary file, fsync, rename). OSError and PermissionError pass through
    for the caller to explain."""
    path = Path(path)
    fmt = (fmt or format_of(path)).lower()
    if fmt == "xlsx":
        from .xlsx_writer import write_xlsx

        return Written(path, write_xlsx(report, path))
    if fmt == "pdf":
        own = getattr(report, "write_pdf", None)
        if own is not None:
            warnings = own(path)
        else:
            from .pdf_writer import write_pdf

            warnings = write_pdf(report, path)
        return Written(path, sha256_of(path), list(warnings or ()))
    raise ValueError(f"不能写出“{path.name}”：只能导出为 .xlsx 或 .pdf 文件。")
