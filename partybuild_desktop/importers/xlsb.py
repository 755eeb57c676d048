"""Bounds of an .xlsb workbook (binary records in a zip), checked before python-calamine reads it.

calamine builds a sheet's rows as one rectangle from A1 to its last value, so one value at XFD1048576 in a
few-KB file makes it ask for hundreds of gigabytes and abort. The zip's entries are bounded by
``bounds.open_zip``; here each visible sheet's records are walked in chunks: the row headers and cell
records give the cells' places, checked with ``bounds.Extent``, and a string cell longer than Excel's limit
is refused. The shared strings' declared count and each one's length are bounded too.
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
from typing import Iterator

from . import bounds

_ROW = 0x0000
# Cells (their column first): BrtCellBlank … BrtFmlaError, BrtShortBlank … BrtShortIsst, BrtCellRString.
# Blank cells are counted too: whether the reader keeps them is not known, so they are taken as kept.
_CELLS = {*range(0x0001, 0x0013), 0x003E}
_STRINGS = {0x0006, 0x0008, 0x0011, 0x003E}  # cells holding their text (BrtCellSt, BrtFmlaString, …)
_BUNDLE_SHEET = 0x009C
_BEGIN_SST, _SST_ITEM = 0x009F, 0x0013
_MAX_STRING_RECORD = 2 * bounds.MAX_CELL_CHARS + 64  # a record holding one string of the longest length
_MAX_BUFFERED = 1024 * 1024  # other records this long are skipped, not kept


def records(parts: bounds.ZipParts, info: zipfile.ZipInfo, keep: set[int]) -> Iterator[tuple[int, bytes | int]]:
    """(type, data) of every record whose type is in ``keep``, else (type, size); in chunks, so a part of any
    length is walked in bounded memory."""
    buffer = bytearray()
    skip = 0
    for chunk in bounds.inflate(parts, info):
        if skip:
            taken = min(skip, len(chunk))
            skip -= taken
            chunk = chunk[taken:]
        buffer += chunk
        at = 0
        while True:
            header = _header(buffer, at)
            if header is None:
                break
            kind, size, start = header
            if kind in keep and size > _MAX_BUFFERED:
                yield kind, size  # the caller refuses it
                return
            if start + size > len(buffer):
                if kind in keep:
                    break  # wait for the rest
                skip = start + size - len(buffer)
                at = len(buffer)
                yield kind, size
                break
            yield (kind, bytes(buffer[start: start + size])) if kind in keep else (kind, size)
            at = start + size
        del buffer[:at]


def _header(buffer: bytearray, at: int) -> tuple[int, int, int] | None:
    """(type, size, start of the data) of the record at ``at``; None when the buffer ends inside the header."""
    kind, i = 0, at
    for shift in (0, 7):
        if i >= len(buffer):
            return None
        byte = buffer[i]
        i += 1
        kind |= (byte & 0x7F) << shift
        if not byte & 0x80:
            break
    size = 0
    for shift in (0, 7, 14, 21):
        if i >= len(buffer):
            return None
        byte = buffer[i]
        i += 1
        size |= (byte & 0x7F) << shift
        if not byte & 0x80:
            break
    return kind, size, i


def _wide(data: bytes, at: int) -> tuple[str, int]:
    """An XLWideString at ``at``: the text and the offset after it."""
    (count,) = struct.unpack_from("<I", data, at)
    if count == 0xFFFFFFFF:
        return "", at + 4
    end = at + 4 + 2 * count
    return data[at + 4: end].decode("utf-16-le", "replace"), end


def _sheets(parts: bounds.ZipParts) -> list[tuple[str, zipfile.ZipInfo | None]]:
    """(name, part) of every visible sheet, through the workbook's relationships."""
    workbook = parts.find("xl/workbook.bin")
    found: list[tuple[str, str]] = []
    for kind, data in records(parts, workbook, {_BUNDLE_SHEET}):
        if kind == _BUNDLE_SHEET and isinstance(data, bytes) and len(data) >= 12:
            state = struct.unpack_from("<I", data)[0]
            relation, at = _wide(data, 8)
            name, _ = _wide(data, at) if at + 4 <= len(data) else ("", at)
            if state == 0:
                found.append((name, relation))
    targets: dict[str, str] = {}
    rels = parts.find("xl/_rels/workbook.bin.rels")
    if rels is not None:
        def start(tag, attrs):
            if bounds.local(tag) == "Relationship" and "Id" in attrs:
                target = attrs.get("Target", "")
                target = target[1:] if target.startswith("/") else posixpath.join("xl", target)
                targets[attrs["Id"]] = posixpath.normpath(target)

        bounds.scan_xml(parts, rels, start)
    return [(name, parts.find(targets[rid]) if rid in targets else None) for name, rid in found]


def check_xlsb(parts: bounds.ZipParts) -> None:
    file_name = parts.path.name
    strings = parts.find("xl/sharedStrings.bin")
    if strings is not None:
        _check_strings(parts, strings)
    sheets = _sheets(parts)
    checked = set()
    for name, info in sheets:
        if info is not None and info.filename not in checked:
            checked.add(info.filename)
            _check_sheet(parts, info, bounds.Extent(file_name, name))
    if any(info is None for _, info in sheets):  # a sheet the relationships do not lead to: check them all
        for key, info in parts.entries.items():
            if key.startswith("xl/worksheets/") and key.endswith(".bin") and info.filename not in checked:
                _check_sheet(parts, info, bounds.Extent(file_name, posixpath.basename(info.filename)))


def _check_sheet(parts: bounds.ZipParts, info: zipfile.ZipInfo, extent: bounds.Extent) -> None:
    row = 0
    for kind, data in records(parts, info, {_ROW, *_CELLS}):
        if kind == _ROW:
            if isinstance(data, bytes) and len(data) >= 4:
                row = struct.unpack_from("<I", data)[0]
        elif kind in _CELLS:
            if not isinstance(data, bytes) or (kind in _STRINGS and len(data) > _MAX_STRING_RECORD):
                column = struct.unpack_from("<I", data)[0] if isinstance(data, bytes) else 0
                raise bounds.refuse_long_cell(extent.file_name, extent.sheet,
                                              f"{bounds.column_letters(column)}{row + 1} 单元格")
            if len(data) >= 4:
                extent.add(row, struct.unpack_from("<I", data)[0])


def _check_strings(parts: bounds.ZipParts, info: zipfile.ZipInfo) -> None:
    index = 0
    for kind, data in records(parts, info, {_BEGIN_SST, _SST_ITEM}):
        if kind == _BEGIN_SST and isinstance(data, bytes) and len(data) >= 8:
            unique = struct.unpack_from("<I", data, 4)[0]
            if unique > bounds.MAX_CELLS:
                raise bounds.SpreadsheetRefused(
                    bounds.SPREADSHEET_TOO_LARGE,
                    f"「{parts.path.name}」声明有 {unique} 条文字，超过了 {bounds.MAX_CELLS} 条，这不是正常的名册，没有读取。"
                    "请在 Excel 或 WPS 中打开它，另存为 .xlsx 后再导入。")
        elif kind == _SST_ITEM:
            index += 1
            if not isinstance(data, bytes) or len(data) > _MAX_STRING_RECORD:
                raise bounds.refuse_long_cell(parts.path.name, "", f"第 {index} 条文字")
