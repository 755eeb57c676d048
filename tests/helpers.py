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

from sqlalchemy import insert, select

from partybuild_desktop import paths
from partybuild_desktop.domain.id_number import check_char
from partybuild_desktop.domain.vocabulary import BranchType, MemberCategory
from partybuild_desktop.services.village import create_village
from partybuild_desktop.store.models import Household, Member, PartyGroup
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


def liaised(session, member_id) -> bool:
    return session.scalar(select(Household.id).where(Household.liaison_member_id == member_id).limit(1)) is not None
