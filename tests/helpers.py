"""What many tests share: fresh data files, the command line, ID numbers, villages, and file readers."""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from pypdf import PageObject, PdfReader
from python_calamine import CalamineWorkbook
from sqlalchemy import insert, select, update

from partybuild_desktop import paths
from partybuild_desktop.domain.id_number import check_char
from partybuild_desktop.domain.vocabulary import BranchType, MemberCategory
from partybuild_desktop.services.demo import generate
from partybuild_desktop.services.village import create_village
from partybuild_desktop.store.models import Household, Member, PartyGroup, Village
from partybuild_desktop.store.schema import open_store

# The day the sample village and most tests take as today.
SAMPLE_TODAY = dt.date(2026, 11, 23)

# --------------------------------------------------------------------------------------------- data files

_template: Path | None = None


def template_data_file() -> Path:
    """An empty data file at the current head, made by running every migration once per test session.

    Built at the first use in each session (never stored in the repository), so a migration added
    today is in it."""
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="partybuild-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        made = open_store(paths.data_file(folder))
        with made.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        made.dispose()
        _template = paths.data_file(folder)
    return _template


def new_data_file(folder: Path) -> Path:
    """A copy of the template as the data file of ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = paths.data_file(folder)
    shutil.copyfile(template_data_file(), target)
    return target


def new_store(folder: Path):
    """A new empty data file in ``folder``, opened the way the program opens one."""
    return open_store(new_data_file(folder), paths.backup_dir(folder))


# --------------------------------------------------------------------------------------------- the command line


def cli(*args, env=None, timeout=300) -> subprocess.CompletedProcess:
    """``python -m partybuild_desktop ARGS…`` in a process of its own, as a clerk's script runs it: arguments
    may be paths; stdout and stderr come back as text, UTF-8 both ways."""
    return subprocess.run(
        [sys.executable, "-m", "partybuild_desktop", *map(str, args)],
        capture_output=True, text=True, encoding="utf-8", timeout=timeout,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})},
    )


# --------------------------------------------------------------------------------------------- ID numbers


def make_id(birth: str = "19650312", serial: int | str = 123, region: str = "320482") -> str:
    """A valid 18-character ID number: region, birth date (YYYYMMDD), a 3-digit serial, its check character."""
    first17 = region + birth + (f"{serial:03d}" if isinstance(serial, int) else serial)
    return first17 + check_char(first17)


def make_id_for(birth: str, male: bool = True, last: str | None = None, digit_only: bool = False,
                region: str = "320482") -> str:
    """The first valid number (serials 100–999) for a birth date and gender (an odd serial is a man's),
    optionally with the check character ``last``, or with a digit there rather than X."""
    for serial in range(100, 1000):
        if (serial % 2 == 1) != male:
            continue
        number = make_id(birth, serial, region)
        if last is not None and number[-1] != last:
            continue
        if digit_only and number[-1] == "X":
            continue
        return number
    raise AssertionError("no such number")


def wrong_check_digit(number: str) -> str:
    """The number with another check character."""
    return number[:17] + ("1" if number[17] != "1" else "2")


# --------------------------------------------------------------------------------------------- villages


def village(session, name="试验村", township="城南镇", secretary="王书记") -> int:
    """A new village (a 党支部) with nobody in it; its id."""
    return create_village(session, township, name, BranchType.BRANCH, secretary).id


def village_file(folder: Path, name: str, members: int, seed: int, township: str = "城南镇",
                 today: dt.date = SAMPLE_TODAY):
    """A sample village in a data file of its own (as every village has), in the given township; its store."""
    store = new_store(folder)
    with store.session() as session:
        generate(session, villages=1, members=members, first_village=name, seed=seed, today=today)
        session.execute(update(Village).values(township=township))
    return store


def group(session, village_id, name="第1党小组", villager_group="1组", **links) -> int:
    g = PartyGroup(village_id=village_id, name=name, villager_group=villager_group, **links)
    session.add(g)
    session.flush()
    return g.id


def member(session, village_id, name, category=MemberCategory.FARMER, **fields) -> int:
    m = Member(village_id=village_id, name=name, category=category, **fields)
    session.add(m)
    session.flush()
    return m.id


def members(session, village_id, count, prefix="党员", **fields) -> list[int]:
    return [member(session, village_id, f"{prefix}{i + 1}", **fields) for i in range(count)]


def households(session, village_id, count, villager_group="1组", liaison=None, start=1, **fields) -> list[int]:
    rows = [dict(village_id=village_id, head_name=f"户主{villager_group}{start + i}", villager_group=villager_group,
                 address=f"城南镇试验村{villager_group}{start + i}号", liaison_member_id=liaison, **fields)
            for i in range(count)]
    return list(session.scalars(insert(Household).returning(Household.id), rows))


def some_member(store, **where):
    """The newest current member whose fields equal ``where`` (e.g. ``is_hub_household=True``)."""
    from partybuild_desktop.store.models import Member

    with store.session() as session:
        query = select(Member).where(Member.archived.is_(False))
        for key, value in where.items():
            query = query.where(getattr(Member, key) == value)
        return session.scalars(query.order_by(Member.id.desc())).first()


def liaised(session, member_id) -> bool:
    return session.scalar(select(Household.id).where(Household.liaison_member_id == member_id).limit(1)) is not None


# --------------------------------------------------------------------------------------------- files


def workbook(path: Path, rows, title: str = "Sheet1") -> Path:
    """An .xlsx with these rows on one sheet, as a clerk's plain list is."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def sheet_rows(path: Path, sheet: int | str = 0) -> list[list]:
    """A sheet's cells (by position or name) as a second program reads them: python-calamine."""
    book = CalamineWorkbook.from_path(str(path))
    chosen = book.get_sheet_by_name(sheet) if isinstance(sheet, str) else book.get_sheet_by_index(sheet)
    return chosen.to_python()


def sheet_count(path: Path) -> int:
    return len(CalamineWorkbook.from_path(str(path)).sheet_names)


def table_rows(path: Path, sheet: int = 0) -> dict[str, dict[tuple, object]]:
    """A table's lines by their first cell, each keyed by (upper header, lower header)."""
    rows = sheet_rows(path, sheet)
    at = next(i for i, r in enumerate(rows) if r[0] in ("单位", "序号"))
    top, low = rows[at], rows[at + 1]
    keys, group = [], None
    for i in range(len(top)):
        if low[i] == "":
            keys.append((top[i], ""))
            group = None
        else:
            group = top[i] or group
            keys.append((group, low[i]))
    lines = {}
    for r in rows[at + 2:]:
        label = str(r[0]) if r[0] != "" else str(r[1])  # the side-by-side table numbers its lines
        if label == "" or label.startswith("注"):
            break
        lines[label if not isinstance(r[0], float) else str(r[1])] = dict(zip(keys, r))
    return lines


def numbers(line: dict) -> dict:
    """The cells of a table line that hold numbers."""
    return {k: v for k, v in line.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def pdf_text(path: Path, between: str = "") -> str:
    """The text of every page, read back with pypdf."""
    return between.join(page.extract_text() for page in PdfReader(path).pages)


def embedded_fonts(pdf) -> dict[str, bool]:
    """Each font's BaseFont name -> whether its program is embedded (/FontFile2, TrueType), over a PDF file,
    a PdfReader, or one page."""
    if isinstance(pdf, PageObject):
        pages = [pdf]
    else:
        pages = (pdf if isinstance(pdf, PdfReader) else PdfReader(pdf)).pages
    found = {}
    for page in pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            found[font["/BaseFont"]] = descriptor is not None and "/FontFile2" in descriptor.get_object()
    return found


def by_row(result) -> dict:
    """An import preview's (or a roster reading's) rows by their row number in the sheet."""
    return {row.row_number: row for row in result.rows}


def codes(problems) -> list[str]:
    return [p.code for p in problems]


def assert_import_json_shape(data: dict) -> None:
    """``import-… --json`` prints one object of this shape."""
    assert set(data) == {"imported", "updated", "refused", "warnings"}
    assert isinstance(data["imported"], int) and isinstance(data["updated"], int)
    for entry in data["refused"] + data["warnings"]:
        assert set(entry) == {"row", "code", "message"}
        assert isinstance(entry["row"], int) and isinstance(entry["code"], str) and isinstance(entry["message"], str)
