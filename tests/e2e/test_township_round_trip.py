"""A whole township: 21 villages, each in its own data file, write their returns; the township's
`consolidate` takes all 21, and every total of the consolidated tables equals the sum of the 21 databases
(worked out from each database directly, not from the packages), table by table and column by column."""

import json

import pytest

from partybuild_desktop.domain.statistics import Quarter
from partybuild_desktop.reports.tables.grid_stats import stats_row, stats_spec
from partybuild_desktop.reports.tables.member_statistics import member_stats_tables
from partybuild_desktop.reports.tables.member_statistics import stats_row as member_line
from partybuild_desktop.services.demo import VILLAGE_NAMES
from partybuild_desktop.services.grid_reports import grid_statistics
from partybuild_desktop.services.member_statistics import member_statistics
from partybuild_desktop.services.returns import export_return
from partybuild_desktop.services.village import current_village
from tests.conftest import SAMPLE_TODAY
from tests.helpers import numbers, sheet_count, table_rows, village_file
from tests.helpers import cli

Q3 = Quarter(2026, 3)
VILLAGES = 21


@pytest.fixture(scope="module")
def township(tmp_path_factory):
    """21 villages' packages on one stick, and each village's own figures read from its database."""
    root = tmp_path_factory.mktemp("township")
    stick = root / "U盘"
    own = {}
    for index, name in enumerate(VILLAGE_NAMES[:VILLAGES]):
        store = village_file(root / f"{index:02d}", name, 12 + index % 5, 100 + index)
        with store.session() as session:
            village = current_village(session)
            own[name] = (member_statistics(session, village.id, Q3.start, Q3.end),
                         stats_row(grid_statistics(session, village.id, Q3.start, Q3.end, today=SAMPLE_TODAY)))
        export_return(store, None, Q3, stick, today=SAMPLE_TODAY)
        store.dispose()
    return root, stick, own


def test_21_villages_consolidate_to_the_sum_of_their_databases(township):
    root, stick, own = township
    out = root / "汇总"
    packages = sorted(stick.iterdir())
    result = cli("--data-dir", root / "乡镇", "consolidate", "--quarter", Q3.label, "--out", out, "--json", *packages,
                 timeout=600)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert len(answer["packages"]) == VILLAGES and {p["status"] for p in answer["packages"]} == {"accepted"}
    assert {p["village"] for p in answer["packages"]} == set(own) and answer["missing"] == []

    # Member statistics: three tables; every added-up column of each 合计 line is the databases' sum.
    summary = next(out.glob("*党员基本情况统计表（汇总）.xlsx"))
    tables = member_stats_tables("", SAMPLE_TODAY, Q3.start, Q3.end, [(n, s) for n, (s, _) in own.items()])
    assert sheet_count(summary) == len(tables) == 3
    mine = {n: member_line(n, stats) for n, (stats, _) in own.items()}
    compared = 0
    for sheet, table in enumerate(tables):
        lines = table_rows(summary, sheet)
        assert set(lines) == set(own) | {"合计"}
        total = numbers(lines["合计"])
        for column in table.spec.columns:
            if column.kind != "number" or not column.total:
                continue
            header = (column.group, column.header) if column.group else (column.header, "")
            assert total[header] == sum(line[column.key] for line in mine.values()), (sheet, header)
            assert all(numbers(lines[n])[header] == line[column.key] for n, line in mine.items())
            compared += 1
    assert compared >= 30

    # 附件1: the same.
    attachment = next(out.glob("*附件1*（汇总）.xlsx"))
    lines = table_rows(attachment)
    total = numbers(lines["合计"])
    spec = stats_spec("", "", SAMPLE_TODAY, Q3.start, Q3.end, rows=VILLAGES)
    compared = 0
    for column in spec.columns:
        if column.kind != "number" or not column.total or column.key not in own["东湖村"][1]:
            continue
        header = (column.group, column.header) if column.group else (column.header, "")
        assert total[header] == sum(int(row[column.key]) for _, row in own.values()), header
        compared += 1
    assert compared >= 25
