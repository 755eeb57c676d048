"""The commands of money: ``dues status`` and ``dues pay``; ``funds add`` and ``funds status`` (党建经费台账).

Registered by ``cli``; they share its store, errors and exit codes: 0 done, 2 unusable input (nothing
written).
"""

from __future__ import annotations

import datetime as dt

from partybuild_desktop.cli import (
    EXIT_OK,
    CliError,
    _current_village,
    _iso_date,
    _json,
    _named_member,
    _open_store,
    _printing_json_on_error,
)


def add_commands(commands) -> None:
    dues = commands.add_parser("dues", help="党费：收缴情况、登记交纳")
    dues_commands = dues.add_subparsers(dest="dues_command", required=True)
    status = dues_commands.add_parser("status", help="每名党员本年应交、已交、欠交几个月")
    status.add_argument("--year", type=int, metavar="年度", help="年度（默认今年）")
    status.add_argument("--as-of", metavar="月份", help="算到哪个月（含该月），写成 2026-11 这样（默认本月）")
    status.add_argument("--json", action="store_true", help="在标准输出上只打印一个 JSON 对象")
    pay = dues_commands.add_parser("pay", help="登记一名党员交纳的党费")
    pay.add_argument("--member", required=True, metavar="姓名或编号")
    pay.add_argument("--months", required=True, metavar="月份",
                     help="交的是哪个月，写成 2026-01；几个月一起交写成 2026-01..2026-03")
    pay.add_argument("--amount", required=True, metavar="金额",
                     help="交纳金额（元）：这几个月合计交的钱；与每月应交数相同时按每月交这么多计")
    pay.add_argument("--date", type=_iso_date, metavar="日期", help="交纳日期（默认今天）")
    pay.add_argument("--receipt", metavar="收据号")
    pay.add_argument("--collector", metavar="收款人")
    pay.add_argument("--method", metavar="方式", help="交纳方式：按月、按季度或代交（委托他人代交）；默认按月，几个月一起交为按季度")
    pay.add_argument("--json", action="store_true", help="在标准输出上只打印一个 JSON 对象")
    _add_funds_commands(commands)


def _add_funds_commands(commands) -> None:
    funds = commands.add_parser("funds", help="党建经费：登记预算、拨付和支出，查看收支和结余")
    funds_commands = funds.add_subparsers(dest="funds_command", required=True)
    add = funds_commands.add_parser("add", help="登记一笔预算、拨付（收入）或支出")
    add.add_argument("--date", required=True, type=_iso_date, metavar="日期", help="日期，写成 2026-11-23 这样")
    add.add_argument("--kind", required=True, type=_funds_kind, metavar="类型",
                     help="预算（按项目）、拨付（收入）或支出；也可写英文代码")
    add.add_argument("--amount", required=True, metavar="金额", help="金额（元），例如 1200 或 1200.50")
    add.add_argument("--item", required=True, metavar="摘要", help="内容或用途；拨付写从哪里来、为什么")
    add.add_argument("--project", metavar="项目", help="项目（预算和支出必填，例如“党员教育培训”）")
    add.add_argument("--voucher", metavar="凭证号", help="报账凭证号")
    add.add_argument("--source", metavar="来源", help="拨付的来源：财政拨付、党费返还、上级补助、其他（拨付必填）")
    add.add_argument("--approved-by", metavar="审批人")
    add.add_argument("--handled-by", metavar="经办人")
    add.add_argument("--json", action="store_true", help="在标准输出上只打印一个 JSON 对象")
    status = funds_commands.add_parser("status", help="本年（或本季度）的预算、收入、支出和结余，按项目列出")
    status.add_argument("--year", type=int, metavar="年度", help="年度（默认今年）")
    status.add_argument("--quarter", type=int, choices=(1, 2, 3, 4), metavar="季度",
                        help="季度 1—4：算到该季度末，并列出该季度的收支")
    status.add_argument("--json", action="store_true", help="在标准输出上只打印一个 JSON 对象")


# ``funds add --kind``: the English codes scripts write, or the words the clerk says.
FUNDS_KINDS = {"budget": "budget", "预算": "budget", "income": "income", "拨付": "income", "收入": "income",
               "expense": "expense", "支出": "expense"}


def _funds_kind(text: str) -> str:
    import argparse

    kind = FUNDS_KINDS.get(text.strip().lower())
    if kind is None:
        raise argparse.ArgumentTypeError(f"“{text}”不是经费类型，请写 预算、拨付 或 支出（budget、income、expense）")
    return kind


def _month(text: str):
    from partybuild_desktop.domain.dues import parse_month

    try:
        return parse_month(text)
    except ValueError as error:
        raise CliError(f"{error}没有写入任何数据。") from error


def _months(text: str) -> list:
    from partybuild_desktop.domain.dues import months_between

    first, _, last = text.replace("～", "..").replace("~", "..").partition("..")
    start, end = _month(first), _month(last) if last else _month(first)
    if end < start:
        raise CliError(f"月份“{text}”前后颠倒了，请写成 2026-01..2026-03 这样。没有写入任何数据。")
    months = months_between(start, end)
    if len(months) > 24:
        raise CliError(f"一次最多登记 24 个月的党费，而“{text}”有 {len(months)} 个月。没有写入任何数据。")
    return months


METHOD_WORDS = {"按月": "monthly", "按季度": "quarterly", "按季": "quarterly", "代交": "proxy", "委托代交": "proxy"}


def _method(text: str) -> str:
    from partybuild_desktop.services.dues import METHODS

    word = text.strip()
    method = METHOD_WORDS.get(word, word)
    if method not in METHODS:
        raise CliError(f"交纳方式“{text}”不认识，应为按月、按季度或代交。没有写入任何数据。")
    return method


@_printing_json_on_error
def cmd_dues(args) -> int:
    """dues status / dues pay: exit 0; 2 when the input cannot be used (nothing written)."""
    from partybuild_desktop.domain.dues import month_of, month_text
    from partybuild_desktop.domain.money import format_money, parse_money
    from partybuild_desktop.services import audit, dues
    from partybuild_desktop.services.changes import Change

    store = _open_store(args)
    village = _current_village(store)
    if args.dues_command == "status":
        as_of = _month(args.as_of) if args.as_of else month_of(dt.date.today())
        year = args.year or as_of[0]
        with store.session() as session:
            grid = dues.dues_year(session, village.id, year, as_of)
        if args.json:
            print(_json(grid.to_json()))
            return EXIT_OK
        totals = grid.totals
        print(f"{village.name}{year}年党费（算到{month_text(as_of)}）：{totals['members']} 名党员，应交 "
              f"{format_money(totals['due_fen'])} 元，已交 {format_money(totals['paid_fen'])} 元，"
              f"{totals['in_arrears']} 人欠交。")
        for row in grid.rows:
            if row.arrears_months:
                run = f"，已连续 {row.unpaid_run} 个月未交" if row.unpaid_run >= 3 else ""
                print(f"  {row.name}：欠交 {row.arrears_months} 个月{run}")
        return EXIT_OK

    try:
        amount = parse_money(args.amount)
    except ValueError as error:
        raise CliError(f"{error}没有写入任何数据。") from error
    months = _months(args.months)
    with store.session() as session:
        member = _named_member(session, village.id, args.member.strip())
        method = _method(args.method) if args.method else ("quarterly" if len(months) > 1 else "monthly")
        form = dues.PaymentForm(months, amount, args.date, args.collector, args.receipt, method)
        try:
            paid = dues.pay(session, village.id, member.id, form)
        except dues.DuesError as error:
            raise CliError(f"{error}没有写入任何数据。") from error
        audit.record(session, f"登记党费（{member.name}，命令行）", Change.RECORDS, source="cli")
    if args.json:
        print(_json(paid.to_json()))
        return EXIT_OK
    listed = "、".join(month_text(m) for m, _, _ in paid.months)
    print(f"已登记{paid.member}{listed}的党费，共 {format_money(paid.total_fen)} 元。")
    for warning in paid.warnings:
        print(f"注意：{warning.message}")
    return EXIT_OK


@_printing_json_on_error
def cmd_funds(args) -> int:
    """funds add / funds status: exit 0; 2 when the input cannot be used (nothing written)."""
    from partybuild_desktop.domain.money import format_money
    from partybuild_desktop.services import audit, funds
    from partybuild_desktop.services.changes import Change

    store = _open_store(args)
    village = _current_village(store)
    if args.funds_command == "status":
        year = args.year or dt.date.today().year
        if not 2000 <= year <= 2999:
            raise CliError(f"年度 {year} 不对，请写四位年份，例如 2026。")
        with store.session() as session:
            status = funds.funds_status(session, village.id, year, args.quarter)
        if args.json:
            print(_json(status.to_json()))
            return EXIT_OK
        print(f"{village.name}{status.title}党建经费：上年结转 {format_money(status.carried_over_fen)} 元，"
              f"预算 {format_money(status.budget_fen)} 元，拨付 {format_money(status.income_fen)} 元，"
              f"支出 {format_money(status.spent_fen)} 元，结余 {format_money(status.balance_fen)} 元。")
        for line in status.projects:
            mark = "（无预算）" if not line.budgeted else "（超预算）" if line.over_budget else ""
            print(f"  {line.project}：预算 {format_money(line.budget_fen)} 元，支出 {format_money(line.spent_fen)} 元，"
                  f"预算余额 {format_money(line.balance_fen)} 元{mark}")
        if status.below_minimum:
            print(f"注意：{year}年拨付 {format_money(status.income_fen)} 元，低于每年 {format_money(status.minimum_fen)} 元的标准。")
        return EXIT_OK

    form = funds.FundsForm(args.kind, args.date, args.amount, args.item, args.project, args.source, args.voucher,
                           args.approved_by, args.handled_by)
    with store.session() as session:
        try:
            saved = funds.add_entry(session, village.id, form)
        except funds.FundsError as error:
            raise CliError(f"{error}没有写入任何数据。") from error
        label = funds.KIND_LABELS[saved.kind]
        audit.record(session, f"登记党建经费{label}（{format_money(saved.amount_fen)} 元，命令行）", Change.RECORDS,
                     source="cli")
    if args.json:
        print(_json(saved.to_json()))
        return EXIT_OK
    print(f"已登记党建经费{label} {format_money(saved.amount_fen)} 元（编号 {saved.id}）。")
    for warning in saved.warnings:
        print(f"注意：{warning.message}")
    return EXIT_OK


COMMANDS = {"dues": cmd_dues, "funds": cmd_funds}
READ_ONLY_COMMANDS: set[str] = set()
