"""`consolidate` on hostile packages, as the township runs it: a process of its own, its address space
limited to 300 MB (RLIMIT_AS), its processor time bounded to 5 s, and killed if it waits (a FIFO) past a
timeout. Each hostile package is refused with its code and a Chinese message naming it, the valid package
beside it is stored, the consolidated tables are written, and the quarter still consolidates on a later
run. Without the bounds, the FIFO and the /dev/zero link hang the run for ever and the zip bomb takes
gigabytes.

The time bound is on processor time (the run's user + system seconds), not on the clock: the run also
starts Python and writes the township's tables, and on a busy machine the clock says more about the
other processes than about this one; a run that waits instead of working is caught by the timeout."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from partybuild_desktop.domain.statistics import Quarter
from tests import hostile_packages as hostile
from tests.helpers import new_data_file

Q3 = Quarter(2026, 3)
MEMORY = 300 << 20  # bytes of address space the process may have
SECONDS = 5  # processor seconds of the whole run: start, check both packages, store one, write the tables
WAIT = 60  # seconds on the clock before a run that is waiting on something is killed


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def consolidate_limited(data_dir: Path, out: Path, *packages: Path) -> tuple[dict, float, int]:
    """(the --json answer, processor seconds taken, exit code) of one bounded run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "partybuild_desktop", "--data-dir", str(data_dir), "consolidate", "--quarter", Q3.label,
         "--out", str(out), "--json", *map(str, packages)],
        capture_output=True, text=True, encoding="utf-8", timeout=WAIT, preexec_fn=_limited,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    taken = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert done.stdout, done.stderr
    return json.loads(done.stdout), taken, done.returncode


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    return hostile.real_packages(tmp_path_factory.mktemp("villages"), Q3)


def _hostile(kind: str, source: Path, folder: Path) -> tuple[Path, str]:
    """The hostile package of ``kind`` and a word its refusal must hold."""
    if kind == "fifo":
        return hostile.fifo_return_json(source, folder), "不是普通文件"
    if kind == "dev_zero":
        return hostile.linked_to_dev_zero(source, folder), "链接"
    if kind == "link_out":
        return hostile.linked_out_of_the_package(source, folder)[0], "链接"
    if kind == "dot_dot":
        return hostile.zip_with_member(source, folder, "../../outside.txt"), ".."
    if kind == "zip_bomb":
        return hostile.zip_bomb(source, folder, "huge"), "太大"
    if kind == "zip_bomb_lying":
        return hostile.zip_bomb(source, folder, "lying"), "校验码"
    if kind == "figure_2_63":
        return hostile.figure_of_2_63(source, folder, "format_version"), "格式版本"
    if kind == "long_name":
        return hostile.long_village_name(source, folder), "村名太长"
    if kind == "deep":
        return hostile.deep_nesting(source, folder), "层次太深"
    raise AssertionError(kind)


KINDS = ["fifo", "dev_zero", "link_out", "dot_dot", "zip_bomb", "zip_bomb_lying", "figure_2_63", "long_name", "deep"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_hostile_package_is_refused_within_bounds_and_the_valid_one_stored(packages, tmp_path, kind):
    made, word = _hostile(kind, packages["东湖村"], tmp_path / "stick")
    town = tmp_path / "乡镇"
    new_data_file(town)  # a township data file at the current schema, as the program leaves it
    answer, taken, code = consolidate_limited(town, tmp_path / "汇总", made, packages["石桥村"])
    bad, good = answer["packages"]
    assert (bad["status"], bad["code"]) == ("refused", "unreadable_package"), bad
    assert bad["village"] in (None, "东湖村")  # named only when return.json was read and the name is sound
    assert made.name in bad["message"] and word in bad["message"], bad["message"]
    assert hostile.english_left(bad["message"], made) == [] and len(bad["message"]) < 400, bad["message"]
    assert (good["status"], good["village"]) == ("accepted", "石桥村")
    assert code == 3 and len(answer["files"]) >= 4 and all(Path(f).exists() for f in answer["files"])
    assert taken <= SECONDS, f"{kind}: {taken:.1f} s"
    # Nothing of the hostile package was stored, and the quarter consolidates on a later run.
    later, taken, code = consolidate_limited(town, tmp_path / "再汇总", packages["东湖村"])
    assert code == 0 and [(p["village"], p["status"]) for p in later["packages"]] == [("东湖村", "accepted")]
    assert later["missing"] == [] and later["warnings"] == [] and taken <= SECONDS
