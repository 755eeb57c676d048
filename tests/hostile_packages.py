"""Hostile return packages, made by the tests themselves from a real package: a FIFO for return.json, a
report file linked to /dev/zero or out of the package, a zip member named ``../``, a zip bomb, figures of
2⁶³, a village name of a million characters, return.json nested a hundred thousand deep."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import struct
import zlib
from pathlib import Path

DATA, MANIFEST = "return.json", "manifest.sha256"
GiB = 1 << 30


def real_packages(root: Path, quarter) -> dict[str, Path]:
    """Two villages' real packages of ``quarter``, written under ``root``: 东湖村's to be spoiled, 石桥村's
    to go through beside it."""
    from partybuild_desktop.services.returns import export_return
    from tests.conftest import SAMPLE_TODAY
    from tests.helpers import village_file

    made = {}
    for name, seed in (("东湖村", 1), ("石桥村", 2)):
        store = village_file(root / name, name, 25, seed)
        made[name] = export_return(store, None, quarter, root / "U盘", today=SAMPLE_TODAY).path
        store.dispose()
    return made


def copy_package(package: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / package.name
    shutil.copytree(package, target, symlinks=True)
    return target


def write_manifest(package: Path, contents: dict[str, bytes] | None = None) -> None:
    """A manifest that matches the files as they are now (or as ``contents`` says they read)."""
    contents = contents or {}
    lines = []
    for path in sorted(package.iterdir()):
        if path.name == MANIFEST:
            continue
        data = contents[path.name] if path.name in contents else path.read_bytes()
        lines.append(f"{hashlib.sha256(data).hexdigest()}  {path.name}\n")
    (package / MANIFEST).write_text("".join(lines), encoding="utf-8")


def rewrite_data(package: Path, change) -> None:
    """Change return.json (a dict) and write a manifest that matches, as a forger would."""
    data = json.loads((package / DATA).read_text(encoding="utf-8"))
    change(data)
    (package / DATA).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    write_manifest(package)


def replace_data_text(package: Path, text: str) -> None:
    """return.json as the given text, with a manifest that matches."""
    (package / DATA).write_text(text, encoding="utf-8")
    write_manifest(package)


def report_file(package: Path) -> Path:
    """One of the package's report files (附件4's PDF: the largest)."""
    return next(p for p in sorted(package.iterdir()) if "附件4" in p.name and p.suffix == ".pdf")


# ---------------------------------------------------------------------------------------- folders


def fifo_return_json(package: Path, folder: Path) -> Path:
    made = copy_package(package, folder)
    (made / DATA).unlink()
    os.mkfifo(made / DATA)
    return made


def linked_to_dev_zero(package: Path, folder: Path) -> Path:
    made = copy_package(package, folder)
    target = report_file(made)
    target.unlink()
    target.symlink_to("/dev/zero")
    return made


def linked_out_of_the_package(package: Path, folder: Path) -> tuple[Path, Path]:
    """A report file that is a link to a file outside the package, the manifest agreeing with what the
    link points at (so that only refusing the link itself can catch it); (package, the outside file)."""
    made = copy_package(package, folder)
    outside = folder / "别处的文件.pdf"
    outside.write_bytes(b"%PDF-1.4 not the village's file")
    target = report_file(made)
    target.unlink()
    target.symlink_to(Path("..") / outside.name)
    data = json.loads((made / DATA).read_text(encoding="utf-8"))
    digest = hashlib.sha256(outside.read_bytes()).hexdigest()
    for entry in data["files"]:
        if entry["name"] == target.name:
            entry["sha256"], entry["bytes"] = digest, outside.stat().st_size
    (made / DATA).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    write_manifest(made, {target.name: outside.read_bytes()})
    return made, outside


def long_village_name(package: Path, folder: Path, length: int = 1_000_000) -> Path:
    made = copy_package(package, folder)
    rewrite_data(made, lambda d: d["village"].update(name="长" * length))
    return made


def deep_nesting(package: Path, folder: Path, depth: int = 100_000) -> Path:
    """return.json whose figures hold a value nested ``depth`` lists deep."""
    made = copy_package(package, folder)
    text = (made / DATA).read_text(encoding="utf-8")
    data = json.loads(text)
    data["figures"]["nested"] = "@@"
    text = json.dumps(data, ensure_ascii=False).replace('"@@"', "[" * depth + "]" * depth)
    replace_data_text(made, text)
    return made


def figure_of_2_63(package: Path, folder: Path, where: str) -> Path:
    """A figure of 2⁶³ (beyond SQLite's integers): ``where`` is "format_version" (as −2⁶³, which a
    version check of "not newer" lets through), a count of each section, or the member statistics made
    to reconcile around 2⁶³."""
    made = copy_package(package, folder)

    def change(data):
        if where == "format_version":
            data["format_version"] = -(2 ** 63)
        elif where == "member_statistics":
            stats = data["figures"]["member_statistics"]
            big = 2 ** 63
            for key in ("total", "gender_male", "ethnicity_han", "standing_full", "category_farmer", "age_ge61",
                        "education_junior_or_below", "opening"):
                stats[key] += big
        else:
            section = data["figures"][where]
            section[next(iter(section))] = 2 ** 63

    rewrite_data(made, change)
    return made


# ---------------------------------------------------------------------------------------- zips


def _dos_time() -> tuple[int, int]:
    return (12 << 11) | (0 << 5), ((2026 - 1980) << 9) | (11 << 5) | 23


def write_raw_zip(path: Path, members: list[dict]) -> Path:
    """A .zip written byte by byte, so that it can say what a real zip tool never would. Each member:
    name, data (as stored: deflated unless method 0), crc, size (the declared uncompressed size),
    method (8), mode (Unix mode bits, or None)."""
    time, date = _dos_time()
    local, central = bytearray(), bytearray()
    for m in members:
        name = m["name"].encode("utf-8")
        data = m["data"]
        method = m.get("method", 8)
        offset = len(local)
        flags = 0x800  # UTF-8 names
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, time, date, m["crc"], len(data),
                             m["size"], len(name), 0) + name + data
        mode = m.get("mode")
        system = 3 if mode is not None else 0
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (system << 8) | 20, 20, flags, method, time, date,
                               m["crc"], len(data), m["size"], len(name), 0, 0, 0, 0,
                               (mode << 16) if mode is not None else 0, offset) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


def deflated(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def zip_members(package: Path) -> list[dict]:
    """The package's files as zip members under its own folder name."""
    return [dict(name=f"{package.name}/{p.name}", data=deflated(p.read_bytes()), crc=zlib.crc32(p.read_bytes()),
                 size=p.stat().st_size) for p in sorted(package.iterdir())]


def zeros_deflated(mib: int) -> bytes:
    """A raw deflate stream of ``mib`` MiB of zeros, made without compressing them: after a full flush
    each MiB of zeros compresses to the same block, so the block is repeated (about 1 KB a MiB)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(1 << 20)
    first = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    return first + block * (mib - 1) + c.flush(zlib.Z_FINISH)


def zip_bomb(package: Path, folder: Path, declared: str = "huge") -> Path:
    """The package as a .zip whose 附件4 PDF is a 10 MB deflate stream inflating to 10 GiB of zeros.
    ``declared``: "huge" says so (4 GiB − 1, the most a zip without zip64 can say), "honest_64" declares
    60 MiB (within a file's bound: the ratio gives it away), "lying" declares the real PDF's size and CRC
    (the inflating stops there and the CRC does not match)."""
    folder.mkdir(parents=True, exist_ok=True)
    members = zip_members(package)
    bomb = next(m for m in members if "附件4" in m["name"] and m["name"].endswith(".pdf"))
    bomb["data"] = zeros_deflated(10 * 1024)
    if declared == "huge":
        bomb["size"], bomb["crc"] = 0xFFFFFFFE, 0
    elif declared == "honest_64":
        bomb["size"], bomb["crc"] = 60 << 20, 0
        bomb["data"] = zeros_deflated(60)
    return write_raw_zip(folder / f"{package.name}.zip", members)


def zip_with_member(package: Path, folder: Path, name: str, mode: int | None = None) -> Path:
    """The package as a .zip with one more member named ``name`` (e.g. ``../outside.txt``)."""
    folder.mkdir(parents=True, exist_ok=True)
    members = zip_members(package)
    payload = b"/etc/passwd" if mode is not None and stat.S_ISLNK(mode) else b"outside"
    members.append(dict(name=name, data=deflated(payload), crc=zlib.crc32(payload), size=len(payload), mode=mode))
    return write_raw_zip(folder / f"{package.name}.zip", members)


# ---------------------------------------------------------------------------------------- messages


_ALLOWED_LATIN = re.compile(r"return\.json|manifest\.sha256|UTF-8|zip|MB|PDF|pdf|xlsx")


def english_left(message: str, package: Path | str) -> list[str]:
    """Words of four or more Latin letters in a message, the package's own name, what it quotes from the
    package and the program's file names aside: a message for a clerk is Chinese."""
    text = message.replace(Path(package).name, "")
    text = re.sub(r"“[^”]*”", "", text)  # names quoted from the package: its files, members and keys
    text = _ALLOWED_LATIN.sub("", text)
    return re.findall(r"[A-Za-z]{4,}", text)
