"""Bounds of a legacy .xls/.et workbook (a compound document holding a BIFF stream), checked before
python-calamine reads it.

calamine reads every sheet of an .xls when it opens it, reserving room for the area each sheet's
DIMENSIONS record declares: a 5 KB file declaring 65,536 × 256 cells makes it ask for gigabytes and abort.
So the compound document is read here (its sector chains followed with loops and out-of-file sectors
refused), the workbook stream is walked record by record, and each sheet's declared dimensions (hidden
sheets' too: calamine reads them all) and the cells each visible sheet holds are checked against ``bounds``.
"""

from __future__ import annotations

import struct
from pathlib import Path

from . import bounds

_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END, _FREE = 0xFFFFFFFE, 0xFFFFFFFF
_STREAMS = ("workbook", "book")

# BIFF record types.
_BOF, _EOF, _BOUNDSHEET, _DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x0200
_CELLS = {0x0203, 0x0204, 0x00FD, 0x027E, 0x0205, 0x0006, 0x00D6}  # NUMBER LABEL LABELSST RK BOOLERR FORMULA RSTRING
_MULRK = 0x00BD


class _Damaged(Exception):
    pass


def _sectors(data: bytes) -> tuple[int, int, list[int], bytes]:
    if len(data) < 512 or not data.startswith(_MAGIC):
        raise _Damaged
    shift, mini_shift = struct.unpack("<HH", data[30:34])
    if shift not in (9, 12) or mini_shift != 6:
        raise _Damaged
    size = 1 << shift
    count = (len(data) - 512) // size + (1 if (len(data) - 512) % size else 0)
    fat_count, _, _, _, _, _, _, difat_start, difat_count = struct.unpack("<IIIIIIIII", data[44:80])
    if fat_count > count:
        raise _Damaged
    difat = list(struct.unpack("<109I", data[76:76 + 436]))
    sector, seen = difat_start, set()
    while sector not in (_END, _FREE) and len(difat) < fat_count + 109 and difat_count:
        if sector in seen or sector >= count:
            raise _Damaged
        seen.add(sector)
        block = _read_sector(data, sector, size)
        entries = struct.unpack(f"<{size // 4}I", block)
        difat += entries[:-1]
        sector = entries[-1]
    fat: list[int] = []
    for sector in difat[:fat_count]:
        if sector >= count:
            raise _Damaged
        fat += struct.unpack(f"<{size // 4}I", _read_sector(data, sector, size))
    return size, count, fat, data


def _read_sector(data: bytes, sector: int, size: int) -> bytes:
    start = size * (sector + 1)  # the header takes the first sector's place
    block = data[start: start + size]
    return block.ljust(size, b"\x00")


def _chain(fat: list[int], start: int, count: int) -> list[int]:
    chain, seen, sector = [], set(), start
    while sector not in (_END, _FREE):
        if sector in seen or sector >= len(fat) or sector >= count:
            raise _Damaged
        seen.add(sector)
        chain.append(sector)
        sector = fat[sector]
    return chain


def _stream(data: bytes) -> bytes | None:
    """The workbook stream of the compound document (None when it holds none)."""
    size, count, fat, _ = _sectors(data)
    header = struct.unpack("<IIIIIIIIII", data[40:80])
    directory_start, cutoff, mini_fat_start = header[2], header[4], header[5]
    directory = b"".join(_read_sector(data, s, size) for s in _chain(fat, directory_start, count))
    root = None
    found = None
    for at in range(0, len(directory) - 127, 128):
        entry = directory[at: at + 128]
        length = struct.unpack("<H", entry[64:66])[0]
        kind = entry[66]
        name = entry[: max(0, min(length, 64) - 2)].decode("utf-16-le", "replace").lower()
        start, stream_size = struct.unpack("<IQ", entry[116:128])
        if kind == 5 and root is None:
            root = (start, stream_size)
        elif kind == 2 and name in _STREAMS and found is None:
            found = (start, stream_size)
    if found is None:
        return None
    start, stream_size = found
    if size == 512:
        stream_size &= 0xFFFFFFFF
    if stream_size > len(data):
        raise _Damaged
    if stream_size >= cutoff:
        chain = _chain(fat, start, count)
        if len(chain) * size < stream_size:
            raise _Damaged
        return b"".join(_read_sector(data, s, size) for s in chain)[:stream_size]
    # A small stream lives in the mini stream (64-byte sectors inside the root entry's stream).
    if root is None:
        raise _Damaged
    mini = b"".join(_read_sector(data, s, size) for s in _chain(fat, root[0], count))
    mini_fat: list[int] = []
    for sector in _chain(fat, mini_fat_start, count) if mini_fat_start not in (_END, _FREE) else []:
        mini_fat += struct.unpack(f"<{size // 4}I", _read_sector(data, sector, size))
    chain = _chain(mini_fat, start, len(mini) // 64)
    return b"".join(mini[s * 64: s * 64 + 64] for s in chain)[:stream_size]


def check_compound_file(path: Path) -> None:
    """Raises ``bounds.SpreadsheetRefused`` when the .xls declares or holds more than the bounds."""
    name = path.name
    data = path.read_bytes()
    try:
        stream = _stream(data)
    except (_Damaged, struct.error) as exc:
        raise bounds.damaged(name) from exc
    del data
    if stream is None:
        return  # not a workbook (a Word file renamed, an encrypted package): calamine says so
    _check_biff(name, stream)


def _check_biff(name: str, stream: bytes) -> None:
    names: dict[int, str] = {}  # offset of a sheet's BOF → its name
    hidden: set[int] = set()  # offsets of hidden sheets' BOFs
    extent: bounds.Extent | None = None
    visible = True
    biff8 = True
    at, end = 0, len(stream)
    while at + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, at)
        data = stream[at + 4: at + 4 + length]
        if kind == _BOF and len(data) >= 4:
            version, substream = struct.unpack_from("<HH", data)
            biff8 = version == 0x0600
            extent = bounds.Extent(name, names.get(at, "")) if substream == 0x0010 else None
            visible = at not in hidden
        elif kind == _BOUNDSHEET and len(data) >= 8:
            offset = struct.unpack_from("<I", data)[0]
            names[offset] = _sheet_name(data[6:], biff8)
            if data[4] & 0x3:
                hidden.add(offset)
        elif extent is not None:
            # calamine reserves every sheet's declared area when it opens the file, but builds the rows of
            # the visible sheets only (``roster.read_sheet_rows`` skips the hidden ones).
            if kind == _DIMENSIONS:
                _check_dimensions(extent, data, biff8)
            elif not visible:
                pass
            elif kind in _CELLS and len(data) >= 4:
                row, column = struct.unpack_from("<HH", data)
                extent.add(row, column)
            elif kind == _MULRK and len(data) >= 6:
                row, first = struct.unpack_from("<HH", data)
                last = struct.unpack_from("<H", data, len(data) - 2)[0]
                extent.add(row, first, row, max(first, last))
            elif kind == _EOF:
                extent = None
        at += 4 + length


def _sheet_name(data: bytes, biff8: bool) -> str:
    if not data:
        return ""
    count = data[0]
    if biff8 and len(data) >= 2:
        wide = data[1] & 0x1
        raw = data[2: 2 + count * (2 if wide else 1)]
        return raw.decode("utf-16-le" if wide else "latin-1", "replace")
    return data[1: 1 + count].decode("gb18030", "replace")


def _check_dimensions(extent: bounds.Extent, data: bytes, biff8: bool) -> None:
    """The area the sheet declares: calamine reserves room for it before reading a cell."""
    if biff8 and len(data) >= 12:
        first_row, end_row, first_col, end_col = struct.unpack_from("<IIHH", data)
    elif len(data) >= 8:
        first_row, end_row, first_col, end_col = struct.unpack_from("<HHHH", data)
    else:
        return
    rows, columns = max(0, end_row - first_row), max(0, end_col - first_col)
    if rows and columns and (rows > bounds.MAX_ROWS or columns > bounds.MAX_COLUMNS
                             or rows * columns > bounds.MAX_CELLS):
        where = f"「{extent.file_name}」的工作表「{extent.sheet}」" if extent.sheet else f"「{extent.file_name}」"
        raise bounds.SpreadsheetRefused(
            bounds.SHEET_TOO_LARGE,
            f"{where}声明的范围有 {rows} 行 × {columns} 列，超出了可导入的范围（最多 {bounds.MAX_ROWS} 行、"
            f"{bounds.MAX_COLUMNS} 列，共 {bounds.MAX_CELLS} 个单元格），没有读取。"
            "请在 Excel 或 WPS 中打开它，删除表格以外多余的内容后另存为 .xlsx，再导入。")
