"""发展党员: the recruitment list and the 发展党员工作台账 for a township of 21 villages with 20 cases each,
beside a baseline measured in the same run.

The data file (``benchmarks/work/recruitment``) is made once with Core inserts: 21 villages, each with 20
cases spread over the stages (an applicant has 1–2 steps, a 预备党员 17–20, a 正式 member 25), the
activists' six-monthly reviews and a breach kept with its reason here and there: about 5,000 step rows.

1. ``services.recruitment.list_cases`` for each of the 21 villages (target: ≤ 0.3 s for all of them),
   against loading the same rows (every case with its step dates, reviews and breaches) with one query.
2. The builder of ``recruits`` (``services.recruitment.ledger``: ``list_cases`` with each person's
   details, people, reviews and notes) for the 21 villages (target: ≤ 0.3 s), against the same baseline.

3. The 发展党员 tab opened on one village of that file (its 20 cases grouped, the first selected, its 25
   steps shown, laid out and painted; target ≤ 0.3 s), against the same one-query baseline.
4. The preview of ``import-recruits`` for a 300-row 发展党员台账 in which every row goes from application to
   正式 member (``services.recruit_import.preview_import``: each row's 25 steps through the service's
   checks, in a savepoint rolled back; target ≤ 3 s), against reading the same file alone
   (``importers.recruit_fields.read_recruit_ledger``).

Each run opens a session of its own, as the program's short units of work do.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path

from common import ROOT, WORK, Figure

sys.path.insert(0, str(ROOT))

VILLAGES, CASES = 21, 20
TARGET = 0.3
TODAY = dt.date(2026, 11, 23)
LEDGER_ROWS = 300
IMPORT_TARGET = 3.0
LEDGER_HEADERS = ["序号", "姓名", "性别", "身份证号码", "出生年月", "递交入党申请书时间", "谈话时间", "列为积极分子时间",
                  "培养联系人", "列为发展对象时间", "介绍人", "培训学时", "公示起止", "预审时间", "接收预备党员时间",
                  "上级党委审批时间", "转正支部大会时间", "转正时间", "备注"]


def _data_file() -> Path:
    from sqlalchemy import insert

    from partybuild_desktop import paths
    from partybuild_desktop.domain.recruitment import STEPS, Step
    from partybuild_desktop.domain.vocabulary import BranchType
    from partybuild_desktop.services.village import create_village
    from partybuild_desktop.store.models import RecruitBreach, RecruitCase, RecruitPerson, RecruitReview, RecruitStep
    from partybuild_desktop.store.schema import open_store

    folder = WORK / "recruitment"
    if (folder / "made").exists():
        return paths.data_file(folder)
    folder.mkdir(parents=True, exist_ok=True)
    store = open_store(paths.data_file(folder))
    try:
        with store.session() as session:
            village_ids = [create_village(session, "城南镇", f"试验{v + 1}村", BranchType.BRANCH, "王书记").id
                           for v in range(VILLAGES)]
            cases = [dict(village_id=v, name=f"申请人{v}-{c}", training_hours=24.0 if c >= 8 else None)
                     for v in village_ids for c in range(CASES)]
            ids = list(session.scalars(insert(RecruitCase).returning(RecruitCase.id), cases))
            steps, reviews, people, breaches = [], [], [], []
            for index, case_id in enumerate(ids):
                done = 1 + (index % CASES) * len(STEPS) // CASES + (index % CASES == CASES - 1)
                applied = TODAY - dt.timedelta(days=40 + 40 * done)
                for n, step in enumerate(STEPS[:min(done, len(STEPS))]):
                    steps.append(dict(case_id=case_id, step=step, date=applied + dt.timedelta(days=35 * n),
                                      note="支部书记谈话" if step is Step.TALK else None))
                if done >= 3:
                    reviews += [dict(case_id=case_id, date=applied + dt.timedelta(days=70 + 150 * k), note="表现良好")
                                for k in range(2)]
                    people += [dict(case_id=case_id, role="contact", member_id=None, name=f"联系人{k}")
                               for k in range(2)]
                if index % 7 == 0:
                    breaches.append(dict(case_id=case_id, step=Step.APPLICATION, code="talk_after_one_month",
                                         message="谈话超过了一个月", reason="申请人外出务工", accepted_on=TODAY))
            session.execute(insert(RecruitStep), steps)
            session.execute(insert(RecruitReview), reviews)
            session.execute(insert(RecruitPerson), people)
            session.execute(insert(RecruitBreach), breaches)
    finally:
        store.dispose()
    (folder / "made").write_text("yes")
    return paths.data_file(folder)


def bench(folder: Path, repeat: int) -> list[Figure]:
    from sqlalchemy import String, func, select, type_coerce

    from partybuild_desktop.services import exports, recruitment
    from partybuild_desktop.services.village import list_villages, village_info
    from partybuild_desktop.store.models import RecruitBreach, RecruitCase, RecruitReview, RecruitStep
    from partybuild_desktop.store.schema import open_store

    # The import first, in a process that has read nothing else yet, as a clerk's import runs.
    preview_time, read_time, previewed = _import_preview(max(repeat, 3))
    store = open_store(_data_file())
    try:
        with store.session() as session:
            villages = [village_info(session, v.id) for v in list_villages(session)]
            steps = session.scalar(select(func.count()).select_from(RecruitStep))
        assert len(villages) == VILLAGES, len(villages)
        options = exports.ExportOptions(today=TODAY)
        # The baseline: every case with its step dates, reviews and breaches, in one query (a union).
        one_query = (
            select(RecruitCase.id, RecruitCase.name, type_coerce(RecruitStep.step, String).label("what"), RecruitStep.date)
            .join(RecruitStep, RecruitStep.case_id == RecruitCase.id)
            .union_all(select(RecruitReview.case_id, RecruitCase.name, RecruitReview.note, RecruitReview.date)
                       .join(RecruitCase, RecruitCase.id == RecruitReview.case_id),
                       select(RecruitBreach.case_id, RecruitCase.name, RecruitBreach.code, RecruitBreach.accepted_on)
                       .join(RecruitCase, RecruitCase.id == RecruitBreach.case_id)))

        def timed(work) -> float:
            start = time.perf_counter()
            with store.session() as session:
                work(session)
            return time.perf_counter() - start

        with store.session() as session:
            listed = sum(len(recruitment.list_cases(session, v.id, TODAY)) for v in villages)
            sheets = sum(len(recruitment.ledger(session, v.id, options.day)) for v in villages)
            loaded = len(session.execute(one_query).all())
        assert listed == sheets == VILLAGES * CASES and loaded >= steps, (listed, sheets, loaded, steps)
        runs = {
            "list": lambda s: [recruitment.list_cases(s, v.id, TODAY) for v in villages],
            "ledger": lambda s: [recruitment.ledger(s, v.id, options.day) for v in villages],
            "query": lambda s: s.execute(one_query).all(),
        }
        for work in runs.values():  # warm the page cache and the statement compilers
            timed(work)
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(max(repeat, 5)):  # interleaved, so a busy moment hurts all alike
            for name, work in runs.items():
                times[name].append(timed(work))
    finally:
        store.dispose()
    m = {name: statistics.median(values) for name, values in times.items()}
    where = f"{VILLAGES} 个村各 {CASES} 人、共 {steps} 个步骤"
    tab_first, tab_time = _open_tab(_data_file(), max(repeat, 5))
    return [
        Figure(f"发展党员列表（list_cases，{where}，逐村，中位数）", m["list"], m["query"], "s",
               f"≤ {TARGET:g} s（基线：同样的行一次查询读出）", m["list"] <= TARGET),
        Figure(f"发展党员工作台账的数据（recruits，{where}，逐村，中位数）", m["ledger"], m["query"], "s",
               f"≤ {TARGET:g} s（基线：同上）", m["ledger"] <= TARGET),
        Figure(f"打开发展党员标签页（一个村 {CASES} 人，分组、选中第一人、显示 25 个步骤，中位数）", tab_time, m["query"], "s",
               f"≤ {TARGET:g} s（基线：同上）", tab_time <= TARGET),
        Figure("打开发展党员标签页（本进程第一次，含载入模块）", tab_first, None, "s", "（参考）", True),
        Figure(f"预览导入发展党员台账（import-recruits --dry-run 的预览，{previewed} 行，每行从申请到转正，中位数）",
               preview_time, read_time, "s", f"≤ {IMPORT_TARGET:g} s（基线：只读这个文件）", preview_time <= IMPORT_TARGET),
    ]


def _open_tab(path: Path, runs: int) -> tuple[float, float]:
    """The 发展党员 tab made, shown and painted on the file's current village: (the first time, the median)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from partybuild_desktop.app import install_chinese
    from partybuild_desktop.store.schema import open_store
    from partybuild_desktop.ui.context import AppContext
    from partybuild_desktop.ui.dialogs import UserDialogs
    from partybuild_desktop.ui.recruitment_tab import RecruitmentTab

    app = QApplication.instance() or QApplication([])
    install_chinese(app)
    store = open_store(path)
    context = AppContext(store, path.parent)
    dialogs = UserDialogs()

    def tab() -> float:
        start = time.perf_counter()
        widget = RecruitmentTab(context, dialogs, today=TODAY)
        widget.resize(1400, 850)
        widget.show()
        first = widget.tree.topLevelItem(0).child(0)
        widget.tree.setCurrentItem(first)  # the first person's steps on the right
        app.processEvents()
        elapsed = time.perf_counter() - start
        assert len(widget.cases) == CASES and widget.steps.rowCount() == 25, (len(widget.cases),)
        widget.close()
        widget.deleteLater()
        app.processEvents()
        return elapsed

    try:
        first = tab()
        return first, statistics.median(tab() for _ in range(runs))
    finally:
        store.dispose()


def _ledger_file(path: Path) -> None:
    """A 发展党员台账 of ``LEDGER_ROWS`` people, each from application to 正式 member, every rule kept."""
    import openpyxl

    from partybuild_desktop.domain.id_number import check_char

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "发展党员台账"
    sheet.append(LEDGER_HEADERS)
    day = lambda d: d.strftime("%Y.%m.%d")  # noqa: E731  (the clerk's way of writing a date)
    for i in range(LEDGER_ROWS):
        birth = dt.date(1985 + i % 15, 1 + i % 12, 1 + i % 28)
        first17 = f"320482{birth:%Y%m%d}{100 + i % 800:03d}"
        applied = dt.date(2020, 1, 6) + dt.timedelta(days=i % 60)
        after = lambda days: applied + dt.timedelta(days=days)  # noqa: E731
        publicity = after(600 + (7 - after(600).weekday()) % 7)  # a Monday
        later = lambda days: publicity + dt.timedelta(days=days)  # noqa: E731
        sheet.append([i + 1, f"申请人{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{'子丑寅卯辰巳午未申酉戌亥'[i // 10 % 12]}{i // 120 + 1}",
                      None, first17 + check_char(first17), None, day(applied), day(after(14)), day(after(60)), "联系人甲",
                      day(after(440)), "介绍人甲、介绍人乙", "24学时", f"{day(publicity)}-{day(later(6))}", day(later(9)),
                      day(later(30)), day(later(80)), day(later(400)), day(later(420)), "台账"])
    book.save(path)


def _import_preview(runs: int) -> tuple[float, float, int]:
    """(the median preview, the median read of the file alone, the rows previewed) on a data file of one village."""
    from partybuild_desktop import paths
    from partybuild_desktop.domain.vocabulary import BranchType
    from partybuild_desktop.importers.recruit_fields import read_recruit_ledger
    from partybuild_desktop.services.recruit_import import preview_import
    from partybuild_desktop.services.village import create_village
    from partybuild_desktop.store.schema import open_store

    folder = WORK / "recruit-import"
    ledger = folder / f"发展党员台账{LEDGER_ROWS}行.xlsx"
    if not (folder / "made").exists():
        folder.mkdir(parents=True, exist_ok=True)
        store = open_store(paths.data_file(folder))
        with store.session() as session:
            create_village(session, "城南镇", "试验村", BranchType.BRANCH, "王书记")
        store.dispose()
        _ledger_file(ledger)
        (folder / "made").write_text("yes")
    store = open_store(paths.data_file(folder))
    try:
        with store.session() as session:
            village_id = session.execute(select_village()).scalar_one()

        def preview() -> float:
            start = time.perf_counter()
            with store.session() as session:
                result = preview_import(session, village_id, ledger, today=TODAY)
            elapsed = time.perf_counter() - start
            assert sum(1 for row in result.rows if row.action is not None) == LEDGER_ROWS
            return elapsed

        def read() -> float:
            start = time.perf_counter()
            assert len(read_recruit_ledger(ledger).rows) == LEDGER_ROWS
            return time.perf_counter() - start

        preview(), read()  # warm the caches and the statement compilers
        previews, reads = [], []
        for _ in range(runs):
            previews.append(preview())
            reads.append(read())
        return statistics.median(previews), statistics.median(reads), LEDGER_ROWS
    finally:
        store.dispose()


def select_village():
    from sqlalchemy import select

    from partybuild_desktop.store.models import Village

    return select(Village.id).order_by(Village.id).limit(1)


if __name__ == "__main__":  # python benchmarks/bench_recruitment.py [repeat]
    for figure in bench(WORK / "township", int(sys.argv[1]) if len(sys.argv) > 1 else 7):
        baseline = f"{figure.baseline:.3f} {figure.unit}" if figure.baseline is not None else "—"
        print(f"{figure.name}: {figure.value:.3f} {figure.unit}, baseline {baseline}, {figure.ratio}, "
              f"target {figure.target}, met: {figure.met}")
