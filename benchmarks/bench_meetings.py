"""Organisational life: saving one meeting for a whole branch, and the year's due list, each beside a
baseline measured in the same run.

1. One 主题党日 with 150 members on its list (3 on leave, 1 absent) saved through
   ``services.meetings.save_meeting`` with its attendance and the members' 纪实 lines, in one transaction
   committed to the data file (target: ≤ 0.2 s). Baseline: the same rows (the meeting row, 150
   attendance rows, the 纪实 rows) inserted with one Core executemany per table and committed the same way.
   The meeting is deleted after each run (outside the clock), so every run saves into the same file.
2. ``services.meetings.due`` for one village's year in a data file of 21 villages (the harness's township
   file: about 3,000 members, each village with its year of meetings from the sample generator), against one SQL count of the same
   meetings grouped by kind (``services.meetings.meeting_counts``; target: ≤ 3×). The same count sent
   as plain SQL through the driver, and ``due`` for all 21 villages, are reference figures.

Each run opens a session of its own, as the program's short units of work do.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from common import ROOT, WORK, Figure, demo_data_set

sys.path.insert(0, str(ROOT))

MEMBERS = 150
SAVE_TARGET = 0.2
DUE_TARGET = 3.0
COUNT_SQL = ("SELECT kind, count(*) FROM meeting WHERE village_id = ? AND date BETWEEN ? AND ? GROUP BY kind")


def _branch_form(session, village_id: int, day: dt.date):
    """A 主题党日 for everyone due: three on leave, one absent, the rest present."""
    from partybuild_desktop.domain.meetings import Attendance, MeetingKind
    from partybuild_desktop.services.meetings import MeetingForm, due_members

    due = due_members(session, village_id, MeetingKind.THEME_DAY)
    attendance = {m.id: (Attendance.LEAVE, reason) for m, reason in zip(due[10:13], ("外出务工", "生病", "家中有事"))}
    attendance[due[20].id] = (Attendance.ABSENT, "")
    form = MeetingForm(kind=MeetingKind.THEME_DAY, date=day, topic="学习党章，重温入党誓词\n开展人居环境整治志愿服务",
                       time="09:00-11:30", place="党群服务中心", host=due[0].name, recorder=due[1].name, hours=2.5,
                       minutes="支部书记主持，集中学习党章，随后开展志愿服务。", attendance=attendance)
    return form, len(due)


def _core_rows(form, due_ids: list[int], voting: dict[int, bool], village_id: int):
    """The rows ``save_meeting`` writes for ``form``, made beforehand (outside the clock) for the baseline."""
    from partybuild_desktop.domain.meetings import ATTENDED, Attendance
    from partybuild_desktop.domain.vocabulary import RecordEntryType
    from partybuild_desktop.services.meetings import SOURCE_KIND, entry_text

    meeting = dict(village_id=village_id, kind=form.kind, date=form.date, topic=form.topic, time=form.time,
                   place=form.place, host=form.host, recorder=form.recorder, party_group_id=None, hours=form.hours,
                   minutes=form.minutes, attendees_note=None)
    statuses = {i: form.attendance.get(i, (Attendance.PRESENT, "")) for i in due_ids}
    attendance = [dict(member_id=i, status=s, reason=r or None, voting=voting[i], frail=False)
                  for i, (s, r) in statuses.items()]
    entries = [dict(member_id=i, date=form.date, entry_type=RecordEntryType.ORGANISATIONAL_LIFE,
                    text=entry_text(form.kind, form.topic, s), hours=form.hours, source_kind=SOURCE_KIND)
               for i, (s, _r) in statuses.items() if s in ATTENDED]
    return meeting, attendance, entries


def bench_save(repeat: int) -> list[Figure]:
    from sqlalchemy import delete, insert

    from partybuild_desktop import paths
    from partybuild_desktop.services.meetings import delete_meeting, due_members, save_meeting
    from partybuild_desktop.services.village import current_village
    from partybuild_desktop.store.models import Meeting, MeetingAttendance, RecordEntry
    from partybuild_desktop.store.schema import open_store

    folder = demo_data_set("meetings-village", "--villages", "1", "--members", str(MEMBERS), "--seed", "2026")
    store = open_store(paths.data_file(folder))
    day = dt.date.today()
    try:
        with store.session() as session:
            village_id = current_village(session).id
            form, due = _branch_form(session, village_id, day)
            people = due_members(session, village_id, form.kind)
            meeting_row, attendance_rows, entry_rows = _core_rows(
                form, [m.id for m in people], {m.id: m.voting for m in people}, village_id)

        def service() -> float:
            start = time.perf_counter()
            with store.session() as session:  # commits on leaving
                saved = save_meeting(session, village_id, form, today=day)
            took = time.perf_counter() - start
            assert saved.turnout.due == due and saved.turnout.leave == 3 and saved.turnout.absent == 1, saved
            with store.session() as session:
                delete_meeting(session, village_id, saved.id)
            return took

        def core() -> float:
            start = time.perf_counter()
            with store.session() as session:
                connection = session.connection()
                meeting_id = connection.execute(insert(Meeting).returning(Meeting.id), meeting_row).scalar_one()
                connection.execute(insert(MeetingAttendance), [dict(r, meeting_id=meeting_id) for r in attendance_rows])
                connection.execute(insert(RecordEntry), [dict(r, source_id=meeting_id) for r in entry_rows])
            took = time.perf_counter() - start
            with store.session() as session:
                session.execute(delete(RecordEntry).where(RecordEntry.source_kind == "meeting",
                                                          RecordEntry.source_id == meeting_id))
                session.execute(delete(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting_id))
                session.execute(delete(Meeting).where(Meeting.id == meeting_id))
            return took

        service(), core()  # warm the caches and the statement compilers
        saves, baselines = [], []
        for _ in range(repeat):  # interleaved, so a busy moment hurts both alike
            saves.append(service())
            baselines.append(core())
    finally:
        store.dispose()
    took, baseline = statistics.median(saves), statistics.median(baselines)
    return [Figure(f"保存一次主题党日（应到 {due} 人、{len(entry_rows)} 条纪实，一个事务，中位数）", took, baseline, "s",
                   f"≤ {SAVE_TARGET:g} s（基线：同样的行，每张表一次 Core executemany）", took <= SAVE_TARGET)]


def _township(folder: Path) -> Path:
    """The harness's township data file when it holds the sample's meetings (one made before the sample
    had them does not), else one made here by the same command."""
    file = folder / "partybuild.sqlite3"
    if file.exists():
        with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "meeting" in tables and db.execute("SELECT count(*) FROM village").fetchone()[0] == 21 \
                    and db.execute("SELECT count(DISTINCT village_id) FROM meeting").fetchone()[0] == 21:
                return folder
    return demo_data_set("meetings-township", "--villages", "21", "--members", "3000", "--seed", "2026")


def bench_due(folder: Path, repeat: int) -> list[Figure]:
    from sqlalchemy import func, select

    from partybuild_desktop import paths
    from partybuild_desktop.domain.meetings import parse_span
    from partybuild_desktop.services.meetings import due, meeting_counts
    from partybuild_desktop.services.village import current_village, list_villages
    from partybuild_desktop.store.models import Meeting
    from partybuild_desktop.store.schema import open_store

    store = open_store(paths.data_file(_township(folder)))
    try:
        with store.session() as session:
            village_id = current_village(session).id
            villages = [v.id for v in list_villages(session)]
            last = session.scalar(select(func.max(Meeting.date)))
            everything = session.scalar(select(func.count(Meeting.id)))
        span = parse_span(str(last.year))
        as_of = last
        bounds = (span.start.isoformat(), span.end.isoformat())
        with store.session() as session:
            # The Spring Festival 流动党员座谈会 is held but owed by no frequency: it is not in the due list.
            held = sum(count for kind, count in meeting_counts(session, village_id, span.start, span.end).items()
                       if kind != "migrant_forum")
            listed = sum(item.held for item in due(session, village_id, span, as_of) if item.kind != "review")
        assert len(villages) == 21 and held > 50 and listed == held, (len(villages), held, listed)

        def timed(work) -> float:
            start = time.perf_counter()
            with store.session() as session:
                work(session)
            return time.perf_counter() - start

        runs = {
            "due": lambda s: due(s, village_id, span, as_of),
            "count": lambda s: meeting_counts(s, village_id, span.start, span.end),
            "sql": lambda s: s.connection().exec_driver_sql(COUNT_SQL, (village_id, *bounds)).fetchall(),
            "all": lambda s: [due(s, v, span, as_of) for v in villages],
        }
        for work in runs.values():  # warm the page cache and the statement compilers
            timed(work)
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(max(repeat, 5) * 10):  # short calls: many rounds, interleaved
            for name, work in runs.items():
                times[name].append(timed(work))
    finally:
        store.dispose()
    m = {name: statistics.median(values) for name, values in times.items()}
    ms = {name: value * 1000 for name, value in m.items()}
    return [
        Figure(f"应开会议（一个村全年 {held} 次会议，数据文件共 21 个村 {everything} 次，中位数）", ms["due"], ms["count"],
               "ms", f"≤ {DUE_TARGET:g}× 同一批会议按类型的一次 SQL 计数", m["due"] <= DUE_TARGET * m["count"]),
        Figure("应开会议，对比直接经驱动执行的同一 SQL 计数", ms["due"], ms["sql"], "ms", "（参考）", True),
        Figure("应开会议，全镇 21 个村逐村计算", ms["all"], None, "ms", "（参考）", True),
    ]


def bench(folder: Path, repeat: int) -> list[Figure]:
    return bench_save(repeat) + bench_due(folder, repeat)


if __name__ == "__main__":  # python benchmarks/bench_meetings.py [repeat]
    for figure in bench(WORK / "township", int(sys.argv[1]) if len(sys.argv) > 1 else 7):
        baseline = f"{figure.baseline:.3f} {figure.unit}" if figure.baseline is not None else "—"
        print(f"{figure.name}: {figure.value:.3f} {figure.unit}, baseline {baseline}, {figure.ratio}, "
              f"target {figure.target}, met: {figure.met}")
