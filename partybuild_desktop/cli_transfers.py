"""The commands of 组织关系 and 后备干部: ``transfer out`` (a 介绍信), ``transfer receipt`` (its 回执 back: the
member leaves the list), ``transfer cancel`` (a letter taken back), ``transfer in`` (a new member, or one
who had transferred out, back), ``transfers`` (the year's register); ``reserve-cadre add|edit|remove``,
``reserve-cadres`` (the year's roster against the target) and ``reserve-cadres renew`` (续备).

Registered by ``cli``; they share its store, errors and exit codes: 0 done, 2 unusable input (nothing
written).
"""

from __future__ import annotations

import datetime as dt

from partybuild_desktop.cli import (
    EXIT_OK,
    JSON_HELP,
    CliError,
    _current_village,
    _gender_option,
    _iso_date,
    _json,
    _open_store,
    _printing_json_on_error,
)

DATE_HELP = "写成 2026-11-23 这样"


def add_commands(commands) -> None:
    transfer = commands.add_parser("transfer", help="组织关系转接：开出介绍信、登记回执、撤销介绍信、登记转入")
    transfer_commands = transfer.add_subparsers(dest="transfer_command", required=True)
    out = transfer_commands.add_parser("out", help="为一名党员开出组织关系介绍信（收到回执后才从名册中转出）")
    out.add_argument("--member", required=True, metavar="姓名或编号", help="转出的党员：姓名、身份证号或党员编号")
    out.add_argument("--to", required=True, metavar="党组织", help="转往的党组织全称（介绍信的抬头）")
    out.add_argument("--date", required=True, type=_iso_date, metavar="日期", help=f"开出介绍信的日期，{DATE_HELP}")
    out.add_argument("--letter", metavar="编号", help="介绍信编号（不写时按年度自动编号，如 2026-001）")
    out.add_argument("--valid-days", type=int, metavar="天数", help="有效期天数（不写时按本村设置，默认 90 天）")
    out.add_argument("--dues-paid-to", metavar="月份", help="党费交至哪个月，写成 2026-10 这样（不写时按党费登记）")
    out.add_argument("--note", metavar="说明")
    out.add_argument("--json", action="store_true", help=JSON_HELP)

    receipt = transfer_commands.add_parser("receipt", help="登记介绍信的回执已收到：党员从名册中转出")
    receipt.add_argument("--member", required=True, metavar="姓名或编号")
    receipt.add_argument("--date", required=True, type=_iso_date, metavar="日期", help=f"收到回执的日期，{DATE_HELP}")
    receipt.add_argument("--json", action="store_true", help=JSON_HELP)

    cancel = transfer_commands.add_parser("cancel", help="撤销还没有收到回执的介绍信（介绍信作废，党员仍在册）")
    cancel.add_argument("--member", required=True, metavar="姓名或编号")
    cancel.add_argument("--json", action="store_true", help=JSON_HELP)

    came = transfer_commands.add_parser("in", help="登记转入的党员：新党员，或曾经转出、又转回来的党员")
    came.add_argument("--name", metavar="姓名", help="新转入党员的姓名")
    came.add_argument("--member", metavar="姓名或编号", help="曾经从本支部转出、又转回来的党员（不用写 --name）")
    came.add_argument("--from", dest="origin", required=True, metavar="党组织", help="开出介绍信的党组织全称")
    came.add_argument("--date", required=True, type=_iso_date, metavar="日期", help=f"转入的日期，{DATE_HELP}")
    came.add_argument("--letter", required=True, metavar="编号", help="介绍信编号")
    came.add_argument("--id-number", metavar="身份证号")
    came.add_argument("--gender", metavar="性别", help="男或女（有身份证号时可不填）")
    came.add_argument("--birth", type=_iso_date, metavar="日期", help="出生日期（有身份证号时可不填）")
    came.add_argument("--joined", type=_iso_date, metavar="日期", help="入党日期")
    came.add_argument("--ethnicity", metavar="民族", help="民族，如 汉族、回族（不写时不填）")
    came.add_argument("--probationary", action="store_true", help="是预备党员（不写时为正式党员）")
    came.add_argument("--group", metavar="党小组", help="编入的党小组")
    came.add_argument("--phone", metavar="电话", help="手机号码")
    came.add_argument("--note", metavar="说明")
    came.add_argument("--json", action="store_true", help=JSON_HELP)

    listing = commands.add_parser("transfers", help="组织关系转接登记：本年度的转出（介绍信、回执）和转入")
    listing.add_argument("--year", type=int, metavar="年度", help="年度（默认今年）")
    listing.add_argument("--as-of", type=_iso_date, metavar="日期", help="按哪一天判断回执是否逾期（默认今天）")
    listing.add_argument("--json", action="store_true", help=JSON_HELP)

    cadre = commands.add_parser("reserve-cadre", help="后备干部：登记、修改或移出一名后备干部")
    cadre_commands = cadre.add_subparsers(dest="cadre_command", required=True)
    for name, text in (("add", "在某年度的后备干部名单中登记一人"), ("edit", "修改某年度名单中一人的信息（只改写到的项）")):
        part = cadre_commands.add_parser(name, help=text)
        part.add_argument("--year", type=int, metavar="年度", help="年度（默认今年）")
        part.add_argument("--name", required=True, metavar="姓名")
        part.add_argument("--gender", metavar="性别", help="男或女")
        part.add_argument("--birth-year", type=int, metavar="年份", help="出生年份，如 1990")
        part.add_argument("--education", metavar="学历", help="研究生、大学本科、大专、中专/高中、初中及以下")
        part.add_argument("--phone", metavar="电话")
        part.add_argument("--source", metavar="来源", help="致富能手、退役军人、返乡大学生、优秀流动党员等")
        part.add_argument("--strengths", metavar="特长")
        part.add_argument("--trainer", metavar="姓名或编号", help="培养联系人（本村在册党员）")
        part.add_argument("--note", metavar="备注")
        part.add_argument("--json", action="store_true", help=JSON_HELP)
    remove = cadre_commands.add_parser("remove", help="把一人移出某年度的后备干部名单（以前年度的名单不变）")
    remove.add_argument("--year", type=int, metavar="年度", help="年度（默认今年）")
    remove.add_argument("--name", required=True, metavar="姓名")
    remove.add_argument("--json", action="store_true", help=JSON_HELP)

    roster = commands.add_parser("reserve-cadres", help="后备干部名单：某年度的人数和镇里要求的人数；renew 续备到下一年")
    roster.add_argument("--year", type=int, metavar="年度", help="年度（默认今年）")
    roster.add_argument("--json", action="store_true", help=JSON_HELP)
    roster_commands = roster.add_subparsers(dest="roster_command", metavar="renew")
    renew = roster_commands.add_parser("renew", help="续备：把某年度的名单带到下一年度（已在下一年名单中的不重复）")
    renew.add_argument("--year", type=int, metavar="年度", help="从哪一年续备（默认今年，续备到明年）")
    renew.add_argument("--json", action="store_true", help=JSON_HELP)


def _member(session, village_id: int, who: str, on_roll: bool | None, option: str | None = None):
    """The one member ``who`` names (``services.transfers.one_member``); CliError, prefixed with the
    ``option`` that named them when given, when there is none or more than one."""
    from partybuild_desktop.services.transfers import TransferError, one_member

    try:
        return one_member(session, village_id, who, on_roll)
    except TransferError as error:
        raise CliError(f"{option + '：' if option else ''}{error}没有写入任何数据。") from None


def _month(text: str | None):
    from partybuild_desktop.domain.transfers import parse_month

    if text is None:
        return None
    try:
        return parse_month(text)
    except ValueError as error:
        raise CliError(f"--dues-paid-to：{error}。没有写入任何数据。") from None


def _education(text: str | None):
    from partybuild_desktop.domain.vocabulary import Education

    if not text:
        return None
    try:
        return Education.from_label(text)
    except ValueError:
        labels = "、".join(e.label for e in Education)
        raise CliError(f"学历“{text}”不认识，应写：{labels}。没有写入任何数据。") from None


def _group_id(session, village_id: int, name: str | None) -> int | None:
    from partybuild_desktop.services.organisation import list_party_groups

    if not name:
        return None
    groups = {g.name: g.id for g in list_party_groups(session, village_id)}
    if name.strip() not in groups:
        raise CliError(f"本村没有名为“{name}”的党小组（本村有：{'、'.join(groups) or '还没有党小组'}）。没有写入任何数据。")
    return groups[name.strip()]


# ---------------------------------------------------------------------------------------- transfer


@_printing_json_on_error
def cmd_transfer(args) -> int:
    """transfer out / receipt / cancel / in: exit 0 when saved, 2 otherwise (nothing written)."""
    from partybuild_desktop.domain.dates import format_cn
    from partybuild_desktop.domain.errors import Refusal
    from partybuild_desktop.services import audit, members, transfers
    from partybuild_desktop.services.changes import Change

    store = _open_store(args)
    village = _current_village(store)
    warnings = []
    with store.session() as session:
        try:
            if args.transfer_command == "out":
                member = _member(session, village.id, args.member, on_roll=True)
                form = transfers.OutForm(member.id, args.to, args.date, args.letter, args.valid_days,
                                         _month(args.dues_paid_to), args.note)
                row = transfers.transfer_out(session, village.id, form)
                action = f"开出组织关系介绍信（{row.name}，第 {row.letter_no} 号，命令行）"
                said = (f"已为{row.name}开出组织关系介绍信第 {row.letter_no} 号（转往{row.organisation}），"
                        f"有效期至{format_cn(row.expires_on)}。收到回执后请登记：transfer receipt --member {row.name}")
            elif args.transfer_command == "receipt":
                member = _member(session, village.id, args.member, on_roll=True)
                transfer_id = transfers.open_transfer(session, village.id, member.id)
                if transfer_id is None:
                    raise CliError(f"“{member.name}”没有等待回执的介绍信，没有写入任何数据。请先用 transfer out 开出介绍信。")
                done = transfers.record_receipt(session, village.id, transfer_id, args.date)
                row, warnings = done.row, done.warnings
                action = f"登记介绍信回执（{row.name}，第 {row.letter_no} 号，命令行）"
                said = f"已登记{row.name}的回执（{format_cn(row.receipt_on)}），{row.name}已从党员名册中转出。"
            elif args.transfer_command == "cancel":
                member = _member(session, village.id, args.member, on_roll=True)
                transfer_id = transfers.open_transfer(session, village.id, member.id)
                if transfer_id is None:
                    raise CliError(f"“{member.name}”没有等待回执的介绍信，没有写入任何数据。")
                row = transfers.transfer_row(session, village.id, transfer_id)
                transfers.cancel_transfer(session, village.id, transfer_id)
                action = f"撤销组织关系介绍信（{row.name}，第 {row.letter_no} 号，命令行）"
                said = f"已撤销{row.name}的介绍信第 {row.letter_no} 号，{row.name}仍在册。"
            else:
                row, created = _transfer_in(session, village.id, args, transfers, members)
                action = f"登记组织关系转入（{row.name}，命令行）"
                said = (f"已登记{row.name}由{row.organisation}转入（介绍信第 {row.letter_no} 号），"
                        + ("已加入党员名册，请在窗口中补全其信息。" if created else "已恢复在册。"))
        except CliError:
            raise
        except Refusal as error:
            raise CliError(f"{error}没有写入任何数据。") from None
        audit.record(session, action, Change.MEMBERS, source="cli")
    if args.json:
        print(_json({**row.to_json(), "warnings": [w.to_json() for w in warnings]}))
        return EXIT_OK
    print(said)
    for warning in warnings:
        print(f"注意：{warning.message}")
    return EXIT_OK


def _transfer_in(session, village_id: int, args, transfers, members):
    from partybuild_desktop.domain.vocabulary import Standing

    if args.member and args.name:
        raise CliError("--member（曾经转出的党员）和 --name（新转入的党员）只能写一个。没有写入任何数据。")
    if not args.member and not args.name:
        raise CliError("请用 --name 写新转入党员的姓名，或用 --member 写曾经转出、又转回来的党员。没有写入任何数据。")
    if args.member:
        given = [option for option, value in (
            ("--id-number", args.id_number), ("--gender", args.gender), ("--birth", args.birth),
            ("--joined", args.joined), ("--ethnicity", args.ethnicity), ("--probationary", args.probationary),
            ("--group", args.group), ("--phone", args.phone)) if value]
        if given:
            raise CliError(f"{'、'.join(given)} 是新转入党员的信息，不能和 --member（曾经转出、又转回来的党员）一起写："
                           "转回来的党员沿用原来的信息。请去掉这些选项，回来后在党员信息中修改。没有写入任何数据。")
        member = _member(session, village_id, args.member, on_roll=False)
        form = transfers.InForm(args.origin, args.date, args.letter, member_id=member.id, note=args.note)
    else:
        card = members.MemberForm(
            name=args.name, gender=_gender_option(args.gender), id_number=args.id_number, birth_date=args.birth,
            joined_date=args.joined, ethnicity=(args.ethnicity or "").strip() or None,
            standing=Standing.PROBATIONARY if args.probationary else Standing.FULL,
            party_group_id=_group_id(session, village_id, args.group), mobile=args.phone)
        form = transfers.InForm(args.origin, args.date, args.letter, member=card, note=args.note)
    done = transfers.transfer_in(session, village_id, form)
    return done.row, done.created


@_printing_json_on_error
def cmd_transfers(args) -> int:
    """transfers: the year's register; exit 0."""
    from partybuild_desktop.domain.dates import format_cn
    from partybuild_desktop.services import transfers

    as_of = args.as_of or dt.date.today()
    year = args.year or as_of.year
    store = _open_store(args)
    village = _current_village(store)
    with store.session() as session:
        rows = transfers.list_transfers(session, village.id, year, as_of)
    if args.json:
        print(_json({"year": year, "as_of": as_of.isoformat(), "transfers": [r.to_json() for r in rows]}))
        return EXIT_OK
    print(f"{village.name}{year}年组织关系转接：{len(rows)} 条。")
    for r in rows:
        if r.direction == "out":
            print(f"  转出 {r.name}：第 {r.letter_no} 号，转往{r.organisation}，{format_cn(r.date)}开出，"
                  f"有效期至{format_cn(r.expires_on)}；{r.state}")
        else:
            print(f"  转入 {r.name}：由{r.organisation}转入，第 {r.letter_no} 号，{format_cn(r.date)}")
    return EXIT_OK


# ---------------------------------------------------------------------------------------- 后备干部


@_printing_json_on_error
def cmd_reserve_cadre(args) -> int:
    """reserve-cadre add / edit / remove: exit 0 when saved, 2 otherwise (nothing written)."""
    from partybuild_desktop.domain.errors import Refusal
    from partybuild_desktop.services import audit, reserve_cadres
    from partybuild_desktop.services.changes import Change

    year = args.year or dt.date.today().year
    store = _open_store(args)
    village = _current_village(store)
    with store.session() as session:
        try:
            found = [r for r in reserve_cadres.roster(session, village.id, year) if r.name == args.name.strip()]
            if args.cadre_command != "add" and len(found) != 1:
                raise CliError(f"{year}年的后备干部名单中{'没有' if not found else '不止一人叫'}“{args.name}”，"
                               "没有写入任何数据。请用 reserve-cadres --year 年度 查看名单。")
            if args.cadre_command == "remove":
                reserve_cadres.remove(session, village.id, found[0].id)
                audit.record(session, f"移出后备干部（{args.name}，{year}年，命令行）", Change.VILLAGE, source="cli")
                if args.json:
                    print(_json({"year": year, "removed": args.name.strip()}))
                else:
                    print(f"已把{args.name.strip()}移出{year}年的后备干部名单。")
                return EXIT_OK
            form = found[0].form() if found and args.cadre_command == "edit" else reserve_cadres.CadreForm(args.name)
            for key, value in (("gender", _gender_option(args.gender)), ("birth_year", args.birth_year),
                               ("education", _education(args.education)), ("phone", args.phone),
                               ("source", args.source), ("strengths", args.strengths), ("notes", args.note)):
                if value is not None:
                    setattr(form, key, value)
            if args.trainer:
                form.trainer_id = _member(session, village.id, args.trainer, True, "--trainer").id
            cadre_id = reserve_cadres.save(session, village.id, year, form,
                                           found[0].id if args.cadre_command == "edit" else None)
            standing = reserve_cadres.standing(session, village.id, year)
        except CliError:
            raise
        except Refusal as error:
            raise CliError(f"{error}没有写入任何数据。") from None
        verb = "登记" if args.cadre_command == "add" else "修改"
        audit.record(session, f"{verb}后备干部（{form.name}，{year}年，命令行）", Change.VILLAGE, source="cli")
    if args.json:
        print(_json({"id": cadre_id, "year": year, "count": standing.count, "target": standing.target}))
    else:
        print(f"已{verb}{year}年后备干部{args.name.strip()}。{standing.text}")
    return EXIT_OK


@_printing_json_on_error
def cmd_reserve_cadres(args) -> int:
    """reserve-cadres [renew]: the year's roster (exit 0), or 续备 into the next year (0 done, 2 refused)."""
    from partybuild_desktop.domain.errors import Refusal
    from partybuild_desktop.services import audit, reserve_cadres
    from partybuild_desktop.services.changes import Change

    year = args.year or dt.date.today().year
    store = _open_store(args)
    village = _current_village(store)
    with store.session() as session:
        if args.roster_command == "renew":
            try:
                done = reserve_cadres.renew(session, village.id, year)
            except Refusal as error:
                raise CliError(f"{error}没有写入任何数据。") from None
            audit.record(session, f"后备干部续备（{year}年到{done.year}年，命令行）", Change.VILLAGE, source="cli")
            standing = reserve_cadres.standing(session, village.id, done.year)
            if args.json:
                print(_json({**done.to_json(), "count": standing.count, "target": standing.target}))
            else:
                print(f"已把{year}年的 {done.carried} 名后备干部续备到{done.year}年"
                      + (f"（{done.already} 名已在{done.year}年名单中）" if done.already else "") + f"。{standing.text}")
            return EXIT_OK
        rows = reserve_cadres.roster(session, village.id, year)
        standing = reserve_cadres.standing(session, village.id, year)
    if args.json:
        print(_json({"year": year, "count": standing.count, "target": standing.target, "short": standing.short,
                     "cadres": [r.to_json() for r in rows]}))
        return EXIT_OK
    print(standing.text)
    for r in rows:
        extra = "，".join(x for x in (r.source, f"培养联系人{r.trainer}" if r.trainer else "") if x)
        print(f"  {r.name}{'（续备）' if r.carried else ''}" + (f"：{extra}" if extra else ""))
    return EXIT_OK


COMMANDS = {"transfer": cmd_transfer, "transfers": cmd_transfers, "reserve-cadre": cmd_reserve_cadre,
            "reserve-cadres": cmd_reserve_cadres}
READ_ONLY_COMMANDS = {"transfers"}
