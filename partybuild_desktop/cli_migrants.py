"""The commands of 流动党员: ``migrant out`` (外出登记), ``migrant back`` (返回), ``migrant contact`` (a contact
kept) and ``migrants`` (who is away on a day, with the last contact and the alerts).

Registered by ``cli``; they share its store, errors and exit codes: 0 done, 2 unusable input (nothing
written).
"""

from __future__ import annotations

import datetime as dt

from partybuild_desktop.cli import (
    EXIT_OK,
    EXIT_UNUSABLE,
    JSON_HELP,
    CliError,
    _current_village,
    _iso_date,
    _json,
    _named_member,
    _open_store,
    _printing_json_on_error,
)

HOW_HELP = "联系方式：电话、微信、面谈或寄送（寄送学习资料）"


def add_commands(commands) -> None:
    listing = commands.add_parser("migrants", help="流动党员：某一天在外的党员、外出时间、流向、最近一次联系和提醒")
    listing.add_argument("--as-of", type=_iso_date, metavar="日期", help="按哪一天列出和判断提醒（默认今天）")
    listing.add_argument("--json", action="store_true", help=JSON_HELP)

    migrant = commands.add_parser("migrant", help="流动党员：外出登记、返回登记、登记联系记录")
    sub = migrant.add_subparsers(dest="migrant_command", required=True)
    out = sub.add_parser("out", help="外出登记：党员外出，成为流动党员")
    out.add_argument("--member", required=True, metavar="姓名或编号")
    out.add_argument("--date", required=True, type=_iso_date, metavar="日期", help="外出时间，写成 2026-03-01 这样")
    out.add_argument("--to", required=True, metavar="省/市/县", help="外出流向，用斜杠分开，如 广东省/深圳市/宝安区")
    out.add_argument("--reason", metavar="原因", help="外出原因，如 务工经商")
    out.add_argument("--occupation", metavar="职业", help="外出从事的职业")
    out.add_argument("--contact", metavar="联系方式", help="外出期间的联系电话（不是电话号码的，按微信号登记）")
    out.add_argument("--card", metavar="证号", help="流动党员活动证号")
    out.add_argument("--card-expires", type=_iso_date, metavar="日期", help="活动证有效期至")
    out.add_argument("--keeper", metavar="姓名", help="村里负责与其保持联系的人")
    out.add_argument("--host", metavar="党组织", help="流入地党组织（知道的填）")
    out.add_argument("--json", action="store_true", help=JSON_HELP)

    back = sub.add_parser("back", help="返回登记：流动党员回到村里，恢复外出前的类别")
    back.add_argument("--member", required=True, metavar="姓名或编号")
    back.add_argument("--date", required=True, type=_iso_date, metavar="日期", help="返回时间，写成 2026-03-01 这样")
    back.add_argument("--json", action="store_true", help=JSON_HELP)

    contact = sub.add_parser("contact", help="登记与一名流动党员的一次联系")
    contact.add_argument("--member", required=True, metavar="姓名或编号")
    contact.add_argument("--date", required=True, type=_iso_date, metavar="日期", help="联系日期，写成 2026-03-01 这样")
    contact.add_argument("--how", required=True, metavar="方式", help=HOW_HELP)
    contact.add_argument("--by", metavar="姓名", help="由谁联系（默认为登记的村联系人）")
    contact.add_argument("--note", metavar="内容", help="联系内容或寄送的资料")
    contact.add_argument("--json", action="store_true", help=JSON_HELP)


# ---------------------------------------------------------------------------------------- migrants


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


@_printing_json_on_error
def cmd_migrants(args) -> int:
    """migrants: who is away on ``--as-of`` (default today); exit 0."""
    from partybuild_desktop.domain.dates import format_cn
    from partybuild_desktop.services import migrants

    as_of = args.as_of or dt.date.today()
    store = _open_store(args)
    village = _current_village(store)
    with store.session() as session:
        rows = migrants.migrants(session, village.id, as_of)
    if args.json:
        print(_json({"as_of": as_of.isoformat(), "migrants": [
            {"name": r.name, "since": _iso(r.left_on), "to": r.to, "months_away": r.months_away,
             "last_contact": _iso(r.last_contact), "alerts": list(r.alerts)} for r in rows]}))
        return EXIT_OK
    print(f"{village.name}{format_cn(as_of)}在外的流动党员：{len(rows)} 人。")
    for r in rows:
        since = f"{format_cn(r.left_on)}外出（{r.months_away} 个月）" if r.left_on else "外出时间不详"
        last = f"最近联系 {format_cn(r.last_contact)}" if r.last_contact else "还没有联系记录"
        card = f"，活动证 {r.card_no}" if r.card_no else ""
        alerts = f"；提醒：{r.alert_labels}" if r.alerts else ""
        print(f"  {r.name}：{since}，{r.destination or '流向未登记'}{card}，{last}{alerts}")
    return EXIT_OK


# ---------------------------------------------------------------------------------------- migrant


@_printing_json_on_error
def cmd_migrant(args) -> int:
    """migrant out / back / contact: exit 0 when saved, 2 when refused (nothing written)."""
    from partybuild_desktop.domain.dates import format_cn
    from partybuild_desktop.domain.errors import Refusal
    from partybuild_desktop.domain.migrants import ContactHow, place, split_place
    from partybuild_desktop.domain.phone import check_phone
    from partybuild_desktop.services import audit, migrants
    from partybuild_desktop.services.changes import Change

    how = None
    if args.migrant_command == "contact":
        how = ContactHow.from_text(args.how)
        if how is None:
            raise CliError(f"联系方式“{args.how}”应写电话、微信、面谈或寄送。没有写入任何数据。")
    store = _open_store(args)
    village = _current_village(store)
    with store.session() as session:
        member = _named_member(session, village.id, args.member, "--member", archived=False)
        try:
            if args.migrant_command == "out":
                province, city, county = split_place(args.to)
                phone = wechat = None
                if args.contact:
                    if check_phone(args.contact).ok:
                        phone = args.contact
                    else:
                        wechat = args.contact
                form = migrants.StintForm(left_on=args.date, province=province, city=city, county=county,
                                          host_organisation=args.host, reason=args.reason, occupation=args.occupation,
                                          phone=phone, wechat=wechat, contact_person=args.keeper, card_no=args.card,
                                          card_expires_on=args.card_expires)
                stint_id = migrants.register_out(session, village.id, member.id, form)
                audit.record(session, f"流动党员外出登记（{member.name}，命令行）", Change.MEMBERS, source="cli")
                result = {"member": member.name, "member_id": member.id, "stint_id": stint_id,
                          "since": args.date.isoformat(), "to": args.to}
                text = f"已登记{member.name}于{format_cn(args.date)}外出，流向{place(province, city, county)}。"
                told = []
            elif args.migrant_command == "back":
                told = migrants.register_back(session, village.id, member.id, args.date)
                audit.record(session, f"流动党员返回登记（{member.name}，命令行）", Change.MEMBERS, source="cli")
                result = {"member": member.name, "member_id": member.id, "back": args.date.isoformat(),
                          "warnings": [w.to_json() for w in told]}
                text = f"已登记{member.name}于{format_cn(args.date)}返回。"
            else:
                by_whom = args.by
                if by_whom is None:
                    stint = migrants.open_stint(session, member.id)
                    by_whom = stint.contact_person if stint else None
                contact_id = migrants.add_contact(session, village.id, member.id,
                                                  migrants.ContactForm(args.date, how, by_whom, args.note))
                audit.record(session, f"流动党员联系记录（{member.name}，命令行）", Change.MEMBERS, source="cli")
                result = {"member": member.name, "member_id": member.id, "contact_id": contact_id,
                          "date": args.date.isoformat(), "how": how.label}
                text = f"已登记{format_cn(args.date)}与{member.name}的联系（{how.label}）。"
                told = []
        except Refusal as error:
            raise CliError(f"{error}没有写入任何数据。", EXIT_UNUSABLE) from error
    if args.json:
        print(_json(result))
        return EXIT_OK
    print(text)
    for warning in told:
        print(f"注意：{warning.message}")
    return EXIT_OK


COMMANDS = {"migrants": cmd_migrants, "migrant": cmd_migrant}
READ_ONLY_COMMANDS = {"migrants"}
