"""Writing files for the user (exports, returns carried on a USB stick) so a failure never leaves a
file that looks complete but is not.

The content goes to a temporary file in the destination folder, is flushed and fsynced, and only then
renamed over the destination with ``os.replace`` (atomic on one volume). The final file is read back and
its hash compared with the temporary file's. A read-back can be served from the system's cache, so it
catches short or mangled copies rather than every fault of the device.

What is written may hold personal data (rosters with ID numbers), so the file is readable by its owner
only where the system has such permissions: 0600 on POSIX, whatever the umask. On Windows nothing is
changed: a file takes the permissions of the folder it is written to (the user's Desktop or Documents
are the user's own); a USB stick's FAT file system has no permissions at all.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

TEMP_SUFFIX = ".partial"
PRIVATE_MODE = 0o600  # owner reads and writes; nobody else
_CHUNK = 1024 * 1024
_REPLACE_ATTEMPTS = 5  # on Windows a virus scanner may hold the fresh temp file for a moment


class FileInUseError(PermissionError):
    """The destination could not be replaced, usually because Excel or WPS has it open."""


class VerifyError(OSError):
    """The file read back differs from what was written."""


def sha256_of(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def atomic_write(path: str | os.PathLike[str], write: Callable[[BinaryIO], object]) -> str:
    """Call ``write(f)`` with a binary file opened on a temporary file next to ``path``, then move it into
    place. Returns the SHA-256 (hex) of the file as read back from ``path``.

    If ``write`` or anything after it fails, the temporary file is removed and the exception propagates;
    a destination that existed before is left as it was unless the failure came after the rename.
    """
    target = Path(path)
    folder = target.parent
    fd, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    temp = Path(temp_name)
    replaced = False
    try:
        make_private(fd)  # mkstemp's 0600 already; said here, and kept through the rename
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        expected = sha256_of(temp)
        _replace(temp, target)
        replaced = True
        fsync_folder(folder)
        actual = sha256_of(target)
        if actual != expected:
            raise VerifyError(f"写入校验失败：{target} 读回的内容与写入的不一致，请换一个位置或换一个U盘重新导出。")
        return actual
    except BaseException:
        temp.unlink(missing_ok=True)
        if replaced:
            # The destination now holds something we could not verify: better no file than a bad one.
            target.unlink(missing_ok=True)
        raise


def make_private(fd: int) -> None:
    """Only the owner may read the open file ``fd`` (POSIX); a file system without permissions
    (FAT on a USB stick) refuses and is left as it is; Windows is not touched."""
    if os.name != "posix":
        return
    try:
        os.fchmod(fd, PRIVATE_MODE)
    except OSError:
        pass


def _replace(source: Path, target: Path) -> None:
    for attempt in range(_REPLACE_ATTEMPTS):
        try:
            os.replace(source, target)
            return
        except PermissionError as error:
            if attempt == _REPLACE_ATTEMPTS - 1:
                raise FileInUseError(
                    f"无法保存到 {target}：文件可能正在被 Excel 或 WPS 打开，请关闭该文件后重试。"
                ) from error
            time.sleep(0.1 * (attempt + 1))


def fsync_folder(folder: Path) -> None:
    """Make the rename itself durable. Windows cannot open a folder for fsync; NTFS journals renames."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (e.g. certain FUSE or network mounts) refuse fsync on folders
    finally:
        os.close(fd)
