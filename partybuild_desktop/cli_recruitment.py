"""The commands of 发展党员: ``recruits`` (the pipeline), ``recruit add`` (① a new applicant), ``recruit step``
(the next step of a case), ``recruit edit`` (a recorded step corrected: its date, people, training or 公示)
and ``recruit review`` (an activist's six-monthly 考察).

Registered by ``cli``; they share its store, errors and exit codes: 0 done, 2 unusable input (nothing
written; a date out of order too), 3 a rule broken and no ``--reason`` given (nothing written; the JSON
object names the rule's ``code`` and every rule broken in ``breaches``).
"""

from __future__ import annotations

import datetime as dt
import re

from partybuild_desktop.cli import (
    EXIT_OK,
    EXIT_ROWS_REFUSED,
    EXIT_UNUSABLE,
    JSON_HELP,
    CliError,
    _current_village,
    _gender_option,
    _iso_date,
    _json,
    _open_store,
    _printing_json_on_error,
)
from partybuild_desktop.domain.recruitment import STEPS

EXIT_BREACH = EXIT_ROWS_REFUSED  # 3: a rule broken, no reason given
STEP_HELP = "下一步是哪一步：序号 1—25、中文名称或代码，即 " + "、".join(
    f"{step.value}（{step.title}）" for step in STEPS)


def add_commands(commands) -> None:
    recruits = commands.add_parser("recruits", help="发展党员：每名入党申请人、积极分子、发展对象和预备党员的阶段、下一步和期限")
    recruits.add_argument("--as-of", type=_iso_date, metavar="日期", help="按哪一天判断期限和逾期（默认今天）")
    recruits.add_argument("--json", action="store_true", help=JSON_HELP)

    recruit = commands.add_parser("recruit", help="发展党员：登记入党申请人、逐步登记发展步骤")
    recruit_commands = recruit.add_subparsers(dest="recruit_command", required=True)
    add = recruit_commands.add_parser("add", help="登记一名入党申请人（第①步：递交入党申请书）")
    add.add_argument("--name", required=True, metavar="姓名")
    add.add_argument("--applied", required=True, type=_iso_date, metavar="日期", help="递交入党申请书的日期，写成 2026-03-01 这样")
    add.add_argument("--id-number", metavar="身份证号")
    add.add_argument("--birth", type=_iso_date, metavar="日期", help="出生日期（有身份证号时可不填）")
    add.add_argument("--gender", metavar="性别", help="男或女（有身份证号时可不填）")
    add.add_argument("--group", metavar="党小组", help="拟编入的党小组")
    add.add_argument("--note", metavar="备注")
    add.add_argument("--reason", metavar="原因", help="不符合规定（如申请时未满 18 周岁）而确属实际情况的，写明原因后照样登记")
    add.add_argument("--json", action="store_true", help=JSON_HELP)

    step = recruit_commands.add_parser("step", help="登记一名发展对象的下一个步骤（按顺序逐步登记）")
    step.add_argument("--person", required=True, metavar="姓名或编号", help="入党申请人的姓名，或“recruits”列出的编号")
    step.add_argument("--step", required=True, metavar="步骤", help=STEP_HELP)
    step.add_argument("--date", required=True, type=_iso_date, metavar="日期", help="这一步的日期，写成 2026-03-01 这样")
    step.add_argument("--reason", metavar="原因", help="这一步不符合规定而确属实际情况的，写明原因后照样登记（原因记入台账）")
    step.add_argument("--contacts", metavar="姓名", help="第⑤步：一至两名培养联系人（正式党员），用逗号分开；可写党员编号")
    step.add_argument("--introducers", metavar="姓名", help="第⑨步：两名入党介绍人（正式党员），用逗号分开；可写党员编号")
    step.add_argument("--hours", type=float, metavar="学时", help="第⑪步：集中培训学时（应不少于 24 学时或 3 天）")
    step.add_argument("--days", type=float, metavar="天数", help="第⑪步：集中培训天数")
    step.add_argument("--publicity-from", type=_iso_date, metavar="日期", help="第⑫或⑬步：公示开始日期")
    step.add_argument("--publicity-to", type=_iso_date, metavar="日期", help="第⑫或⑬步：公示结束日期")
    step.add_argument("--note", metavar="说明", help="谈话人、审查意见等")
    step.add_argument("--json", action="store_true", help=JSON_HELP)

    edit = recruit_commands.add_parser("edit", help="改正已登记的步骤：日期、培养联系人、入党介绍人、培训学时、公示日期"
                                                    "（重新核对先后顺序和有关规定）")
    edit.add_argument("--person", required=True, metavar="姓名或编号")
    edit.add_argument("--step", required=True, metavar="步骤", help="要改哪一步：序号 1—25、中文名称或代码（见 step 的说明）")
    edit.add_argument("--date", type=_iso_date, metavar="日期", help="改正后的日期，写成 2026-03-01 这样")
    edit.add_argument("--contacts", metavar="姓名", help="第⑤步：改正后的培养联系人（一至两名正式党员），用逗号分开；可写党员编号")
    edit.add_argument("--introducers", metavar="姓名", help="第⑨步：改正后的两名入党介绍人，用逗号分开；可写党员编号")
    edit.add_argument("--hours", type=float, metavar="学时", help="第⑪步：改正后的集中培训学时")
    edit.add_argument("--days", type=float, metavar="天数", help="第⑪步：改正后的集中培训天数")
    edit.add_argument("--publicity-from", type=_iso_date, metavar="日期", help="第⑫或⑬步：改正后的公示开始日期")
    edit.add_argument("--publicity-to", type=_iso_date, metavar="日期", help="第⑫或⑬步：改正后的公示结束日期")
    edit.add_argument("--note", metavar="说明", help="改正这一步的说明（谈话人、审查意见等）")
    edit.add_argument("--reason", metavar="原因", help="改后不符合规定而确属实际情况的，写明原因")
    edit.add_argument("--json", action="store_true", help=JSON_HELP)

    review = recruit_commands.add_parser("review", help="登记对入党积极分子的一次考察（每半年至少一次）")
    review.add_argument("--person", required=True, metavar="姓名或编号")
    review.add_argument("--date", required=True, type=_iso_date, metavar="日期", help="考察日期，写成 2026-03-01 这样")
    review.add_argument("--note", metavar="考察意见")
    review.add_argument("--json", action="store_true", help=JSON_HELP)


# ---------------------------------------------------------------------------------------- recruits


@_printing_json_on_error
def cmd_recruits(args) -> int:
    """recruits: the village's cases; exit 0."""
    from partybuild_desktop.domain.dates import format_cn
    from partybuild_desktop.services import recruitment

    store = _open_store(args)
    village = _current_village(store)
    with store.session() as session:
        rows = recruitment.list_cases(session, village.id, args.as_of or dt.date.today())
    if args.json:
        print(_json({"people": [row.to_json() for row in rows]}))
        return EXIT_OK
    print(f"{village.name}发展党员：{len(rows)} 人。")
    for row in rows:
        nxt = f"下一步：{row.next_step.title}" if row.next_step else "已完成全部步骤"
        due = f"（{format_cn(row.due)}前）" if row.due else ""
        broken = f"；不符合规定：{'、'.join(row.breaches)}" if row.breaches else ""
        print(f"  编号 {row.id} {row.name}：{row.stage.label}，{nxt}{due}{broken}")
    return EXIT_OK


# ---------------------------------------------------------------------------------------- recruit


def _people(text: str | None):
    from partybuild_desktop.services.recruitment import Person

    if text is None:
        return None
    people = []
    for part in re.split(r"[,，、;；\s]+", text.strip()):
        if part:
            people.append(Person(member_id=int(part)) if part.isascii() and part.isdigit() else Person(part))
    return people


def _case_id(session, village_id: int, who: str) -> tuple[int, str]:
    from partybuild_desktop.services.recruitment import find_cases

    found = find_cases(session, village_id, who)
    if not found:
        raise CliError(f"本村没有登记入党申请人“{who}”，没有写入任何数据。请核对姓名，或用 recruits 命令查看编号。")
    if len(found) > 1:
        listed = "、".join(f"编号 {i}" for i, _ in found)
        raise CliError(f"有 {len(found)} 名入党申请人叫“{who}”，没有写入任何数据。请改用编号：{listed}")
    return found[0]


def _refused(error) -> CliError:
    """A refusal of the service as the command reports it: 3 for a rule a reason could keep, 2 otherwise."""
    code = getattr(error, "code", None)
    breaches = [b.code for b in getattr(error, "breaches", ())]
    if breaches:
        return CliError(f"{error}（命令行用 --reason 写明原因。）没有写入任何数据。", EXIT_BREACH, {"code": code, "breaches": breaches})
    return CliError(f"{error}没有写入任何数据。", EXIT_UNUSABLE, {"code": code} if code else {})


@_printing_json_on_error
def cmd_recruit(args) -> int:
    """recruit add / step / review: exit 0 when saved, 3 for a rule broken without a reason, 2 otherwise."""
    from partybuild_desktop.domain.dates import format_cn
    from partybuild_desktop.domain.errors import Refusal
    from partybuild_desktop.domain.recruitment import parse_step
    from partybuild_desktop.services import audit, recruitment
    from partybuild_desktop.services.changes import Change
    from partybuild_desktop.services.organisation import list_party_groups

    gender = _gender_option(getattr(args, "gender", None))
    step = None
    if args.recruit_command in ("step", "edit"):
        try:
            step = parse_step(args.step)
        except ValueError as error:
            raise CliError(f"{error}没有写入任何数据。") from None
    store = _open_store(args)
    village = _current_village(store)
    with store.session() as session:
        try:
            if args.recruit_command == "add":
                group_id = None
                if args.group:
                    groups = {g.name: g.id for g in list_party_groups(session, village.id)}
                    group_id = groups.get(args.group.strip())
                    if group_id is None:
                        raise CliError(f"本村没有名为“{args.group}”的党小组（本村有：{'、'.join(groups) or '还没有党小组'}）。"
                                       "没有写入任何数据。")
                form = recruitment.CaseForm(args.name, args.applied, gender, args.id_number, args.birth, group_id,
                                            args.note, args.reason)
                done = recruitment.create_case(session, village.id, form)
                name = args.name.strip()
                action = f"登记入党申请人（{name}，命令行）"
            elif args.recruit_command == "step":
                case_id, name = _case_id(session, village.id, args.person)
                form = recruitment.StepForm(step, args.date, args.reason, args.note, _people(args.contacts),
                                            _people(args.introducers), args.hours, args.days, args.publicity_from,
                                            args.publicity_to)
                done = recruitment.advance(session, village.id, case_id, form)
                action = f"登记发展党员步骤（{name}：{step.title}，命令行）"
            elif args.recruit_command == "edit":
                case_id, name = _case_id(session, village.id, args.person)
                edit = recruitment.StepEdit(step, args.date, args.reason, args.note, _people(args.contacts),
                                            _people(args.introducers), args.hours, args.days, args.publicity_from,
                                            args.publicity_to)
                kept = recruitment.edit_step(session, village.id, case_id, edit)
                day = recruitment.step_date(session, village.id, case_id, step)
                audit.record(session, f"改正发展党员步骤（{name}：{step.title}，命令行）", Change.MEMBERS, source="cli")
                if args.json:
                    print(_json({"id": case_id, "step": step.value, "date": day.isoformat(),
                                 "breaches": [b.code for b in kept]}))
                else:
                    print(f"已改正{name}的{step.title}（{format_cn(day)}）。")
                    for breach in kept:
                        print(f"注意：{breach.message}已按所写原因记入台账。")
                return EXIT_OK
            else:
                case_id, name = _case_id(session, village.id, args.person)
                review_id = recruitment.add_review(session, village.id, case_id, args.date, args.note)
                audit.record(session, f"登记入党积极分子考察（{name}，命令行）", Change.MEMBERS, source="cli")
                if args.json:
                    print(_json({"id": case_id, "review_id": review_id}))
                else:
                    print(f"已登记对{name}的考察（{format_cn(args.date)}）。")
                return EXIT_OK
        except Refusal as error:
            raise _refused(error) from error
        audit.record(session, action, Change.MEMBERS, source="cli")
    if args.json:
        print(_json(done.to_json()))
        return EXIT_OK
    print(f"已登记{name}：{done.step.title}（{format_cn(args.date if step else args.applied)}）。")
    for breach in done.breaches:
        print(f"注意：{breach.message}已按所写原因记入台账。")
    if done.member_id and step is not None and step.number in (17, 24):
        print(f"{name}已{'接收为预备党员' if step.number == 17 else '转为正式党员'}，见党员名册（党员编号 {done.member_id}）。")
    return EXIT_OK


COMMANDS = {"recruits": cmd_recruits, "recruit": cmd_recruit}
READ_ONLY_COMMANDS = {"recruits"}
