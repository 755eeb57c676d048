"""The commands of organisational life: ``meeting add``, ``meetings due``, ``review set`` and ``study``.

Registered by ``cli``; they share its store, errors and exit codes: 0 done, 2 unusable input (nothing
written), 3 a 民主评议 grade refused by the rules (nothing written).
"""

from __future__ import annotations

import argparse
import datetime as dt

from partybuild_desktop.cli import (
    EXIT_OK,
    EXIT_ROWS_REFUSED,
    EXIT_UNUSABLE,
    CliError,
    _current_village,
    _iso_date,
    _json,
    _named_member,
    _open_store,
    _printing_json_on_error,
)

EXIT_REFUSED = EXIT_ROWS_REFUSED  # 3: the rules refused it (review set)
KIND_HELP = "branch_assembly（支部党员大会）、committee（支部委员会）、group（党小组会）、lecture（党课）、theme_day（主题党日）、life_meeting（组织生活会）"


def add_commands(commands) -> None:
    meeting = commands.add_parser("meeting", help="组织生活：登记一次会议（三会一课、主题党日、组织生活会）")
    meeting_commands = meeting.add_subparsers(dest="meeting_command", required=True)
    add = meeting_commands.add_parser("add", help="登记一次会议；应到而没有另外写明的党员都按出席登记")
    add.add_argument("--kind", required=True, metavar="类型", help=KIND_HELP)
    add.add_argument("--date", required=True, type=_iso_date, metavar="日期", help="会议日期，写成 2026-11-05 这样")
    add.add_argument("--topic", metavar="议题", help="会议议题（默认为会议类型）")
    add.add_argument("--place", metavar="地点")
    add.add_argument("--host", metavar="姓名", help="主持人")
    add.add_argument("--recorder", metavar="姓名", help="记录人")
    add.add_argument("--group", metavar="党小组", help="党小组名称（党小组会必填）")
    add.add_argument("--hours", type=float, metavar="学时", help="计入学习的学时（每名出席党员）")
    for option, what in (("--absent", "缺席（可写原因）"), ("--leave", "请假，须写原因"), ("--excused", "经批准不计应到，须写原因")):
        add.add_argument(option, nargs="+", action="extend", default=[], metavar="姓名:原因", help=f"{what}；可写多人")
    add.add_argument("--elsewhere", nargs="+", action="extend", default=[], metavar="姓名", help="在流入地参加的流动党员；可写多人")
    add.add_argument("--json", action="store_true", help="在标准输出上只打印一个 JSON 对象")

    meetings = commands.add_parser("meetings", help="组织生活：某月、某季度或某年应开、已开和缺少的会议")
    meetings_commands = meetings.add_subparsers(dest="meetings_command", required=True)
    due = meetings_commands.add_parser("due", help="列出应开、已开和缺少的会议")
    due.add_argument("--period", required=True, metavar="期间", help="2026（全年）、2026Q3（季度）或 2026-07（月份）")
    due.add_argument("--as-of", type=_iso_date, metavar="日期", help="按哪一天判断期间是否已结束（默认今天）")
    due.add_argument("--json", action="store_true", help="在标准输出上只打印一个 JSON 对象")

    review = commands.add_parser("review", help="民主评议党员：登记评议等次")
    review_commands = review.add_subparsers(dest="review_command", required=True)
    grade = review_commands.add_parser("set", help="登记一名正式党员某年度的评议等次")
    grade.add_argument("--year", required=True, type=int, metavar="年度")
    grade.add_argument("--member", required=True, metavar="姓名或编号")
    grade.add_argument("--grade", required=True, metavar="等次", help="优秀、合格、基本合格或不合格")
    grade.add_argument("--disposal", metavar="处置", help="不合格的处置方式（限期改正、劝其退党、党内除名等）")
    grade.add_argument("--note", metavar="说明")
    grade.add_argument("--date", type=_iso_date, metavar="日期", help="评定日期（默认今天，往年为 12 月 31 日）")
    grade.add_argument("--json", action="store_true", help="在标准输出上只打印一个 JSON 对象")

    study = commands.add_parser("study", help="党员学习学时统计（每人每年不少于 32 学时，书记和班子成员 56 学时）")
    study.add_argument("--year", type=int, metavar="年度", help="年度（默认今年）")
    study.add_argument("--json", action="store_true", help="在标准输出上只打印一个 JSON 对象")


# ---------------------------------------------------------------------------------------- naming members


def _split(value: str, needs_reason: bool, option: str) -> tuple[str, str]:
    name, _, reason = value.replace("：", ":").partition(":")
    name, reason = name.strip(), reason.strip()
    if not name:
        raise CliError(f"{option} 的“{value}”缺少姓名，请写成 姓名:原因。没有写入任何数据。")
    if needs_reason and not reason:
        raise CliError(f"{option} {name} 缺少原因，请写成 {name}:原因（例如 {name}:外出务工）。没有写入任何数据。")
    return name, reason


def _member_id(session, village_id: int, who: str, roster: dict[int, str], what: str) -> int:
    """A member on the meeting's list, named by name or 编号."""
    if who.isdigit() and int(who) in roster:
        return int(who)
    member_id = _named_member(session, village_id, who, what, archived=False).id
    if member_id not in roster:
        raise CliError(f"“{who}”不在这次会议的应到名单上（{what}），没有写入任何数据。")
    return member_id


# ---------------------------------------------------------------------------------------- meeting add


@_printing_json_on_error
def cmd_meeting(args) -> int:
    """meeting add: exit 0 when saved, 2 when the input cannot be used (nothing written)."""
    from partybuild_desktop.domain.meetings import Attendance, MeetingKind, quorum_text
    from partybuild_desktop.services import audit, meetings
    from partybuild_desktop.services.changes import Change
    from partybuild_desktop.services.organisation import list_party_groups

    try:
        kind = MeetingKind.from_label(args.kind)
    except ValueError:
        raise CliError(f"不认识的会议类型“{args.kind}”，应为：{KIND_HELP}。没有写入任何数据。") from None
    store = _open_store(args)
    village = _current_village(store)
    with store.session() as session:
        group_id = None
        if kind is MeetingKind.GROUP:
            groups = {g.name: g.id for g in list_party_groups(session, village.id)}
            if not args.group:
                raise CliError(f"党小组会要用 --group 写明党小组（本村有：{'、'.join(groups) or '还没有党小组'}）。没有写入任何数据。")
            group_id = groups.get(args.group.strip())
            if group_id is None:
                raise CliError(f"本村没有名为“{args.group}”的党小组（本村有：{'、'.join(groups) or '还没有党小组'}）。没有写入任何数据。")
        roster = {row.member_id: row.name for row in meetings.meeting_roster(session, village.id, kind, group_id,
                                                                                        on=args.date)}
        attendance: dict[int, tuple[Attendance, str]] = {}
        named = [(Attendance.ABSENT, v, False, "--absent") for v in args.absent]
        named += [(Attendance.LEAVE, v, True, "--leave") for v in args.leave]
        named += [(Attendance.EXCUSED, v, True, "--excused") for v in args.excused]
        named += [(Attendance.ELSEWHERE, v, False, "--elsewhere") for v in args.elsewhere]
        for status, value, needs_reason, option in named:
            who, reason = _split(value, needs_reason, option)
            member_id = _member_id(session, village.id, who, roster, option)
            if member_id in attendance:
                raise CliError(f"“{who}”被写了两次（{option} 和另一个选项），没有写入任何数据。")
            attendance[member_id] = (status, reason)
        form = meetings.MeetingForm(
            kind=kind, date=args.date, topic=args.topic or kind.label, place=args.place, host=args.host,
            recorder=args.recorder, party_group_id=group_id, hours=args.hours, attendance=attendance)
        try:
            saved = meetings.save_meeting(session, village.id, form)
        except meetings.MeetingError as error:
            raise CliError(f"{error}没有写入任何数据。") from error
        audit.record(session, f"登记{kind.label}（{args.date:%Y-%m-%d}，命令行）", Change.RECORDS, source="cli")
    if args.json:
        print(_json(saved.to_json()))
        return EXIT_OK
    print(f"已登记{kind.label}（编号 {saved.id}，{args.date:%Y年%m月%d日}）：{quorum_text(kind, saved.turnout)}。")
    for warning in saved.warnings:
        print(f"注意：{warning.message}")
    return EXIT_OK


# ---------------------------------------------------------------------------------------- meetings due


@_printing_json_on_error
def cmd_meetings(args) -> int:
    """meetings due: exit 0; 2 for a period that cannot be read."""
    from partybuild_desktop.domain.meetings import parse_span
    from partybuild_desktop.services import meetings

    try:
        span = parse_span(args.period)
    except ValueError as error:
        raise CliError(str(error)) from error
    store = _open_store(args)
    village = _current_village(store)
    with store.session() as session:
        items = meetings.due(session, village.id, span, args.as_of or dt.date.today())
    if args.json:
        print(_json({"period": span.label, "items": [item.to_json() for item in items]}))
        return EXIT_OK
    print(f"{village.name}{span.title}组织生活开展情况：")
    for item in items:
        gap = f"，缺 {item.missing} 次" if item.missing else ""
        print(f"  {item.label}：应开 {item.required} 次，已开 {item.held} 次{gap}")
    if not items:
        print("  本期没有应开的会议。")
    return EXIT_OK


# ---------------------------------------------------------------------------------------- review set


@_printing_json_on_error
def cmd_review(args) -> int:
    """review set: exit 0 when saved, 3 when the rules refuse the grade, 2 for unusable input."""
    from partybuild_desktop.domain.meetings import ReviewGrade
    from partybuild_desktop.services import audit, meetings
    from partybuild_desktop.services.changes import Change

    try:
        grade = ReviewGrade.from_label(args.grade)
    except ValueError:
        raise CliError(f"不认识的评议等次“{args.grade}”，应为优秀、合格、基本合格或不合格。没有写入任何数据。") from None
    store = _open_store(args)
    village = _current_village(store)
    with store.session() as session:
        sheet = meetings.review_sheet(session, village.id, args.year)
        listed = {row.member_id: row.name for row in sheet.rows}
        member_id = _member_id(session, village.id, args.member.strip(), listed, "民主评议")
        form = meetings.ReviewForm(grade, args.disposal, args.note)
        try:
            warnings = meetings.set_reviews(session, village.id, args.year, {member_id: form}, decided_on=args.date,
                                            require_disposal=False)
        except meetings.MeetingError as error:
            refused = error.code in (meetings.EXCELLENT_OVER_CAP, meetings.PROBATIONARY_NOT_GRADED)
            raise CliError(f"{error}没有写入任何数据。", EXIT_REFUSED if refused else EXIT_UNUSABLE,
                           {"code": error.code}) from error
        audit.record(session, f"登记{args.year}年度民主评议（{listed[member_id]}，命令行）", Change.RECORDS, source="cli")
    if args.json:
        print(_json({"year": args.year, "member": listed[member_id], "grade": grade.label,
                     "warnings": [w.to_json() for w in warnings]}))
        return EXIT_OK
    print(f"已登记{listed[member_id]}{args.year}年度民主评议等次：{grade.label}。")
    for warning in warnings:
        print(f"注意：{warning.message}")
    return EXIT_OK


# ---------------------------------------------------------------------------------------- study


@_printing_json_on_error
def cmd_study(args) -> int:
    """study: every current member's study hours for the year; exit 0."""
    from partybuild_desktop.services import meetings

    year = args.year or dt.date.today().year
    store = _open_store(args)
    village = _current_village(store)
    with store.session() as session:
        rows = meetings.study_table(session, village.id, year)
    if args.json:
        print(_json({"year": year, "members": [row.to_json() for row in rows]}))
        return EXIT_OK
    short = [row for row in rows if row.short]
    print(f"{village.name}{year}年党员学习学时：{len(rows)} 名党员，{len(short)} 名未达到要求。")
    for row in short:
        print(f"  {row.name}：{row.hours:g} 学时，要求 {row.required} 学时，差 {row.lacking:g} 学时")
    return EXIT_OK


COMMANDS = {"meeting": cmd_meeting, "meetings": cmd_meetings, "review": cmd_review, "study": cmd_study}
READ_ONLY_COMMANDS = {"meetings", "study"}
