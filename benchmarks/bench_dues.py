"""党费: the year's grid and the 党费 tab for a village of 3,000 members with a year of payments, each beside
a baseline measured in the same run.

1. ``services.dues.dues_year`` for the year (every member × 12 months, arrears runs from the year before)
   against one SQL aggregate of the same payments per member (a GROUP BY member of the payments of the
   two years the grid reads, what any per-member table of them costs; target ≤ 3×). The single-row total
   of the same payments (``services.dues.payment_totals``) is a reference figure.
2. The 党费 tab opened: ``ui.dues_tab.DuesTab`` built over the data file, shown and painted offscreen
   (target ≤ 0.5 s), against a bare QTableView with an empty model shown the same way.

The payments are made once with Core inserts: every member assessed from January (a fifth of them in
work, with a base), and each month January to November paid by about nine members in ten.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

from common import ROOT, Figure, demo_data_set

sys.path.insert(0, str(ROOT))

MEMBERS = 3_000
YEAR, AS_OF = 2026, (2026, 11)
TODAY = dt.date(2026, 11, 23)
GRID_TARGET = 3.0
OPEN_TARGET = 0.5


def _data_set() -> Path:
    return demo_data_set("dues3k", "--members", str(MEMBERS), "--seed", "31", "--entries-per-month", "0.2")


def _with_payments(store) -> int:
    """The village's id, after giving it a year of assessments and payments (once)."""
    from sqlalchemy import func, insert, select

    from partybuild_desktop.domain.dues import DuesKind, assess
    from partybuild_desktop.services.village import current_village
    from partybuild_desktop.store.models import DuesAssessment, DuesPayment, Member

    with store.session() as session:
        village_id = current_village(session).id
        if session.scalar(select(func.count(DuesPayment.id)).where(DuesPayment.village_id == village_id)):
            return village_id
        rng = random.Random(12)
        ids = session.scalars(select(Member.id).where(Member.village_id == village_id, Member.archived.is_(False))
                              .order_by(Member.id)).all()
        assessments, payments = [], []
        for member_id in ids:
            if rng.random() < 0.2:
                base = rng.randrange(150_000, 1_200_000, 100)
                result = assess(DuesKind.EMPLOYED, base)
            else:
                result = assess(DuesKind.FARMER, None, 50)
            assessments.append(dict(village_id=village_id, member_id=member_id, from_month=dt.date(YEAR, 1, 1),
                                    kind=result.kind, base_fen=result.base_fen, monthly_fen=result.monthly_fen))
            for month in range(1, AS_OF[1] + 1):
                if rng.random() < 0.9:
                    payments.append(dict(village_id=village_id, member_id=member_id, month=dt.date(YEAR, month, 1),
                                         amount_fen=result.monthly_fen, paid_on=dt.date(YEAR, month, 10),
                                         collector="王会计", receipt_no=None, method="monthly", note=None))
        session.execute(insert(DuesAssessment), assessments)
        session.execute(insert(DuesPayment), payments)
    return village_id


def _median(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench(folder: Path, repeat: int) -> list[Figure]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from sqlalchemy import func, select

    from partybuild_desktop.services import dues as dues_service
    from partybuild_desktop.store.models import DuesPayment
    from partybuild_desktop.store.schema import open_store

    data = _data_set()
    store = open_store(data / "partybuild.sqlite3")
    village_id = _with_payments(store)
    runs = max(5, repeat)

    def grid():
        with store.session() as session:
            return dues_service.dues_year(session, village_id, YEAR, AS_OF)

    def aggregate():
        with store.session() as session:
            return dues_service.payment_totals(session, village_id, (YEAR - 1, 1), (YEAR, 12))

    def per_member():
        with store.session() as session:
            return session.execute(select(DuesPayment.member_id, func.count(), func.sum(DuesPayment.amount_fen))
                                   .where(DuesPayment.village_id == village_id,
                                          DuesPayment.month.between(dt.date(YEAR - 1, 1, 1), dt.date(YEAR, 12, 1)))
                                   .group_by(DuesPayment.member_id)).all()

    year = grid()
    count, total = aggregate()
    assert sum(r.paid_in_year_fen for r in year.rows) == total and count > 0
    grid(), aggregate(), per_member()  # warm the page cache and the statement caches
    grid_time = _median(grid, runs)
    aggregate_time = _median(aggregate, runs)
    per_member_time = _median(per_member, runs)
    members = len(year.rows)

    first_open, open_time, bare_time = _open_tab(store, data, runs)
    store.dispose()
    return [
        Figure(f"党费年度表 dues_year（{members} 名党员，{count} 笔交纳，中位数）", grid_time * 1000, per_member_time * 1000,
               "ms", f"≤ {GRID_TARGET:g}×（基线：同样交纳按党员分组合计的一条 SQL，GROUP BY member）",
               grid_time <= GRID_TARGET * per_member_time),
        Figure("党费交纳合计一行（payment_totals，一条 SQL）", aggregate_time * 1000, per_member_time * 1000, "ms",
               "（参考）", True),
        Figure(f"打开党费标签页（{members} 名党员，建表并显示，中位数）", open_time, bare_time, "s",
               f"≤ {OPEN_TARGET:g} s（基线：空模型的 QTableView 显示出来）", open_time <= OPEN_TARGET),
        Figure("打开党费标签页（本进程第一次，含载入模块）", first_open, None, "s", "（参考）", True),
    ]


def _open_tab(store, data: Path, runs: int) -> tuple[float, float, float]:
    from PySide6.QtGui import QStandardItemModel
    from PySide6.QtWidgets import QApplication, QTableView

    from partybuild_desktop.app import install_chinese
    from partybuild_desktop.ui.context import AppContext
    from partybuild_desktop.ui.dialogs import UserDialogs
    from partybuild_desktop.ui.dues_tab import DuesTab

    app = QApplication.instance() or QApplication([])
    install_chinese(app)  # the program's own font and translation, as the window has them
    context = AppContext(store, data)
    dialogs = UserDialogs()

    def tab() -> float:
        start = time.perf_counter()
        widget = DuesTab(context, dialogs, today=TODAY)
        widget.resize(1400, 850)
        widget.show()
        app.processEvents()  # laid out and painted
        elapsed = time.perf_counter() - start
        assert widget.model.rowCount() >= MEMBERS * 0.9
        widget.close()
        widget.deleteLater()
        app.processEvents()
        return elapsed

    def bare() -> float:
        start = time.perf_counter()
        view = QTableView()
        view.setModel(QStandardItemModel(0, 21, view))
        view.resize(1400, 850)
        view.show()
        app.processEvents()
        elapsed = time.perf_counter() - start
        view.close()
        view.deleteLater()
        app.processEvents()
        return elapsed

    first = tab()  # the first pays for the module's import and a cold cache too
    bare()
    open_time = statistics.median(tab() for _ in range(runs))
    bare_time = statistics.median(bare() for _ in range(runs))
    return first, open_time, bare_time
