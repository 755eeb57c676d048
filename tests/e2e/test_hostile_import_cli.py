"""The hostile spreadsheets of the safety issue, imported from the command line in a process of its own with
its address space limited: each is refused with its code and a Chinese message (exit 2), within 5 seconds
and 300 MB, and nothing is stored. Before the bounds, the first aborted the process inside the spreadsheet
library (SIGABRT, "memory allocation of 549755813888 bytes failed"), the second ran for minutes at 12 GB and
the third for 3.5 minutes at 8 GB; a 5 KB .xls declaring 65,536 × 256 cells aborted it too."""

import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile

import pytest

from partybuild_desktop import paths
from tests.helpers import new_store, village
from tests.unit.biff_files import xls
from tests.unit.test_hostile_spreadsheets import HEAD, ROSTER_ROWS, _patch_declared_size, ods, raw_xlsx, sheet

MEMORY_LIMIT = 300 * 1024 * 1024
SECONDS = 5


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    data = tmp_path_factory.mktemp("hostile") / "data"
    store = new_store(data)
    with store.session() as session:
        village(session, "东湖村", township="白马镇")
    store.dispose()
    return data


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("files")

    def huge_cell():
        yield HEAD + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        for _ in range(1000):
            yield "a" * 1_000_000
        yield "</t></is></c></row></sheetData></worksheet>"

    def rows():
        yield HEAD + "<sheetData>"
        for r in range(1, 1_048_576):
            yield f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'
        yield "</sheetData></worksheet>"

    made = {
        "far": raw_xlsx(folder / "远处一格.xlsx", sheet(
            ROSTER_ROWS + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', dimension="A1:XFD1048576")),
        "huge_cell": raw_xlsx(folder / "一格很长.xlsx", huge_cell(), level=9),
        "rows": raw_xlsx(folder / "一百万行.xlsx", rows()),
        "xls": xls(folder / "声明很大.xls", [("名册", False, (0, 65536, 0, 256), [(0, 0, "姓名"), (1, 0, "张三")])]),
        "ods": ods(folder / "重复.ods", '<table:table-row table:number-rows-repeated="1048576"><table:table-cell '
                   'table:number-columns-repeated="16384" office:value-type="string"><text:p>张三</text:p>'
                   "</table:table-cell></table:table-row>"),
    }
    # The same 1 GB cell, its entry declaring 4 KB: refused as it inflates past what it declares.
    made["lying"] = folder / "谎报大小.xlsx"
    shutil.copyfile(made["huge_cell"], made["lying"])
    _patch_declared_size(made["lying"], b"xl/worksheets/sheet1.xml", 4096)
    assert made["far"].stat().st_size < 5 * 1024
    assert made["huge_cell"].stat().st_size < 1.2 * 1024 * 1024
    with zipfile.ZipFile(made["rows"]) as archive:
        assert archive.read("xl/worksheets/sheet1.xml").count(b"<row ") == 1_048_575
    return made


def run_bounded(*args) -> tuple[subprocess.CompletedProcess, float, int]:
    """The CLI under an address-space limit; (result, processor seconds, peak resident megabytes). The time
    is the process's own processor time, so that other work on the machine does not make it look slow."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    start = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "partybuild_desktop", *map(str, args)], preexec_fn=limit,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    timer = threading.Timer(60, process.kill)
    timer.start()
    try:
        out, err = process.stdout.read(), process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    assert time.monotonic() - start < 60
    seconds = usage.ru_utime + usage.ru_stime
    code = os.waitstatus_to_exitcode(status)
    process.returncode = code  # already reaped by wait4
    result = subprocess.CompletedProcess(process.args, code, out.decode("utf-8"), err.decode("utf-8"))
    return result, seconds, usage.ru_maxrss // 1024


def member_count(folder) -> int:
    with sqlite3.connect(paths.data_file(folder)) as db:
        return db.execute("SELECT count(*) FROM member").fetchone()[0]


@pytest.mark.parametrize("name, code, words", [
    ("far", "sheet_too_large", "XFD1048576"),
    ("huge_cell", "spreadsheet_too_large", "xl/worksheets/sheet1.xml"),
    ("rows", "sheet_too_large", "第 100001 行"),
    ("xls", "sheet_too_large", "65536 行 × 256 列"),
    ("ods", "sheet_too_large", "XFD1048576"),
    ("lying", "spreadsheet_too_large", "比它声明的"),
])
def test_hostile_roster_is_refused_within_bounds(folder, files, name, code, words):
    result, seconds, megabytes = run_bounded("--data-dir", folder, "import-members", files[name], "--json")
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    data = json.loads(result.stdout)
    assert data["code"] == code and words in data["error"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.stderr) and "Traceback" not in result.stderr
    assert seconds <= SECONDS, seconds
    assert megabytes <= 300, megabytes
    assert member_count(folder) == 0


@pytest.mark.parametrize("command, extra", [
    ("import-households", ()), ("import-dues", ("--year", "2026")), ("import-recruits", ()),
])
def test_every_import_reads_through_the_same_bounds(folder, files, command, extra):
    result, seconds, _ = run_bounded("--data-dir", folder, command, files["far"], *extra, "--json")
    assert result.returncode == 2, result.stderr[-2000:]
    assert json.loads(result.stdout)["code"] == "sheet_too_large"
    assert seconds <= SECONDS
