"""发展党员: the recruitment list and the 发展党员工作台账 for a township of 21 villages with 20 cases each,
beside a baseline measured in the same run.

The data file (``benchmarks/work/recruitment``) is made once with Core inserts: 21 villages, each with 20
cases spread over the stages (an applicant has 1–2 steps, a 预备党员 17–20, a 正式 member 25), the
activists' six-monthly reviews and a breach kept with its reason here and there: about 5,000 step rows.

1. ``services.recruitment.list_cases`` for each of the 21 villages (target: ≤ 0.3 s for all of them),
   against loading the same rows (every case with its step dates, reviews and breaches) with one query.
2. The builder of ``recruits`` (``services.recruitment.ledger``: ``list_cases`` with each person's
   details, people, reviews and notes) for the 21 villages (target: ≤ 0.3 s), against the same baseline.

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
    return [
        Figure(f"发展党员列表（list_cases，{where}，逐村，中位数）", m["list"], m["query"], "s",
               f"≤ {TARGET:g} s（基线：同样的行一次查询读出）", m["list"] <= TARGET),
        Figure(f"发展党员工作台账的数据（recruits，{where}，逐村，中位数）", m["ledger"], m["query"], "s",
               f"≤ {TARGET:g} s（基线：同上）", m["ledger"] <= TARGET),
    ]


if __name__ == "__main__":  # python benchmarks/bench_recruitment.py [repeat]
    for figure in bench(WORK / "township", int(sys.argv[1]) if len(sys.argv) > 1 else 7):
        baseline = f"{figure.baseline:.3f} {figure.unit}" if figure.baseline is not None else "—"
        print(f"{figure.name}: {figure.value:.3f} {figure.unit}, baseline {baseline}, {figure.ratio}, "
              f"target {figure.target}, met: {figure.met}")
