"""Reading a return package as a file that may be damaged or made to do harm, within fixed bounds.

A package comes to the township on a USB stick from somewhere else; whatever is on it, reading it must end
soon, use little memory and change nothing outside the township's own data file. So, before the checks of
``services.returns.load_package``:

- Only regular files are read. A link (symbolic link, Windows junction), a named pipe, a device or a
  socket in the package, or the package itself being one, is refused: a link could point anywhere
  (``/dev/zero``, another folder), and opening a pipe waits forever. Files are opened with
  ``O_NOFOLLOW | O_NONBLOCK`` where the system has them, and checked again on the open handle (``fstat``:
  still a regular file, still the same file), so nothing swapped in between is read.
- Every file's size is bounded before it is read (``MAX_FILE_BYTES``, all together ``MAX_PACKAGE_BYTES``,
  return.json ``MAX_DATA_BYTES``, the manifest ``MAX_MANIFEST_BYTES``), and read in chunks that are hashed
  and dropped; a file that grows while it is read is cut off at its bound and refused.
- A .zip: its central directory is bounded (``MAX_ENTRIES`` members) before it is parsed; every member's
  name is checked (no absolute path, no drive, no ``..``), its type (no link or device entries), its
  method (stored or deflated), declared size and compression ratio (``MAX_RATIO``), all before anything
  is inflated; then each member is inflated through a stream that stops at the declared size (the CRC
  catches a member that claims less than it holds).
- return.json is parsed only when it is small enough, valid UTF-8, nested no deeper than
  ``MAX_JSON_DEPTH`` (so the parser never runs out of stack), without duplicate keys, NaN or numbers of
  absurd length; ``clean_text`` bounds the names it carries (``MAX_NAME`` characters, no control or
  direction-changing characters).

Every refusal is a ``PackageUnsafe`` whose message is in Chinese and names the package's file; the caller
turns it into the ``unreadable_package`` refusal.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
import struct
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MiB = 1 << 20
MAX_FILE_BYTES = 64 * MiB  # one file of a package (a large village's 附件4 PDF is a few MB)
MAX_PACKAGE_BYTES = 256 * MiB  # every file of a package together, and a .zip package's own size
MAX_DATA_BYTES = 4 * MiB  # return.json (a real one is under 20 KB)
MAX_MANIFEST_BYTES = 256 * 1024
MAX_ENTRIES = 500  # files (or zip members) in a package; a real one has about 20
MAX_RATIO = 200  # a zip member's size over its compressed size, for members over RATIO_FLOOR
RATIO_FLOOR = MiB
MAX_JSON_DEPTH = 16  # return.json needs 3
MAX_NAME = 64  # a township's or village's name, as 本村信息 allows it
MAX_NUMBER_DIGITS = 20  # a JSON number's characters: 2**63 has 19 digits
CHUNK = 1 << 18

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
# Opening relative to a folder's handle (POSIX): a folder renamed or replaced while it is read cannot
# redirect the reading elsewhere. Windows opens by path, after the same checks.
_BY_HANDLE = os.open in os.supports_dir_fd and os.scandir in os.supports_fd and sys.platform != "win32"
_REPARSE_POINT = getattr(stat, "FILE_ATTRIBUTE_REPARSE_POINT", 0x400)


class PackageUnsafe(Exception):
    """A package that cannot be read safely; ``message`` in Chinese names the package's file."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ReadFiles:
    """A package as read: every file's SHA-256 ("name/" → "" for a folder inside it: something extra),
    and the bytes of the files asked for (return.json and the manifest)."""

    hashes: dict[str, str]
    kept: dict[str, bytes]


Skip = Callable[[str], bool]  # file names not part of a package (Thumbs.db and the like): not even opened


def short(text: str, limit: int = 120) -> str:
    """A value shown in a message: at most ``limit`` characters, control characters shown as spaces."""
    text = "".join(" " if _is_control(c) else c for c in str(text)[: limit + 1])
    return text if len(text) <= limit else text[:limit] + "…"


def package_label(path: Path | str) -> str:
    """A package's file name as messages show it: shortened, without control or direction characters
    (a file name on a stick can hold anything)."""
    path = Path(path)
    return short(path.name or str(path), 120)


def os_reason(error: OSError) -> str:
    """What an operating-system error means, in Chinese (the system's own text may be English)."""
    code = error.errno
    if code in (errno.ENOENT, errno.ENOTDIR):
        return "找不到文件，可能已被移走或 U 盘已拔出"
    if code in (errno.EACCES, errno.EPERM):
        return "没有读取权限"
    if code == errno.ELOOP:
        return "是一个链接（快捷方式），不是文件"
    if code in (errno.EIO, getattr(errno, "ENXIO", -1), getattr(errno, "ENODEV", -1)):
        return "读取时出错，U 盘可能已损坏或已拔出"
    if code == errno.ENAMETOOLONG:
        return "文件名太长"
    if code in (errno.EAGAIN, errno.EWOULDBLOCK, getattr(errno, "EBUSY", -1)):
        return "文件正被占用，无法读取"
    return f"系统错误 {code}" if code else "系统错误"


# ---------------------------------------------------------------------------------------- single files


def _refuse_type(label: str, name: str, mode: int, attributes: int = 0) -> None:
    """Refuse anything but a regular file (links, pipes, devices, sockets); ``name`` inside ``label``."""
    where = f"报表包“{label}”中的“{short(name, 80)}”" if name else f"“{label}”"
    if stat.S_ISLNK(mode) or attributes & _REPARSE_POINT:
        raise PackageUnsafe(f"{where}是一个链接（快捷方式），不是文件。报表包中只能有普通文件，这份报表没有导入。"
                            "请把村里导出的报表包原样复制过来。")
    if not stat.S_ISREG(mode):
        raise PackageUnsafe(f"{where}不是普通文件（是设备、管道或其他特殊文件），不能读取。这份报表没有导入，"
                            "请把村里导出的报表包原样复制过来。")


def _too_big(label: str, name: str, size: int, limit: int) -> PackageUnsafe:
    where = f"报表包“{label}”中的“{short(name, 80)}”" if name else f"报表包“{label}”"
    return PackageUnsafe(f"{where}太大（{size / MiB:.1f} MB，最多 {limit / MiB:.1f} MB），不是本程序导出的报表包"
                         "或已损坏。这份报表没有导入，请让村里重新导出。")


def _open_checked(label: str, name: str, path: str, expected: os.stat_result | None, dir_fd: int | None) -> int:
    """A handle on a regular file, opened without following a link and without waiting on a pipe, and
    checked on the handle itself to be a regular file (the same one ``expected`` describes)."""
    try:
        fd = os.open(path, _READ_FLAGS, dir_fd=dir_fd) if dir_fd is not None else os.open(path, _READ_FLAGS)
    except OSError as error:
        if error.errno == errno.ELOOP:
            _refuse_type(label, name, stat.S_IFLNK)
        raise PackageUnsafe(f"报表包“{label}”中的“{short(name, 80)}”读不出来（{os_reason(error)}）。"
                            "请检查 U 盘，或让村里重新导出。") from error
    try:
        st = os.fstat(fd)
        _refuse_type(label, name, st.st_mode)
        if expected is not None and (st.st_ino, st.st_dev) != (expected.st_ino, expected.st_dev) \
                and expected.st_ino and st.st_ino:
            raise PackageUnsafe(f"报表包“{label}”中的“{short(name, 80)}”在读取时被替换了。这份报表没有导入，"
                                "请在复制完成后再汇总。")
        return fd
    except BaseException:
        os.close(fd)
        raise


def _read_fd(fd: int, label: str, name: str, limit: int, keep: bool) -> tuple[str, bytes | None, int]:
    """Read an open file in chunks up to ``limit`` bytes: (SHA-256, the bytes when ``keep``, size)."""
    digest = hashlib.sha256()
    kept = bytearray() if keep else None
    size = 0
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with open(fd, "rb", buffering=0, closefd=True) as f:
        while True:
            try:
                count = f.readinto(buffer)
            except BlockingIOError:  # a special file after all: it has nothing to give now
                _refuse_type(label, name, stat.S_IFIFO)
            except OSError as error:
                raise PackageUnsafe(f"报表包“{label}”中的“{short(name, 80)}”读不出来（{os_reason(error)}）。"
                                    "请检查 U 盘，或让村里重新导出。") from error
            if not count:
                break
            size += count
            if size > limit:
                raise _too_big(label, name, size, limit)
            digest.update(view[:count])
            if kept is not None:
                kept += view[:count]
    return digest.hexdigest(), (bytes(kept) if kept is not None else None), size


def read_regular_file(path: Path, limit: int, label: str | None = None) -> bytes:
    """One regular file (never a link, pipe or device), at most ``limit`` bytes."""
    path = Path(path)
    label = label or package_label(path)
    fd = _open_regular(path, label, path.name, limit, lambda reason: f"“{label}”读不出来（{reason}）。")
    return _read_fd(fd, label, path.name, limit, keep=True)[1]


def _open_regular(path: Path, label: str, name: str, limit: int, unreadable: Callable[[str], str]) -> int:
    """A descriptor open on ``path`` once it is known to be a regular file (never a link, pipe or device)
    of at most ``limit`` bytes; ``unreadable(reason)`` is the refusal when it cannot even be looked at."""
    try:
        st = os.lstat(path)
    except OSError as error:
        raise PackageUnsafe(unreadable(os_reason(error))) from error
    _refuse_type(label, "", st.st_mode, getattr(st, "st_file_attributes", 0))
    if st.st_size > limit:
        raise _too_big(label, "", st.st_size, limit)
    return _open_checked(label, name, str(path), st, None)


# ---------------------------------------------------------------------------------------- folders


def package_kind(path: Path, label: str) -> str:
    """"folder" or "zip" for a package given as a path; the path itself must not be a link or a special file."""
    try:
        st = os.lstat(path)
    except OSError as error:
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            raise PackageUnsafe(f"找不到报表包“{short(str(path), 200)}”。请检查 U 盘是否插好、路径是否正确。") from error
        raise PackageUnsafe(f"报表包“{label}”读不出来（{os_reason(error)}）。请检查 U 盘。") from error
    attributes = getattr(st, "st_file_attributes", 0)
    if stat.S_ISDIR(st.st_mode) and not attributes & _REPARSE_POINT:
        return "folder"
    _refuse_type(label, "", st.st_mode, attributes)
    return "zip"


def read_folder(folder: Path, keep: Mapping[str, int], skip: Skip) -> ReadFiles:
    """Every regular file of a package folder hashed in chunks; the files named in ``keep`` (name → size
    bound) kept as well. Links, pipes and devices refused; a folder inside is listed as "name/"."""
    label = package_label(folder)
    hashes: dict[str, str] = {}
    kept: dict[str, bytes] = {}
    dir_fd = None
    try:
        if _BY_HANDLE:
            dir_fd = os.open(folder, _DIR_FLAGS)
            st = os.fstat(dir_fd)
            if not stat.S_ISDIR(st.st_mode):
                _refuse_type(label, "", st.st_mode)
            listing = os.scandir(dir_fd)
        else:
            listing = os.scandir(folder)
    except OSError as error:
        if dir_fd is not None:
            os.close(dir_fd)
        if error.errno == errno.ELOOP:
            _refuse_type(label, "", stat.S_IFLNK)
        raise PackageUnsafe(f"报表包“{label}”读不出来（{os_reason(error)}）。请检查 U 盘，或让村里重新导出。") from error
    total = 0
    try:
        with listing:
            entries = 0
            for entry in listing:
                entries += 1  # the skipped ones too: a folder of a million of them is not a package
                if entries > MAX_ENTRIES:
                    raise PackageUnsafe(f"报表包“{label}”中的文件太多（超过 {MAX_ENTRIES} 个），不是本程序导出的报表包。"
                                        "这份报表没有导入。")
                if skip(entry.name):
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError as error:
                    raise PackageUnsafe(f"报表包“{label}”中的“{short(entry.name, 80)}”读不出来（{os_reason(error)}）。"
                                        "请检查 U 盘，或让村里重新导出。") from error
                attributes = getattr(st, "st_file_attributes", 0)
                if stat.S_ISDIR(st.st_mode) and not attributes & _REPARSE_POINT:
                    hashes[entry.name + "/"] = ""  # something extra: the manifest check names it
                    continue
                _refuse_type(label, entry.name, st.st_mode, attributes)
                limit = keep.get(entry.name, MAX_FILE_BYTES)
                if st.st_size > limit:
                    raise _too_big(label, entry.name, st.st_size, limit)
                total += st.st_size
                if total > MAX_PACKAGE_BYTES:
                    raise _too_big(label, "", total, MAX_PACKAGE_BYTES)
                if dir_fd is not None:
                    fd = _open_checked(label, entry.name, entry.name, st, dir_fd)
                else:
                    fd = _open_checked(label, entry.name, entry.path, st, None)
                digest, data, _ = _read_fd(fd, label, entry.name, limit, keep=entry.name in keep)
                hashes[entry.name] = digest
                if data is not None:
                    kept[entry.name] = data
    except OSError as error:  # the listing itself failed part way
        raise PackageUnsafe(f"报表包“{label}”读不出来（{os_reason(error)}）。请检查 U 盘，或让村里重新导出。") from error
    finally:
        if dir_fd is not None:
            os.close(dir_fd)
    return ReadFiles(hashes, kept)


# ---------------------------------------------------------------------------------------- zip files


_DRIVE = re.compile(r"^[A-Za-z]:")
# Stored and deflated only: what every zip tool writes by default, and the two whose inflating
# ``zipfile`` bounds chunk by chunk (bzip2 and LZMA members are inflated a whole input chunk at a time,
# which a crafted member can make gigabytes).
_ZIP_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})


def _member_problem(name: str) -> str | None:
    """What is wrong with a zip member's name as a path, or None."""
    if not name or "\x00" in name:
        return "名称为空或含有不可见字符"
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return "是绝对路径"
    if any(part == ".." for part in re.split(r"[/\\]", name)):
        return "含有“..”（指向报表包以外）"
    return None


def _zip_type_problem(info: zipfile.ZipInfo) -> str | None:
    """A member stored as a link, pipe or device (Unix zips keep the file's type in the attributes)."""
    mode = info.external_attr >> 16
    if info.create_system == 3 and mode and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return "是一个链接（快捷方式）" if stat.S_ISLNK(mode) else "不是普通文件（是设备、管道或其他特殊文件）"
    return None


def _central_directory(f, label: str) -> None:
    """Bound the central directory before ``zipfile`` parses it (it reads it whole into memory)."""
    try:
        end = zipfile._EndRecData(f)  # the standard library's own reader of the end record (zip64 too)
    except (OSError, struct.error, AttributeError, TypeError, ValueError):
        end = None
    if not end:
        raise PackageUnsafe(f"报表包“{label}”不是有效的 zip 文件，可能已损坏或没有复制完整。请让村里重新导出。")
    entries, size = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]
    if entries > MAX_ENTRIES or size > MAX_ENTRIES * 1024:
        raise PackageUnsafe(f"报表包“{label}”中的文件太多（zip 中有 {entries} 项，最多 {MAX_ENTRIES} 项），"
                            "不是本程序导出的报表包。这份报表没有导入。")


def _zip_reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.errno:
        return os_reason(error)
    text = str(error)
    if "CRC" in text:
        return "文件校验码不对，内容已损坏"
    if "encrypt" in text.lower() or "password" in text.lower():
        return "文件加了密码"
    if isinstance(error, NotImplementedError):
        return "使用了本程序不支持的压缩方式"
    return "不是有效的 zip 文件，或已损坏、没有复制完整"


def read_zip(path: Path, keep: Mapping[str, int], skip: Skip) -> ReadFiles:
    """The members of a .zip package, under one top folder or at the top, each checked before it is
    inflated and then inflated through a bounded stream and hashed in chunks."""
    label = package_label(path)
    fd = _open_regular(path, label, label, MAX_PACKAGE_BYTES,
                       lambda reason: f"报表包“{label}”读不出来（{reason}）。请检查 U 盘。")
    try:
        with _zip_archive(fd, label) as archive:
            return _read_members(archive, label, keep, skip)
    except PackageUnsafe:
        raise
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, RuntimeError,
            NotImplementedError, struct.error, LookupError) as error:
        raise PackageUnsafe(f"报表包“{label}”读不出来（{_zip_reason(error)}）。请让村里重新导出。") from error
    except Exception as error:  # zlib, bz2 and lzma errors of a damaged member
        raise PackageUnsafe(f"报表包“{label}”已损坏（{_zip_reason(error)}）。请让村里重新导出。") from error


@contextmanager
def _zip_archive(fd: int, label: str) -> Iterator[zipfile.ZipFile]:
    """The zip file open on ``fd`` (closed afterwards), once its central directory has been checked."""
    with open(fd, "rb", closefd=True) as f:
        _central_directory(f, label)
        f.seek(0)
        with zipfile.ZipFile(f) as archive:
            yield archive


def _read_members(archive: zipfile.ZipFile, label: str, keep: Mapping[str, int], skip: Skip) -> ReadFiles:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise PackageUnsafe(f"报表包“{label}”中的文件太多（超过 {MAX_ENTRIES} 个），不是本程序导出的报表包。")
    for info in infos:
        problem = _member_problem(info.orig_filename) or _zip_type_problem(info)
        if problem:
            raise PackageUnsafe(f"报表包“{label}”中的“{short(info.orig_filename, 80)}”{problem}，报表包中只能有普通文件。"
                                "这份报表没有导入，请让村里重新导出。")
    files = [i for i in infos if not i.is_dir()]
    names = [i.filename for i in files]
    tops = {n.split("/", 1)[0] for n in names if "/" in n}
    prefix = f"{tops.pop()}/" if len(tops) == 1 and all(n.count("/") >= 1 for n in names) else ""
    chosen: list[tuple[str, zipfile.ZipInfo]] = []
    seen: set[str] = set()
    total = 0
    for info in files:
        inner = info.filename[len(prefix):]
        if skip(inner.rsplit("/", 1)[-1]) or inner.startswith("__MACOSX/"):
            continue
        if inner in seen:
            raise PackageUnsafe(f"报表包“{label}”中有两个同名的“{short(inner, 80)}”，无法确定用哪一个。这份报表没有导入，"
                                "请让村里重新导出。")
        seen.add(inner)
        limit = keep.get(inner, MAX_FILE_BYTES)
        if info.file_size > limit:
            raise _too_big(label, inner, info.file_size, limit)
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise PackageUnsafe(f"报表包“{label}”中的“{short(inner, 80)}”压缩得不合常理（{info.compress_size} 字节解开为 "
                                f"{info.file_size} 字节），可能是恶意文件。这份报表没有导入。")
        if info.flag_bits & 0x1:
            raise PackageUnsafe(f"报表包“{label}”中的“{short(inner, 80)}”加了密码，无法核对。这份报表没有导入。")
        if info.compress_type not in _ZIP_METHODS:
            raise PackageUnsafe(f"报表包“{label}”中的“{short(inner, 80)}”使用了本程序不支持的压缩方式。这份报表没有导入，"
                                "请让村里重新导出。")
        total += info.file_size
        if total > MAX_PACKAGE_BYTES:
            raise _too_big(label, "", total, MAX_PACKAGE_BYTES)
        chosen.append((inner, info))
    hashes: dict[str, str] = {}
    kept: dict[str, bytes] = {}
    for inner, info in chosen:  # a name with "/" left is in a subfolder: something extra
        digest, data = _read_member(archive, info, label, inner, inner in keep)
        hashes[inner] = digest
        if data is not None:
            kept[inner] = data
    return ReadFiles(hashes, kept)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, inner: str,
                 keep: bool) -> tuple[str, bytes | None]:
    """Inflate one member in chunks, never past its declared size (``ZipExtFile`` stops there and checks
    the CRC at the end)."""
    digest = hashlib.sha256()
    kept = bytearray() if keep else None
    size = 0
    with archive.open(info) as member:
        while chunk := member.read(CHUNK):
            size += len(chunk)
            if size > info.file_size:
                raise _too_big(label, inner, size, info.file_size)
            digest.update(chunk)
            if kept is not None:
                kept += chunk
    return digest.hexdigest(), (bytes(kept) if kept is not None else None)


def read_member(path: Path, name: str, limit: int, skip: Skip) -> bytes | None:
    """One file of a package (a folder, or a .zip with it at the top or under one folder), within
    ``limit``: for peeking at a package before it is checked; None when it is not there."""
    label = package_label(path)
    if package_kind(path, label) == "folder":
        target = Path(path) / name
        try:
            os.lstat(target)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise PackageUnsafe(f"“{label}”中的“{name}”读不出来（{os_reason(error)}）。") from error
        return read_regular_file(target, limit, label)
    try:
        st = os.lstat(path)
        if st.st_size > MAX_PACKAGE_BYTES:
            raise _too_big(label, "", st.st_size, MAX_PACKAGE_BYTES)
        fd = _open_checked(label, label, str(path), st, None)
        with _zip_archive(fd, label) as archive:
            for info in archive.infolist():
                if info.filename.rsplit("/", 1)[-1] != name or info.filename.count("/") > 1:
                    continue
                if _member_problem(info.orig_filename) or _zip_type_problem(info) or info.file_size > limit:
                    return None
                return _read_member(archive, info, label, name, True)[1]
    except PackageUnsafe:
        raise
    except Exception as error:
        raise PackageUnsafe(f"报表包“{label}”读不出来（{_zip_reason(error)}）。") from error
    return None


# ---------------------------------------------------------------------------------------- return.json


class JsonUnsafe(ValueError):
    """return.json cannot be read; the message (Chinese) says why, without naming the package."""


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"\[\]|\{\}")


def _nesting_within(text: str, depth: int) -> bool:
    """Whether a parser reading the text never has more than ``depth`` brackets (outside strings) open
    at once. Each pass removes the innermost pairs; after k passes the deepest nesting is at most k plus
    the brackets left, so the text is within once that sum is; a pass that removes nothing while too
    many brackets are left means brackets that never close."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub('""', text))
    for passes in range(depth + 1):
        if passes + len(brackets) <= depth:
            return True
        brackets, removed = _INNERMOST.subn("", brackets)
        if not removed:
            return False
    return False


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    made = dict(pairs)
    if len(made) != len(pairs):
        seen: set[str] = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise JsonUnsafe(f"“{short(twice, 40)}”出现了两次")
    return made


def _number(text: str):
    if len(text) > MAX_NUMBER_DIGITS:
        raise JsonUnsafe(f"有一个数字长达 {len(text)} 位")
    return int(text)


def _decimal(text: str):
    if len(text) > 2 * MAX_NUMBER_DIGITS:
        raise JsonUnsafe(f"有一个数字长达 {len(text)} 位")
    return float(text)


def _constant(text: str):
    raise JsonUnsafe(f"有一个不是数字的值“{text}”")


def parse_json(raw: bytes, limit: int = MAX_DATA_BYTES, depth: int = MAX_JSON_DEPTH) -> tuple[object, str]:
    """(the parsed value, the text) of a JSON file within bounds; ``JsonUnsafe`` in Chinese otherwise."""
    if len(raw) > limit:
        raise JsonUnsafe(f"数据文件太大（{len(raw) / MiB:.1f} MB，最多 {limit / MiB:.1f} MB）")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise JsonUnsafe(f"不是 UTF-8 编码的文本（第 {error.start + 1} 个字节）") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not _nesting_within(text, depth):
        raise JsonUnsafe(f"层次太深（超过 {depth} 层）或括号不配对")
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_int=_number, parse_float=_decimal,
                           parse_constant=_constant)
    except JsonUnsafe:
        raise
    except json.JSONDecodeError as error:
        raise JsonUnsafe(f"第 {error.lineno} 行第 {error.colno} 列格式不对") from None
    except RecursionError:
        raise JsonUnsafe("层次太深") from None
    except (ValueError, TypeError):
        raise JsonUnsafe("格式不对") from None
    return value, text


# ---------------------------------------------------------------------------------------- names


def _is_control(char: str) -> bool:
    """Control, format (bidi overrides, zero-width), surrogate and line/paragraph separator characters."""
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def text_problem(value: object, limit: int = MAX_NAME, required: bool = True) -> str | None:
    """What is wrong with a name carried by a package (None when it may be stored and printed): a
    string of at most ``limit`` characters, not empty when ``required``, without control characters."""
    if value is None or value == "":
        return "为空" if required else None
    if not isinstance(value, str):
        return "不是文字"
    if len(value) > limit:
        return f"太长（{len(value)} 个字，最多 {limit} 个字）"
    if any(_is_control(c) for c in value):
        return "含有控制字符或不可见字符"
    if required and not value.strip():
        return "为空"
    return None


def clean_text(value: object, limit: int = MAX_NAME) -> str | None:
    """The name when it is usable (stripped), else None: for messages about a package not yet checked."""
    if text_problem(value, limit) is not None:
        return None
    return value.strip()
