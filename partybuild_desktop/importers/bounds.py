"""Bounds checked on a spreadsheet before the spreadsheet library reads it.

python-calamine reads a whole sheet into one rectangle from A1 to the last cell with a value, and a zip
entry as far as it inflates: a 5 KB workbook with one value at XFD1048576 makes it ask for 512 GB and abort
the process, a 1 MB entry that inflates to 1 GB takes minutes and gigabytes. So before calamine sees the
file, this module looks at what the file declares and holds, reading in chunks with bounded memory:

- the file's size on disk;
- a zip (xlsx, xlsm, xlsb, ods): the number of entries and the central directory's size, every entry's
  declared uncompressed size and compression ratio (before anything is inflated), then the parts the
  reader would read are inflated in chunks and checked to inflate to exactly their declared size;
- each visible sheet's extent: the last row and column holding a value (``<dimension>`` is not trusted:
  calamine does not use it either), within ``MAX_ROWS`` × ``MAX_COLUMNS`` and ``MAX_CELLS`` in all;
- each cell's and each shared string's length, within Excel's own limit of 32,767 characters;
- XML with a document type declaration (entity expansion) is refused.

Legacy .xls/.et (compound document) files are bounded by their size on disk and by their sheets' declared
and real extents (``importers.biff``); .xlsb by the zip bounds and its records (``importers.xlsb``). For
every format the extent calamine reports
is checked again before the rows are built (``roster.read_sheet_rows``). A failed bound raises ``SpreadsheetRefused``
with a Chinese message that says what is too large, where, and what to do.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterator
from xml.parsers import expat

MAX_FILE_BYTES = 100 * 1024 * 1024  # on disk
MAX_LEGACY_FILE_BYTES = 50 * 1024 * 1024  # .xls/.et: read into memory whole
MAX_ENTRIES = 10_000
MAX_CENTRAL_DIRECTORY_BYTES = 4 * 1024 * 1024
MAX_ENTRY_BYTES = 100 * 1024 * 1024  # declared uncompressed size of one zip entry
MAX_TOTAL_BYTES = 200 * 1024 * 1024  # of all entries together
MAX_RATIO = 200  # uncompressed / compressed, for entries larger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_CELLS = 2_000_000  # rows × columns of the rectangle the reader builds from A1
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell

CHUNK = 256 * 1024

# Refusal codes (also carried by ``RosterUnreadable.code``).
SPREADSHEET_TOO_LARGE = "spreadsheet_too_large"
SHEET_TOO_LARGE = "sheet_too_large"
CELL_TOO_LONG = "cell_too_long"
SPREADSHEET_DAMAGED = "spreadsheet_damaged"

_RESAVE = "请在 Excel 或 WPS 中打开它，删除表格以外多余的内容后另存为 .xlsx，再导入。"


class SpreadsheetRefused(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


def column_letters(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 16383 → XFD)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check_file(path: Path) -> None:
    """Every bound for the file at ``path`` (any format calamine reads); raises ``SpreadsheetRefused``."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        magic = handle.read(8)
    if magic.startswith(b"PK"):
        _check_size(path, size, MAX_FILE_BYTES)
        check_zip(path, size)
    elif magic == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        _check_size(path, size, MAX_LEGACY_FILE_BYTES)
        from .biff import check_compound_file

        check_compound_file(path)
    else:
        _check_size(path, size, MAX_FILE_BYTES)


def _check_size(path: Path, size: int, limit: int) -> None:
    if size > limit:
        raise SpreadsheetRefused(
            SPREADSHEET_TOO_LARGE,
            f"「{path.name}」有 {megabytes(size)}，超过了可导入的 {megabytes(limit)}，没有读取。"
            "名册一般只有几百 KB；" + _RESAVE)


def refuse_sheet_extent(file_name: str, sheet: str, row: int, column: int) -> SpreadsheetRefused:
    """A value at 0-based (row, column) beyond the bounds of a sheet."""
    where = f"「{file_name}」的工作表「{sheet}」" if sheet else f"「{file_name}」"
    cell = f"{column_letters(column)}{row + 1}"
    if row >= MAX_ROWS or column >= MAX_COLUMNS:
        what = f"在第 {row + 1} 行、第 {column + 1} 列（{cell} 单元格）还有内容，超出了可导入的范围（最多 {MAX_ROWS} 行、{MAX_COLUMNS} 列）"
    else:
        what = (f"从 A1 到 {cell} 单元格共有 {(row + 1) * (column + 1)} 个单元格，超出了可导入的 {MAX_CELLS} 个"
                f"（例如 {MAX_CELLS // 100} 行 × 100 列）")
    return SpreadsheetRefused(SHEET_TOO_LARGE, f"{where}{what}，没有读取。" + _RESAVE)


def refuse_long_cell(file_name: str, sheet: str, where: str) -> SpreadsheetRefused:
    place = f"「{file_name}」的工作表「{sheet}」" if sheet else f"「{file_name}」"
    return SpreadsheetRefused(
        CELL_TOO_LONG,
        f"{place}{where}的内容超过了 {MAX_CELL_CHARS} 个字符（Excel 一个单元格最多能存的字数），"
        "这不是正常的名册内容，没有读取。请删除或改正该单元格后另存，再导入。")


def damaged(file_name: str, detail: str = "") -> SpreadsheetRefused:
    return SpreadsheetRefused(
        SPREADSHEET_DAMAGED,
        f"无法读取「{file_name}」：文件已损坏{('（' + detail + '）') if detail else ''}，或不是表格文件。"
        "请在 Excel 或 WPS 中打开它，另存为 .xlsx 后再导入。")


class Extent:
    """The last row and column holding a value in one sheet, checked as each value is seen."""

    def __init__(self, file_name: str, sheet: str):
        self.file_name, self.sheet = file_name, sheet
        self.rows = 0  # 1 + last row index with a value
        self.columns = 0

    def add(self, row: int, column: int, last_row: int | None = None, last_column: int | None = None) -> None:
        """A value at (row, column), repeated down to ``last_row`` and across to ``last_column``."""
        last_row = row if last_row is None else last_row
        last_column = column if last_column is None else last_column
        rows, columns = max(self.rows, last_row + 1), max(self.columns, last_column + 1)
        if rows > MAX_ROWS or columns > MAX_COLUMNS:  # the cell itself is out of bounds: it is named
            raise refuse_sheet_extent(self.file_name, self.sheet, last_row, last_column)
        if rows * columns > MAX_CELLS:  # the rectangle from A1 is too large: its far corner is named
            raise refuse_sheet_extent(self.file_name, self.sheet, rows - 1, columns - 1)
        self.rows, self.columns = rows, columns


# ---------------------------------------------------------------- zip

@dataclass
class ZipParts:
    """The entries of a checked zip, by name."""

    path: Path
    entries: dict[str, zipfile.ZipInfo]

    def find(self, name: str) -> zipfile.ZipInfo | None:
        return self.entries.get(name.lower())


def _end_of_central_directory(handle: BinaryIO, size: int) -> tuple[int, int]:
    """(entry count, central directory size) as the end records declare them, before zipfile reads them."""
    tail_size = min(size, 22 + 65535)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        raise ValueError("no end record")
    entries, directory_size = struct.unpack("<H I", tail[at + 10: at + 16])
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF:
        locator = tail[at - 20: at] if at >= 20 else b""
        if not locator.startswith(b"PK\x06\x07"):
            raise ValueError("no zip64 locator")
        (offset,) = struct.unpack("<Q", locator[8:16])
        if offset + 56 > size:
            raise ValueError("zip64 record outside the file")
        handle.seek(offset)
        record = handle.read(56)
        if not record.startswith(b"PK\x06\x06"):
            raise ValueError("no zip64 record")
        entries, directory_size = struct.unpack("<Q Q", record[32:48])
    return entries, directory_size


def open_zip(path: Path, size: int) -> ZipParts:
    """The zip's entries after the declared sizes are checked; nothing is inflated yet."""
    name = path.name
    try:
        with open(path, "rb") as handle:
            count, directory_size = _end_of_central_directory(handle, size)
    except (OSError, ValueError, struct.error) as exc:
        raise damaged(name) from exc
    if count > MAX_ENTRIES or directory_size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise SpreadsheetRefused(
            SPREADSHEET_TOO_LARGE,
            f"「{name}」里面有 {count} 个部件，远多于表格文件应有的数目（最多 {MAX_ENTRIES} 个），没有读取。" + _RESAVE)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise damaged(name) from exc
    entries: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        key = info.filename.lower()
        if key in entries:
            raise damaged(name, f"部件「{info.filename}」出现了两次")
        entries[key] = info
        if info.flag_bits & 0x1:
            raise SpreadsheetRefused(
                SPREADSHEET_DAMAGED,
                f"「{name}」设置了密码或经过加密，无法读取。请在 Excel 或 WPS 中取消密码后另存，再导入。")
        too_large = info.file_size > MAX_ENTRY_BYTES
        ratio = info.file_size / max(info.compress_size, 1)
        if too_large or (info.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
            why = (f"解压后有 {megabytes(info.file_size)}，超过了 {megabytes(MAX_ENTRY_BYTES)}" if too_large else
                   f"压缩了 {ratio:.0f} 倍（正常的表格不超过 {MAX_RATIO} 倍）")
            raise SpreadsheetRefused(
                SPREADSHEET_TOO_LARGE,
                f"「{name}」中的部件「{info.filename}」{why}，像是恶意构造的文件，没有读取。"
                "请向发来文件的人确认，或在 Excel 或 WPS 中打开后另存为 .xlsx 再导入。")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise SpreadsheetRefused(
            SPREADSHEET_TOO_LARGE,
            f"「{name}」解压后共有 {megabytes(total)}，超过了可导入的 {megabytes(MAX_TOTAL_BYTES)}，没有读取。"
            "如果表格中插入了很多图片，请删除图片后另存，再导入。")
    return ZipParts(path, entries)


def inflate(parts: ZipParts, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The entry's bytes in chunks, inflated from its raw data; refused when it inflates to more (or less)
    than its declared size or its checksum does not match."""
    name = parts.path.name
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise damaged(name, f"部件「{info.filename}」的压缩方式不是表格文件所用的")
    with open(parts.path, "rb") as handle:
        handle.seek(info.header_offset)
        header = handle.read(30)
        if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
            raise damaged(name)
        name_length, extra_length = struct.unpack("<H H", header[26:30])
        handle.seek(info.header_offset + 30 + name_length + extra_length)
        left = info.compress_size
        produced, crc = 0, 0
        inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        while left > 0:
            raw = handle.read(min(CHUNK, left))
            if not raw:
                raise damaged(name, f"部件「{info.filename}」不完整")
            left -= len(raw)
            pending = raw
            while pending:
                if inflater is None:
                    data, pending = pending, b""
                else:
                    try:
                        data = inflater.decompress(pending, CHUNK)
                    except zlib.error as exc:
                        raise damaged(name, f"部件「{info.filename}」无法解压") from exc
                    pending = inflater.unconsumed_tail
                    if inflater.eof and (pending or left):
                        pending, left = b"", 0  # trailing bytes after the stream end: ignored as zipfile does
                if not data:
                    break
                produced += len(data)
                if produced > info.file_size:
                    raise SpreadsheetRefused(
                        SPREADSHEET_TOO_LARGE,
                        f"「{name}」中的部件「{info.filename}」解压后比它声明的 {megabytes(info.file_size)} 还大，"
                        "像是恶意构造的文件，没有读取。请向发来文件的人确认。")
                crc = zlib.crc32(data, crc)
                yield data
        if inflater is not None:
            while not inflater.eof:
                data = inflater.decompress(b"", CHUNK)
                if not data:
                    break
                produced += len(data)
                if produced > info.file_size:
                    raise damaged(name, f"部件「{info.filename}」的大小不符")
                crc = zlib.crc32(data, crc)
                yield data
        if produced != info.file_size or crc != info.CRC:
            raise damaged(name, f"部件「{info.filename}」的校验不符")


# ---------------------------------------------------------------- XML

class _Stop(Exception):
    pass


def scan_xml(parts: ZipParts, info: zipfile.ZipInfo, start: Callable, end: Callable | None = None,
             text: Callable | None = None) -> None:
    """Feed one XML entry to expat in chunks, with handlers on local names (no namespace prefixes)."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 64 * 1024

    def no_doctype(*_args):
        raise damaged(parts.path.name, f"部件「{info.filename}」含有文档类型声明")

    parser.StartDoctypeDeclHandler = no_doctype
    parser.EntityDeclHandler = no_doctype
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        for chunk in inflate(parts, info):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise damaged(parts.path.name, f"部件「{info.filename}」不是完好的 XML") from exc
    except _Stop:
        return


def local(name: str) -> str:
    return name.rpartition(":")[2]


def cell_position(reference: str) -> tuple[int, int] | None:
    """"XFD1048576" → (1048575, 16383), 0-based; None when not a cell reference."""
    column, i = 0, 0
    while i < len(reference) and "A" <= reference[i].upper() <= "Z":
        column = column * 26 + ord(reference[i].upper()) - 64
        i += 1
    digits = reference[i:].replace("$", "")
    if not column or not digits.isdigit():
        return None
    return int(digits) - 1, column - 1


# ---------------------------------------------------------------- xlsx / xlsm

_MAIN = "xl/workbook.xml"


def check_zip(path: Path, size: int) -> None:
    parts = open_zip(path, size)
    if parts.find("mimetype") is not None or parts.find("content.xml") is not None:
        _check_ods(parts)
    elif parts.find("xl/workbook.bin") is not None:
        from .xlsb import check_xlsb

        check_xlsb(parts)
    else:
        _check_xlsx(parts)


def _workbook_sheets(parts: ZipParts) -> tuple[list[tuple[str, zipfile.ZipInfo | None]], set[str]]:
    """(name, part) of every visible sheet, and the part names of the hidden ones, resolved through the
    workbook's relationships as the reader resolves them."""
    sheets: list[tuple[str, str, str]] = []  # name, state, relationship id

    def sheet_start(name, attrs):
        if local(name) == "sheet":
            rid = next((v for k, v in attrs.items() if local(k) == "id" and k != "sheetId"), "")
            sheets.append((attrs.get("name", ""), attrs.get("state", "visible"), rid))

    info = parts.find(_MAIN)
    if info is None:
        raise damaged(parts.path.name, "缺少工作簿部件")
    scan_xml(parts, info, sheet_start)
    targets: dict[str, str] = {}
    folder = posixpath.dirname(_MAIN)
    rels = parts.find(posixpath.join(folder, "_rels", posixpath.basename(_MAIN) + ".rels"))
    if rels is not None:
        def rel_start(name, attrs):
            if local(name) == "Relationship" and "Id" in attrs:
                target = attrs.get("Target", "")
                target = target[1:] if target.startswith("/") else posixpath.join(folder, target)
                targets[attrs["Id"]] = posixpath.normpath(target)

        scan_xml(parts, rels, rel_start)
    visible, hidden = [], set()
    for name, state, rid in sheets:
        part = parts.find(targets[rid]) if rid in targets else None
        if state in ("hidden", "veryHidden"):
            if part is not None:
                hidden.add(part.filename)
        else:
            visible.append((name, part))
    return visible, hidden


# The quick pass over a part: C-speed searches over the inflated bytes that prove most parts harmless. It
# counts every cell with a reference (with a value or not) and looks at text runs between tags, so it is only
# ever stricter than the exact pass, which runs on the parts it cannot prove harmless.
_STRING_TAG = re.compile(rb"<(?:[\w.-]+:)?si[\s>]")
_LONG_ROW = re.compile(rb'<c r="[A-Za-z]{1,3}([0-9]{5,})')  # a cell in row 10000 or below
_TWO_LETTERS = re.compile(rb'<c r="([A-Za-z]{2})[0-9]')
_FAR_COLUMN = re.compile(rb'<c r="(?:[A-Za-z]{3}|[H-Zh-z][A-Za-z]|[Gg][S-Zs-z])')  # beyond column GR (200)
_CARRY_LIMIT = 64 * 1024  # a tag and the text after it left over at a chunk's end
_RUN_WINDOW = (MAX_CELL_CHARS + 1) // 2  # a run of 2 windows' length always covers one aligned window


def _quick_pieces(parts: ZipParts, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The entry's bytes in pieces that end before a "<" (so no tag is cut); stops with ``_Stop`` as soon as
    a piece would be left longer than ``_CARRY_LIMIT`` (a long text: the exact pass decides)."""
    carry = b""
    for chunk in inflate(parts, info):
        data = carry + chunk
        cut = data.rfind(b"<")
        if cut <= 0:
            carry = data
        else:
            yield data[:cut]
            carry = data[cut:]
        if len(carry) > _CARRY_LIMIT:
            raise _Stop
    if carry:
        yield carry


def _long_run(piece: bytes) -> bool:
    """Whether the piece may hold a text run of more than ``MAX_CELL_CHARS`` bytes (and so characters):
    such a run covers at least one aligned window without a "<"."""
    return any(piece.find(b"<", at, at + _RUN_WINDOW) < 0 for at in range(0, len(piece) - _RUN_WINDOW + 1, _RUN_WINDOW))


def _quick_sheet(parts: ZipParts, info: zipfile.ZipInfo) -> bool:
    """Whether the quick pass proves the worksheet within every bound: every cell has its reference first
    (as Excel, WPS and openpyxl write it), no reference is beyond column GR, and the last row times the
    widest column stays within ``MAX_CELLS``."""
    last_row, letters = 9999, set()
    try:
        for piece in _quick_pieces(parts, info):
            if _long_run(piece) or b"<!DOCTYPE" in piece or b"<![CDATA[" in piece:
                return False
            cells = piece.count(b"<c ") + piece.count(b"<c>") + piece.count(b"<c/>")
            if cells != piece.count(b'<c r="') or b":c " in piece or _FAR_COLUMN.search(piece):
                return False  # prefixed tags, cells placed by position, or far columns: the exact pass decides
            rows = _LONG_ROW.findall(piece)
            if rows:
                last_row = max(last_row, max(map(int, rows)))
            letters.update(c.upper() for c in set(_TWO_LETTERS.findall(piece)))
    except _Stop:
        return False
    columns = max((cell_position(c.decode("ascii") + "1")[1] + 1 for c in letters), default=26)
    return last_row <= MAX_ROWS and last_row * columns <= MAX_CELLS


def _quick_shared_strings(parts: ZipParts, info: zipfile.ZipInfo) -> bool:
    count = 0
    try:
        for piece in _quick_pieces(parts, info):
            if _long_run(piece) or b"<!DOCTYPE" in piece or b"<![CDATA[" in piece:
                return False
            count += len(_STRING_TAG.findall(piece))
    except _Stop:
        return False
    return count <= MAX_CELLS


def _check_xlsx(parts: ZipParts) -> None:
    file_name = parts.path.name
    # Shared strings: calamine loads them all when it opens the workbook.
    for key, info in parts.entries.items():
        if key.endswith("sharedstrings.xml") and not _quick_shared_strings(parts, info):
            _scan_shared_strings(parts, info)
    visible, hidden = _workbook_sheets(parts)
    checked: set[str] = set()
    for sheet, info in visible:
        if info is not None and info.filename not in checked:
            checked.add(info.filename)
            if not _quick_sheet(parts, info):
                _scan_worksheet(parts, info, Extent(file_name, sheet))
    # Every other worksheet part but a hidden sheet's is checked too, in case the reader finds it another way.
    for key, info in parts.entries.items():
        if key.startswith("xl/worksheets/") and key.endswith(".xml") and info.filename not in checked | hidden:
            if not _quick_sheet(parts, info):
                _scan_worksheet(parts, info, Extent(file_name, posixpath.splitext(posixpath.basename(info.filename))[0]))


def _scan_shared_strings(parts: ZipParts, info: zipfile.ZipInfo) -> None:
    state = {"index": -1, "length": 0, "in_text": False}

    def start(name, attrs):
        tag = local(name)
        if tag == "si":
            state["index"] += 1
            state["length"] = 0
            if state["index"] >= MAX_CELLS:
                raise SpreadsheetRefused(
                    SPREADSHEET_TOO_LARGE,
                    f"「{parts.path.name}」中的文字超过了 {MAX_CELLS} 条，这不是正常的名册，没有读取。" + _RESAVE)
        elif tag == "t":
            state["in_text"] = True

    def end(name):
        if local(name) == "t":
            state["in_text"] = False

    def text(data):
        if state["in_text"]:
            state["length"] += len(data)
            if state["length"] > MAX_CELL_CHARS:
                raise refuse_long_cell(parts.path.name, "", f"第 {state['index'] + 1} 条文字")

    scan_xml(parts, info, start, end, text)


def _scan_worksheet(parts: ZipParts, info: zipfile.ZipInfo, extent: Extent) -> None:
    state = {"row": -1, "col": -1, "cell": None, "value": False, "text": 0, "counting": False}

    def start(name, attrs):
        tag = local(name)
        if tag == "c":
            position = cell_position(attrs.get("r", "")) if "r" in attrs else None
            if position is None:
                state["col"] += 1
                position = (max(state["row"], 0), state["col"])
            else:
                state["col"] = position[1]
            state["cell"], state["value"], state["text"] = position, False, 0
        elif tag == "row":
            r = attrs.get("r", "")
            state["row"] = int(r) - 1 if r.isdigit() else state["row"] + 1
            state["col"] = -1
        elif state["cell"] is not None and tag in ("v", "t", "is"):
            state["value"] = True
            state["counting"] = tag != "is"
        elif tag == "sheetData":
            state["row"] = -1

    def end(name):
        tag = local(name)
        if tag == "c":
            if state["value"] and state["cell"] is not None:
                extent.add(*state["cell"])
            state["cell"] = None
        elif tag in ("v", "t"):
            state["counting"] = False

    def text(data):
        if state["counting"]:
            state["text"] += len(data)
            if state["text"] > MAX_CELL_CHARS:
                row, column = state["cell"]
                raise refuse_long_cell(extent.file_name, extent.sheet, f"{column_letters(column)}{row + 1} 单元格")

    scan_xml(parts, info, start, end, text)


# ---------------------------------------------------------------- ods

_ODS_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def _check_ods(parts: ZipParts) -> None:
    info = parts.find("content.xml")
    if info is None:
        raise damaged(parts.path.name, "缺少 content.xml")
    file_name = parts.path.name
    # A row or cell may say it repeats (number-rows-repeated, number-columns-repeated): the reader expands
    # repeated cells that hold a value, so their whole repeated area counts.
    state: dict = {"extent": None, "row": 0, "row_repeat": 1, "col": 0, "cell": None, "text": 0}

    def repeat(attrs, key) -> int:
        value = next((v for k, v in attrs.items() if local(k) == key), "1")
        return max(1, int(value)) if value.isdigit() else 1

    def start(name, attrs):
        tag = local(name)
        if state["cell"] is not None:
            state["cell"][2] = True  # any content (text:p, an annotation…) makes the cell count
        elif tag == "table":
            sheet = next((v for k, v in attrs.items() if local(k) == "name"), "")
            state.update(extent=Extent(file_name, sheet), row=0, col=0)
        elif tag == "table-row":
            state["row_repeat"] = repeat(attrs, "number-rows-repeated")
            state["col"] = 0
        elif tag in ("table-cell", "covered-table-cell"):
            columns = repeat(attrs, "number-columns-repeated")
            has_value = any(local(k) == "value-type" for k in attrs)
            state["cell"] = [state["col"], columns, has_value, name]
            state["text"] = 0
            state["col"] += columns

    def end(name):
        cell = state["cell"]
        if cell is not None:
            if name == cell[3]:
                column, columns, has_value, _ = cell
                if has_value and state["extent"] is not None:
                    state["extent"].add(state["row"], column, state["row"] + state["row_repeat"] - 1,
                                        column + columns - 1)
                state["cell"] = None
        elif local(name) == "table-row":
            state["row"] += state["row_repeat"]
            state["row_repeat"] = 1

    def text(data):
        if state["cell"] is not None:
            state["text"] += len(data)
            if state["text"] > MAX_CELL_CHARS:
                extent = state["extent"]
                raise refuse_long_cell(file_name, extent.sheet if extent else "",
                                       f"{column_letters(state['cell'][0])}{state['row'] + 1} 单元格")

    scan_xml(parts, info, start, end, text)
