import hashlib
import os

import pytest

from partybuild_desktop import fileio
from partybuild_desktop.fileio import FileInUseError, VerifyError, atomic_write, sha256_of


def test_writes_the_content_and_returns_its_hash(tmp_path):
    target = tmp_path / "报表.xlsx"
    digest = atomic_write(target, lambda f: f.write("党员花名册".encode()))
    assert target.read_bytes() == "党员花名册".encode()
    assert digest == hashlib.sha256("党员花名册".encode()).hexdigest() == sha256_of(target)
    assert [p.name for p in tmp_path.iterdir()] == ["报表.xlsx"]


def test_replaces_an_existing_file(tmp_path):
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")
    atomic_write(target, lambda f: f.write(b"new"))
    assert target.read_bytes() == b"new"


def test_a_writer_failing_half_way_leaves_no_file(tmp_path):
    target = tmp_path / "out.xlsx"

    def writer(f):
        f.write(b"PK\x03\x04" + b"x" * 10_000)
        raise OSError("U盘被拔出")

    with pytest.raises(OSError, match="U盘被拔出"):
        atomic_write(target, writer)
    assert list(tmp_path.iterdir()) == []


def test_a_writer_failing_keeps_the_previous_file(tmp_path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"last quarter")

    def writer(f):
        f.write(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, writer)
    assert target.read_bytes() == b"last quarter"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_a_copy_that_reads_back_different_is_removed(tmp_path, monkeypatch):
    target = tmp_path / "out.pdf"

    def truncating_replace(source, destination):
        data = open(source, "rb").read()
        with open(destination, "wb") as f:
            f.write(data[:-1])
        os.remove(source)

    monkeypatch.setattr(fileio.os, "replace", truncating_replace)
    with pytest.raises(VerifyError, match="校验失败"):
        atomic_write(target, lambda f: f.write(b"%PDF-1.4 complete"))
    assert list(tmp_path.iterdir()) == []


def test_a_destination_held_open_gives_a_clear_error(tmp_path, monkeypatch):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"open in Excel")

    def refuse(source, destination):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(fileio.os, "replace", refuse)
    monkeypatch.setattr(fileio.time, "sleep", lambda seconds: None)
    with pytest.raises(FileInUseError, match="Excel 或 WPS"):
        atomic_write(target, lambda f: f.write(b"new"))
    assert target.read_bytes() == b"open in Excel"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        atomic_write(tmp_path / "no such folder" / "out.pdf", lambda f: f.write(b"x"))
    assert list(tmp_path.iterdir()) == []


def test_sha256_of_reads_large_files_in_chunks(tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 7)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert sha256_of(path) == hashlib.sha256(data).hexdigest()


def test_written_files_are_readable_by_their_owner_only_whatever_the_umask(tmp_path):
    """POSIX permissions (the suite runs on Linux); on Windows fileio leaves the folder's permissions."""
    target = tmp_path / "党员花名册.xlsx"
    target.write_bytes(b"last quarter")
    os.chmod(target, 0o644)
    seen = []
    old_umask = os.umask(0)
    try:
        def writer(f):
            seen.append(os.fstat(f.fileno()).st_mode & 0o777)  # private while it is being written, too
            f.write(b"110101199003071234")

        digest = atomic_write(target, writer)
        fresh = tmp_path / "新的.pdf"
        atomic_write(fresh, lambda f: f.write(b"%PDF"))
    finally:
        os.umask(old_umask)
    assert seen == [0o600]
    assert target.stat().st_mode & 0o777 == 0o600 and fresh.stat().st_mode & 0o777 == 0o600
    assert digest == sha256_of(target) and target.read_bytes() == b"110101199003071234"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["党员花名册.xlsx", "新的.pdf"]
