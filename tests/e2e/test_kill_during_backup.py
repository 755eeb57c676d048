"""SIGKILL at random moments of an import and of a backup, as a pulled plug or a killed process does:
the data file always passes the check, the import is all or nothing, and the newest backup restores."""

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import openpyxl

from partybuild_desktop import paths
from partybuild_desktop.services import backups, maintenance
from partybuild_desktop.store.backup import backup_files, contents
from tests.helpers import cli, make_id

ROWS = 1000
KILLS = 10  # of each: ten during imports, ten during backups


def roster(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "姓名", "身份证号码", "入党时间", "党员类别"])
    for number in range(1, ROWS + 1):
        birth = f"19{60 + number % 30}0{1 + number % 9}1{number % 10}"
        sheet.append([number, f"新党员{number:03d}", make_id(birth, 100 + number // 10 % 900, "320483"), "2001.07", "农民"])
    book.save(path)
    return path


def member_count(data):
    with sqlite3.connect(f"file:{data}?mode=ro", uri=True) as db:
        return db.execute("SELECT count(*) FROM member").fetchone()[0]


def start(folder, *args):
    return subprocess.Popen([sys.executable, "-m", "partybuild_desktop", "--data-dir", str(folder), *map(str, args)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def timed(folder, *args) -> float:
    began = time.monotonic()
    assert start(folder, *args).wait(timeout=120) == 0
    return time.monotonic() - began


def kill_after(folder, delay, *args) -> bool:
    """Run the command and SIGKILL it after ``delay`` seconds; whether it was still running then."""
    process = start(folder, *args)
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        return True


def newest_restores(folder, scratch, expected_members):
    """The newest backup in backups/ passes its check and restores into a copy of the folder."""
    newest = backup_files(paths.backup_dir(folder))[0]
    assert contents(newest.path).ok, newest.path
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    shutil.copyfile(paths.data_file(folder), paths.data_file(scratch))
    restored = backups.restore(paths.data_file(scratch), newest.path)
    assert restored.after.ok and member_count(paths.data_file(scratch)) == expected_members


def test_kills_during_imports_and_backups(sample_file, tmp_path):
    rng = random.Random(20261123)
    folder = tmp_path / "村"
    folder.mkdir()
    data = paths.data_file(folder)
    shutil.copyfile(sample_file, data)
    book = roster(tmp_path / "花名册.xlsx")
    before = member_count(data)

    # How long an import takes here, in a copy of its own (and that it imports every row).
    trial = tmp_path / "试"
    shutil.copytree(folder, trial)
    import_time = timed(trial, "import-members", book)
    assert member_count(paths.data_file(trial)) == before + ROWS
    backup_time = timed(trial, "backup")
    starting = min(timed(trial, "backups"), import_time / 2)  # the interpreter and imports, before any work

    interrupted = during_import = 0
    for _ in range(KILLS):
        import_backups = sum(b.reason == "import" for b in backup_files(paths.backup_dir(folder)))
        interrupted += kill_after(folder, rng.uniform(starting, import_time), "import-members", book)
        result = maintenance.check_data_file(data)
        assert result.sound, result.problems
        count = member_count(data)
        assert count in (before, before + ROWS), "the import is all or nothing"
        # Killed after its backup was made and before it finished: in the middle of reading or writing.
        during_import += count == before and import_backups < sum(
            b.reason == "import" for b in backup_files(paths.backup_dir(folder)))
        if count == before + ROWS:  # it finished before the kill: start again from the roster's absence
            for leftover in (data, data.with_name(data.name + "-wal"), data.with_name(data.name + "-shm")):
                leftover.unlink(missing_ok=True)
            shutil.copyfile(sample_file, data)
        if backup_files(paths.backup_dir(folder)):
            newest_restores(folder, tmp_path / "恢复", before)
    for _ in range(KILLS):
        interrupted += kill_after(folder, rng.uniform(starting * 0.8, backup_time), "backup")
        assert maintenance.check_data_file(data).sound
        assert member_count(data) == before
        assert all(entry.contents.ok for entry in backups.listing(paths.backup_dir(folder))), \
            "a backup killed half-way never has a backup's name"
        newest_restores(folder, tmp_path / "恢复", before)
    assert interrupted >= KILLS, "most kills came while the command was running"
    assert during_import >= 3, "some kills came in the middle of the import itself"

    # Afterwards the program carries on: the full check after the unclean exits passes, the import runs.
    checked = cli("--data-dir", str(folder), "check")
    assert checked.returncode == 0, checked.stderr
    assert cli("--data-dir", str(folder), "import-members", book).returncode == 0
    assert member_count(data) == before + ROWS
