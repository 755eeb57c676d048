"""The headless commands: ``partybuild-desktop [--data-dir DIR] COMMAND``.

Without a command the window starts. Errors go to stderr in Chinese with a non-zero exit code:
2 when the data or a file cannot be used at all, 1 when a check finds problems, 3 when an import refused
some rows (and wrote the others).
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from partybuild_desktop import APP_NAME, __version__, paths
from partybuild_desktop.chinese_argparse import ChineseArgumentParser
from partybuild_desktop.domain.vocabulary import BranchType
from partybuild_desktop.importers.preview import EXIT_ROWS_REFUSED  # noqa: F401  (light: no spreadsheet code)

log = logging.getLogger(__name__)
EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2
JSON_HELP = "在标准输出上只打印一个 JSON 对象"  # the help of every command's --json
# EXIT_ROWS_REFUSED (3, import-…: some rows were refused, the others imported) comes from importers.preview.


class CliError(Exception):
    """A refusal to report on stderr, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_UNUSABLE, details: dict | None = None):
        super().__init__(message)
        self.code = code
        self.details = details or {}  # more for --json's object (e.g. the refusal's "code")


@dataclass(frozen=True)
class ImportCommand:
    """One ``import-…`` command: the service module with ``preview_import`` and ``apply_import``, and its words."""

    service: str
    help: str
    file_word: str
    update_help: str | None  # None: the import has no --update
    unit: str  # 名, 户: what a written row counts as
    changes: str = "members"  # the areas an import touches, as in services.changes
    year: bool = False  # the file is for a year (--year, required), passed to preview_import as year=


IMPORTS = {
    "import-members": ImportCommand("partybuild_desktop.services.member_import", "从 Excel/WPS 花名册导入党员",
                                    "花名册", "身份证号已在名册中的党员，用表中有的各列更新", "名"),
    "import-households": ImportCommand("partybuild_desktop.services.household_import",
                                       "从 Excel/WPS 农户名单导入农户（户主、村民小组、必访对象等）", "农户名单",
                                       "户主姓名、村民小组、住址都与台账相同的农户，用表中有的各列更新", "户",
                                       "households,grids"),
    "import-dues": ImportCommand("partybuild_desktop.services.dues_import",
                                 "从 Excel/WPS 党费收缴登记表导入某年度的党费标准和各月交纳情况", "党费收缴登记表",
                                 None, "名", "records", year=True),
    "import-recruits": ImportCommand("partybuild_desktop.services.recruit_import",
                                     "从 Excel/WPS 发展党员工作台账导入入党申请人、积极分子、发展对象和预备党员的各步骤日期"
                                     "（身份证号已登记的人按表中内容更新）", "发展党员台账", None, "人"),
}


# init: a village branch is a 党支部, or a 党总支 from 50 members on (a 党委 needs the county's approval).
INIT_BRANCH_TYPES = (BranchType.GENERAL_BRANCH, BranchType.BRANCH)
BRANCH_TYPE_DEFAULT = BranchType.BRANCH.label


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="partybuild-desktop", description=f"{APP_NAME}：村党组织党建工作的离线台账。")
    parser.add_argument("--data-dir", metavar="文件夹",
                        help="数据文件夹（默认为用户数据目录，也可用环境变量 PARTYBUILD_DATA_DIR 指定）")
    parser.add_argument("--exit-when-shown", action="store_true", help="窗口第一次显示后立即退出（用于测量启动时间）")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    commands = parser.add_subparsers(dest="command")

    init = commands.add_parser("init", help="在新的数据文件中建立本村台账（空村，之后导入花名册或在窗口中填写）")
    init.add_argument("--township", required=True, metavar="乡镇", help="乡镇名称，例如 白马镇")
    init.add_argument("--village", required=True, metavar="村名", help="村名，例如 东湖村")
    init.add_argument("--branch-type", choices=[t.label for t in INIT_BRANCH_TYPES], default=BRANCH_TYPE_DEFAULT,
                      metavar="党总支|党支部", help=f"村党组织类型（默认 {BRANCH_TYPE_DEFAULT}；党员 50 名以上一般为党总支）")
    init.add_argument("--branch-name", metavar="全称", help="党组织全称（默认为“中共＋村名＋党组织类型”，例如 中共东湖村党支部）")
    init.add_argument("--secretary", metavar="姓名", help="党组织书记姓名（可以以后在“设置 → 本村信息”中填写）")

    demo = commands.add_parser("demo", help="生成示例村数据")
    demo.add_argument("--villages", type=int, default=1, metavar="个数", help="示例村个数（默认 1）")
    demo.add_argument("--members", type=int, default=150, metavar="人数", help="党员总数（约数，默认 150）")
    demo.add_argument("--village", metavar="村名", help="第一个示例村的村名")
    demo.add_argument("--seed", type=int, default=1, metavar="整数", help="随机种子（不同种子生成不同的村）")
    demo.add_argument("--entries-per-month", type=float, default=1.5, metavar="条数",
                      help="每名党员每月纪实条数（默认 1.5）")

    alerts = commands.add_parser("alerts", help="列出待办提醒（必访户、代办事项、预备期、备份、季度报表等）")
    alerts.add_argument("--as-of", type=_iso_date, metavar="日期",
                        help="按哪一天计算，写成 2026-11-23 这样（默认今天）")
    alerts.add_argument("--json", action="store_true", help="在标准输出上只打印一个 JSON 对象")

    export = commands.add_parser("export", help="导出报表（扩展名决定 xlsx 或 pdf）")
    export.add_argument("name", nargs="?", metavar="报表名称", help="报表名称，见 export --list")
    export.add_argument("--list", action="store_true", help="列出可导出的报表")
    export.add_argument("--out", metavar="文件", help="输出文件（.xlsx 或 .pdf）")
    export.add_argument("--year", type=int, metavar="年度", help="年度")
    export.add_argument("--grid", metavar="网格", help="网格名称")
    export.add_argument("--quarter", metavar="季度", help="季度，例如 2026Q3（只用于可按季度导出的报表，如 member-stats）")
    export.add_argument("--meeting", type=int, metavar="会议编号", help="会议编号（只用于 meeting-minutes 会议记录）")
    export.add_argument("--person", metavar="姓名或编号", help="姓名或编号（只用于 recruit-record 发展党员纪实表）")
    export.add_argument("--member", metavar="姓名或编号", help="党员的姓名或编号（只用于 transfer-letter 组织关系介绍信）")

    for command, kind in IMPORTS.items():
        importing = commands.add_parser(command, help=kind.help)
        importing.add_argument("file", metavar=kind.file_word, help=f"{kind.file_word}文件（.xlsx、.xls、.ods、.csv 等）")
        importing.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入任何数据")
        if kind.update_help:
            importing.add_argument("--update", action="store_true", help=kind.update_help)
        if kind.year:
            importing.add_argument("--year", type=int, required=True, metavar="年度", help="登记表是哪一年的，例如 2026")
        importing.add_argument("--report", metavar="问题清单", help="把未导入的行连同原因写成 .xlsx 文件，改正后可重新导入")
        importing.add_argument("--json", action="store_true", help="在标准输出上只打印一个 JSON 对象")

    points = commands.add_parser("points", help="党建先锋榜积分")
    points_commands = points.add_subparsers(dest="points_command", required=True)
    explain = points_commands.add_parser("explain", help="列出一名党员积分的每一项来源")
    explain.add_argument("--year", type=int, metavar="年度", help="年度（默认今年）")
    explain.add_argument("--member", required=True, metavar="姓名或编号", help="党员姓名或编号")
    explain.add_argument("--quarter", type=int, choices=(1, 2, 3, 4), metavar="1-4", help="只看某季度（默认全年）")

    rules = commands.add_parser("rules", help="积分评价办法：导出、导入")
    rules_commands = rules.add_subparsers(dest="rules_command", required=True)
    rules_export = rules_commands.add_parser("export", help="把某年度的积分办法导出为文件（.json）")
    rules_export.add_argument("file", metavar="文件", help="输出文件")
    rules_export.add_argument("--year", type=int, metavar="年度", help="年度（默认今年）")
    rules_import = rules_commands.add_parser("import", help="从文件导入积分办法，替换某年度的办法")
    rules_import.add_argument("file", metavar="文件", help="积分办法文件（.json）")
    rules_import.add_argument("--year", type=int, metavar="年度", help="导入到哪个年度（默认文件中写明的年度，否则今年）")

    returns = commands.add_parser("export-return", help="导出本村季度报表包（报送乡镇，存到 U 盘）")
    returns.add_argument("--quarter", required=True, metavar="季度", help="季度，例如 2026Q3")
    returns.add_argument("--out", required=True, metavar="文件夹", help="保存报表包的文件夹（通常是 U 盘）")
    returns.add_argument("--replace", action="store_true", help="已有同一季度的报表包时替换它（原报表包改名保留）")
    returns.add_argument("--zip", action="store_true", help="存成一个 .zip 文件，而不是一个文件夹")
    returns.add_argument("--json", action="store_true", help="在标准输出上只打印一个 JSON 对象")

    township = commands.add_parser("consolidate", help="乡镇：汇总各村的季度报表包（--data-dir 为乡镇的数据文件夹）")
    township.add_argument("--quarter", required=True, metavar="季度", help="季度，例如 2026Q3")
    township.add_argument("--out", required=True, metavar="文件夹", help="保存汇总表（.xlsx 和 .pdf）的文件夹")
    township.add_argument("--replace", action="store_true",
                          help="某村本季度的报表此前已收到时，用这次的替换（原报表保留为已替换的记录）；不加则不导入这一份")
    township.add_argument("--json", action="store_true", help="在标准输出上只打印一个 JSON 对象")
    township.add_argument("packages", nargs="+", metavar="报表包", help="报表包（文件夹或 .zip），可以有多个")
    _add_member_commands(commands)
    for module in _command_modules():
        module.add_commands(commands)
    return parser


def _iso_date(text: str):
    """``--as-of 2026-11-23``."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”的写法不对，请写成 2026-11-23 这样（年-月-日）") from None


def _gender_option(text: str | None):
    """A --gender option's 男 or 女 as a Gender, None when not given; CliError when it is neither."""
    from partybuild_desktop.domain.vocabulary import Gender

    if not text:
        return None
    try:
        return Gender.from_label(text)
    except ValueError:
        raise CliError(f"性别“{text}”应写男或女。没有写入任何数据。") from None


def _open_store(args):
    """The data file, checked as it opens (``services.backups.open_data_folder``); a command that writes
    also marks it open until it ends and backs it up when the last backup is a day old."""
    import atexit

    from partybuild_desktop.services.backups import closed_normally, open_data_folder
    from partybuild_desktop.store.schema import DataFileError

    folder = paths.data_dir(args.data_dir)
    paths.setup_logging(folder)
    working = args.command not in READ_ONLY_COMMANDS
    try:
        store = open_data_folder(folder, working=working)
    except DataFileError as error:
        raise CliError(str(error), details={"code": "data_file_damaged"}) from error
    if working:
        atexit.register(closed_normally, folder)
    return store


def _backup_before(store, reason: str) -> None:
    """The automatic backup before a risky operation; the operation is refused when it fails."""
    from partybuild_desktop.services.backups import BackupFailed, before

    try:
        before(store, reason)
    except BackupFailed as error:
        raise CliError(str(error), details={"code": "backup_failed"}) from error


def _current_village(store):
    from partybuild_desktop.services.village import current_village

    with store.session() as session:
        village = current_village(session)
    if village is None:
        raise CliError("数据文件中还没有村。请先运行 init 命令（或打开程序完成首次设置）建立本村台账，"
                       "或运行 demo 命令生成示例数据。")
    return village


def _named_member(session, village_id: int, who: str, what: str | None = None, archived: bool = True):
    """The one member ``who`` names (by 编号, or by exact name) for a command about to write; CliError
    when there is none or more than one. ``archived``: a member no longer on the roll may be named (one
    still on it wins over a namesake who left); ``what`` says which option named them."""
    from partybuild_desktop.services.points import find_members

    note = f"（{what}）" if what else ""
    found = [m for m in find_members(session, village_id, who)
             if (who.isdigit() or m.name == who) and (archived or not m.archived)]
    if not found:
        raise CliError(f"本村没有{'' if archived else '在册'}党员“{who}”{note}，没有写入任何数据。请核对姓名，或改用党员编号。")
    current = [m for m in found if not m.archived] or found
    if len(current) > 1:
        listed = "；".join(f"编号 {m.id} {m.name} {m.masked_id_number or '（无身份证号）'}" for m in current)
        raise CliError(f"有 {len(current)} 名党员叫“{who}”{note}，没有写入任何数据。请改用编号：{listed}")
    return current[0]


def _audit(session, action: str, changes=None) -> None:
    """The audit row of a command's change, in the command's own transaction (a new village by default)."""
    from partybuild_desktop.services import audit
    from partybuild_desktop.services.changes import Change

    audit.record(session, action, changes or Change.VILLAGE | Change.SETTINGS, source="cli")


def cmd_init(args) -> int:
    """init: an empty village in a new data file; exit 2 when the file already holds a village."""
    from partybuild_desktop.domain.errors import Refusal
    from partybuild_desktop.services.village import (VILLAGE_MODE, create_village, list_villages, program_mode,
                                                     set_program_mode)

    branch_type = next(t for t in INIT_BRANCH_TYPES if t.label == args.branch_type)
    store = _open_store(args)
    try:
        with store.session() as session:
            existing = list_villages(session)
            if existing:
                names = "、".join(v.title for v in existing)
                raise CliError(f"数据文件“{store.path}”中已经有村（{names}），没有作任何改动。init 只用于新的数据文件："
                               "如要另建一个村的台账，请用 --data-dir 指定另一个文件夹。")
            if program_mode(session) != VILLAGE_MODE:
                raise CliError(f"数据文件“{store.path}”用于乡镇汇总，不能在其中建立村台账，没有作任何改动。"
                               "请用 --data-dir 指定另一个文件夹。")
            village = create_village(session, args.township, args.village, branch_type,
                                     secretary_name=args.secretary, branch_name=args.branch_name)
            set_program_mode(session, VILLAGE_MODE)
            _audit(session, "建立本村台账（命令行）")
    except Refusal as error:
        raise CliError(f"{error}没有作任何改动。") from error
    secretary = village.secretary_name or "未填写（以后在程序的“设置 → 本村信息”中填写，报表落款要用）"
    print(f"已建立本村台账：{village.title}，{village.branch_name}，书记：{secretary}。\n数据文件：{store.path}\n"
          "下一步：用 import-members 导入党员花名册、import-households 导入农户名单，"
          "或打开程序设置党小组、网格。")
    return EXIT_OK


def cmd_demo(args) -> int:
    from partybuild_desktop.services.changes import Change
    from partybuild_desktop.services.demo import generate
    from partybuild_desktop.services.village import current_village, list_villages

    if args.villages < 1 or args.members < 1:
        raise CliError("村数和党员数都必须大于 0。")
    store = _open_store(args)
    try:
        with store.session() as session:
            before = list_villages(session)
            summary = generate(session, villages=args.villages, members=args.members, first_village=args.village,
                               seed=args.seed, entries_per_month=args.entries_per_month)
            _audit(session, f"生成示例村（命令行）：{'、'.join(summary.villages)}", Change.EVERYTHING)
            current = current_village(session)
    except ValueError as error:
        raise CliError(str(error)) from error
    print(f"已生成示例村 {len(summary.villages)} 个（{'、'.join(summary.villages)}）：党员 {summary.members} 名，"
          f"农户 {summary.households} 户，纪实 {summary.record_entries} 条。数据文件：{store.path}")
    if before:
        print(f"注意：数据文件中原来已有 {len(before)} 个村（{'、'.join(v.title for v in before)}），"
              f"这次是另外添加的，现在共有 {len(before) + len(summary.villages)} 个村。"
              f"当前村仍是{current.title}：窗口和命令行显示、导出的都是当前村。")
    return EXIT_OK


def cmd_export(args) -> int:
    from partybuild_desktop.services import exports

    if args.list:
        for definition in exports.catalogue():
            print(f"{definition.name}\t{definition.title}\t{'/'.join(definition.formats)}")
        return EXIT_OK
    if not args.name or not args.out:
        raise CliError("请给出报表名称和 --out 输出文件，例如：export overview --out 概况.xlsx（export --list 列出全部报表）。")
    store = _open_store(args)
    village = _current_village(store)
    try:
        result = exports.export(store, village.id, args.name, Path(args.out), _export_options(args))
    except exports.ExportError as error:
        raise CliError(str(error)) from error
    for warning in result.warnings:
        print(f"提示：{warning}", file=sys.stderr)
    print(f"已导出：{result.path}")
    return EXIT_OK


def _quarter(text: str):
    from partybuild_desktop.domain.statistics import Quarter

    try:
        return Quarter.parse(text)
    except ValueError as error:
        raise CliError(str(error)) from error


def _export_options(args):
    """``--year``, ``--grid`` and ``--quarter 2026Q3`` (for the exports made per quarter) as ExportOptions."""
    from partybuild_desktop.services import exports

    year, quarter = args.year, None
    if args.quarter:
        chosen = _quarter(args.quarter)
        definition = exports.find(args.name)
        if not definition.uses_quarter:
            raise CliError(f"“{definition.title}”不按季度导出，请改用 --year 年度。")
        if year is not None and year != chosen.year:
            raise CliError(f"--year {year} 与 --quarter {args.quarter} 的年份不一致，只写 --quarter 即可。")
        year, quarter = chosen.year, chosen.number
    return exports.ExportOptions(year=year, grid=args.grid, quarter=quarter, meeting_id=args.meeting,
                                 person=args.person, member=args.member)


def _json(data) -> str:
    """One JSON object as the clerk reads it: Chinese as Chinese (stdout is UTF-8, see ``main``)."""
    import json

    return json.dumps(data, ensure_ascii=False)


def _failure(error: Exception) -> str:
    """What stderr and --json say about a failure: a refusal's own Chinese words; a refusal that passed on
    an exception's English text, or an unexpected failure, as ``logs.failure_message`` says it (Chinese,
    without SQL, values or English; the log has the rest)."""
    from partybuild_desktop.domain.errors import has_chinese
    from partybuild_desktop.logs import FAULT, failure_message, scrub

    if isinstance(error, CliError):
        message = str(error)
        if has_chinese(message):
            return message
        log.error("a refusal without Chinese words: %s", scrub(message))
        cause = error.__cause__
        return failure_message(cause) if cause is not None else FAULT
    return failure_message(error)


def _printing_json_on_error(command):
    """With --json, stdout still carries one JSON object when the command fails."""

    def run(args) -> int:
        try:
            return command(args)
        except Exception as error:
            if args.json:
                details = error.details if isinstance(error, CliError) else {}
                print(_json({"error": _failure(error), **details}))
            raise

    run.__doc__ = command.__doc__
    return run


@_printing_json_on_error
def cmd_alerts(args) -> int:
    """alerts: the 待办提醒 of the current village on ``--as-of`` (default today); exit 0."""
    import datetime as dt

    from partybuild_desktop.domain.dates import format_cn
    from partybuild_desktop.services.alerts import SERIOUS, collect

    as_of = args.as_of or dt.date.today()
    store = _open_store(args)
    village = _current_village(store)
    with store.session() as session:
        found = collect(session, village.id, as_of)
    if args.json:
        print(_json({"as_of": as_of.isoformat(), "alerts": [alert.to_json() for alert in found]}))
        return EXIT_OK
    if not found:
        print(f"{village.title}截至{format_cn(as_of)}没有待办提醒。")
        return EXIT_OK
    print(f"{village.title}待办提醒（截至{format_cn(as_of)}），共 {len(found)} 项：")
    for alert in found:
        level = "【紧急】" if alert.level == SERIOUS else "【提醒】"
        due = f"（期限 {alert.due:%Y-%m-%d}）" if alert.due else ""
        print(f"{level}{alert.message}{due}")
    return EXIT_OK


@_printing_json_on_error
def cmd_export_return(args) -> int:
    """export-return: exit 0 when the package is written and verified, 2 otherwise."""
    from partybuild_desktop.services.returns import ReturnError, ReturnExists, export_return

    quarter = _quarter(args.quarter)
    store = _open_store(args)
    village = _current_village(store)
    try:
        result = export_return(store, village.id, quarter, Path(args.out), replace_existing=args.replace,
                               as_zip=args.zip, source="cli")
    except ReturnExists as error:
        raise CliError(f"{error}命令行中加 --replace 即可替换。") from error
    except ReturnError as error:
        raise CliError(str(error)) from error
    if args.json:
        print(_json({"package": str(result.path), "files": sorted(result.sha256), "sha256": result.sha256,
                          "replaced": str(result.replaced) if result.replaced else None, "warnings": result.warnings}))
    else:
        for warning in result.warnings:
            print(f"提示：{warning}", file=sys.stderr)
        print(result.message)
    return EXIT_OK


EXIT_PACKAGES_REFUSED = 3  # consolidate: some packages were refused (the others were taken)


@_printing_json_on_error
def cmd_consolidate(args) -> int:
    """consolidate: exit 0 when every package was accepted, 3 when some were refused, 2 when none could
    be read at all. A village already received this quarter is replaced only with --replace."""
    from partybuild_desktop.services.consolidation import ConsolidationError, consolidate
    from partybuild_desktop.services.returns import UNREADABLE_PACKAGE

    quarter = _quarter(args.quarter)
    store = _open_store(args)
    _backup_before(store, "consolidation")
    from partybuild_desktop.services.audit import AuditedStore
    from partybuild_desktop.services.changes import Change

    audited = AuditedStore(store, f"汇总{quarter.title}报表包（命令行）", Change.RETURNS | Change.SETTINGS, source="cli")
    try:
        result = consolidate(audited, quarter, args.packages, replace=True if args.replace else None,
                             out_dir=Path(args.out))
    except ConsolidationError as error:
        raise CliError(str(error)) from error
    if args.json:
        print(_json(result.to_json()))
    else:
        for outcome in result.packages:
            state = "已导入" if outcome.status == "accepted" else "未导入"
            print(f"{state}：{outcome.package}　{outcome.message}")
        if result.missing:
            print(f"{quarter.title}尚未报送：{'、'.join(result.missing)}")
        for path in result.files:
            print(f"已写出汇总表：{path}")
        for warning in result.warnings:
            print(f"提示：{warning}", file=sys.stderr)
    if not result.accepted and all(p.code == UNREADABLE_PACKAGE for p in result.refused):
        return EXIT_UNUSABLE
    return EXIT_PACKAGES_REFUSED if result.refused else EXIT_OK


@_printing_json_on_error
def cmd_import(args) -> int:
    """``import-members`` and ``import-households``: exit 0 when every row was imported, 3 when some were
    refused, 2 when the file cannot be used."""
    return _import_rows(args, IMPORTS[args.command])


cmd_import_members = cmd_import_households = cmd_import


def _import_rows(args, kind: ImportCommand) -> int:
    import importlib

    from partybuild_desktop.importers.roster import RosterUnreadable

    service = importlib.import_module(kind.service)
    report = Path(args.report) if args.report else None
    if report is not None and report.suffix.lower() != ".xlsx":
        raise CliError(f"问题清单只能保存为 .xlsx 文件，而给出的文件名是“{report.name}”。")
    if report is not None and not report.parent.is_dir():
        raise CliError(f"文件夹“{report.parent}”不存在，请先建好文件夹或换一个位置保存问题清单。")
    store = _open_store(args)
    village = _current_village(store)
    if not args.dry_run:
        _backup_before(store, "import")
    info = sys.stderr if args.json else sys.stdout  # with --json, stdout holds only the JSON
    wrote_report = False
    try:
        with store.session() as session:
            options = {"update": args.update} if kind.update_help else {}
            if kind.year:
                options["year"] = args.year
            preview = service.preview_import(session, village.id, Path(args.file), **options)
            if report is not None and preview.refused:
                from partybuild_desktop.importers.error_workbook import write_error_workbook

                write_error_workbook(preview, report)  # before writing the rows: a failure leaves both undone
                wrote_report = True
            outcome = None if args.dry_run else service.apply_import(session, village.id, preview)
            if outcome is not None:
                from partybuild_desktop.services import audit
                from partybuild_desktop.services.changes import Change

                audit.record(session, f"导入{kind.file_word}（命令行）", Change.from_names(kind.changes.split(",")),
                             source="cli")
    except RosterUnreadable as error:
        raise CliError(error.message, details={"code": error.code} if error.code else None) from error
    except OSError as error:
        raise CliError(f"问题清单写入“{report}”失败：{error}。没有导入任何数据。请关闭该文件或换一个位置后重试。") from error

    result = preview.result_object(outcome)
    if args.json:
        print(_json(result))
    else:
        imported, updated, unit = result["imported"], result.get("updated", 0), kind.unit
        updating = f"，{'可' if args.dry_run else ''}更新 {updated} {unit}" if kind.update_help or updated else ""
        if args.dry_run:
            print(f"试导入（没有写入任何数据）：可新增 {imported} {unit}{updating}，"
                  f"有 {len(preview.refused)} 行不能导入。")
        else:
            print(f"已导入：新增 {imported} {unit}{updating}；有 {len(preview.refused)} 行没有导入。")
        for problem in result["refused"]:
            print(f"未导入：{problem['message']}")
        for problem in result["warnings"]:
            print(f"提示：{problem['message']}")
    if wrote_report:
        print(f"未导入的行及原因已写入：{report}（改正后可直接导入该文件）", file=info)
    elif report is not None:
        print("没有未导入的行，未生成问题清单。", file=info)
    return preview.exit_code


def cmd_points(args) -> int:
    import datetime as dt

    from partybuild_desktop.domain.points import QUANTITY_WORDS, format_points
    from partybuild_desktop.services import points

    year = args.year or dt.date.today().year
    store = _open_store(args)
    village = _current_village(store)
    with store.session() as session:
        found = points.find_members(session, village.id, args.member)
        if not found:
            raise CliError(f"{village.name}没有姓名或编号为“{args.member}”的党员。")
        if len(found) > 1:
            listed = "\n".join(f"  编号 {m.id}　{m.name}　{m.masked_id_number or '（无身份证号）'}　{m.unit_name}"
                               f"{'　（已归档）' if m.archived else ''}" for m in found)
            raise CliError(f"有 {len(found)} 名党员与“{args.member}”相符，请改用编号，例如 --member {found[0].id}：\n{listed}")
        member = found[0]
        trace = points.explain(session, village.id, year, member.id, quarter=args.quarter)
        standing = None
        if trace.on_board:
            result = points.board(session, village.id, year, quarter=args.quarter)
            standing = next((m for m in result.members if m.member_id == member.id), None)
    p = trace.period
    print(f"{village.name}{p.label}党员积分明细：{trace.name}" + (f"（{trace.unit_name}）" if trace.unit_name else ""))
    state = "该年度已结账" if trace.closed else f"积分截至{p.end:%Y年%m月%d日}"
    print(f"依据《{trace.rules_name}》，{state}。")
    print(f"基础分　{format_points(trace.base_score)} 分")
    for line in trace.lines:
        print(f"【{line.category}】{line.item_name}：{line.rule}")
        amount = f"计 {format_points(line.quantity)} {QUANTITY_WORDS[line.unit]}，得 {format_points(line.before_cap, signed=True)} 分"
        if line.capped:
            amount += f"，按封顶计 {format_points(line.points, signed=True)} 分"
        print(f"    {amount}")
        for evidence in line.evidence:
            if evidence.date is None:
                day = " " * 10
            elif evidence.kind == "月份":
                day = f"{evidence.date:%Y-%m}   "
            else:
                day = f"{evidence.date:%Y-%m-%d}"
            extra = ""
            if evidence.amount is not None and evidence.kind == "纪实":
                extra = f"（{format_points(evidence.amount)} 学时）"
            elif evidence.amount is not None and evidence.kind == "加减分":
                extra = f"（{format_points(evidence.amount)}）"
            print(f"    {day}　{evidence.text}{extra}")
    if not trace.lines:
        print("    本期没有加分或扣分的记录。")
    summary = f"合计　{format_points(trace.score)} 分"
    if standing is not None:
        summary += f"，排名第 {standing.rank} 名（共 {len(result.members)} 名，并列者名次相同）"
    elif not trace.on_board:
        summary += "（该党员不在本期先锋榜上：已归档或不在结账时的名单中）"
    print(summary + "。")
    if trace.below_warning:
        print(f"注意：低于预警线 {format_points(trace.warning_line)} 分。")
    return EXIT_OK


def cmd_rules(args) -> int:
    import datetime as dt

    from partybuild_desktop.domain.points import RuleFileError
    from partybuild_desktop.services import point_rules

    store = _open_store(args)
    village = _current_village(store)
    path = Path(args.file)
    if args.rules_command == "import":
        _backup_before(store, "rules_import")
    try:
        with store.session() as session:
            if args.rules_command == "export":
                year = args.year or dt.date.today().year
                point_rules.export_rules(session, village.id, year, path)
                print(f"已导出{village.name}{year}年度积分办法：{path}")
            else:
                record = point_rules.import_rules(session, village.id, path, year=args.year)
                from partybuild_desktop.services import audit
                from partybuild_desktop.services.changes import Change

                audit.record(session, "导入积分办法（命令行）", Change.POINTS, source="cli")
                rules = record.rules
                print(f"已导入《{rules.name}》到{village.name}{record.year}年度：{len(rules.categories)} 个类别，"
                      f"{len(rules.items)} 个积分项目。")
    except RuleFileError as error:
        raise CliError(f"“{path.name}”不能导入，没有改动任何数据。{error}") from error
    except point_rules.RuleSetError as error:
        raise CliError(str(error)) from error
    return EXIT_OK


def _add_member_commands(commands) -> None:
    member = commands.add_parser("member", help="党员：删除录错的党员")
    member_commands = member.add_subparsers(dest="member_command", required=True)
    delete = member_commands.add_parser("delete", help="删除录错的党员及其状态记录（已有纪实、联系农户、走访等记录的不能删除）")
    delete.add_argument("who", metavar="姓名或身份证号", help="党员的姓名，或 18 位公民身份证号（同名时用身份证号）")


def cmd_member(args) -> int:
    """member delete: exit 0 when the member was deleted, 2 when not found, ambiguous or still referred to."""
    from partybuild_desktop.domain.id_number import mask
    from partybuild_desktop.services import audit, members
    from partybuild_desktop.services.changes import Change

    store = _open_store(args)
    village = _current_village(store)
    with store.session() as session:
        found = members.find_by_name_or_id_number(session, village.id, args.who)
        if not found:
            raise CliError(f"{village.name}没有姓名或身份证号为“{args.who}”的党员，没有删除任何人。")
        if len(found) > 1:
            listed = "\n".join(f"  {m.name}　{mask(m.id_number) or '（无身份证号）'}{'　（已归档）' if m.archived else ''}"
                               for m in found)
            raise CliError(f"有 {len(found)} 名党员叫“{args.who}”，没有删除任何人。请改用身份证号指明是哪一位：\n{listed}")
        member = found[0]
        try:
            members.delete_member(session, member.id)
        except members.MemberError as error:
            raise CliError(f"{error}没有删除任何人。") from error
        audit.record(session, f"删除党员“{member.name}”（命令行）", Change.MEMBERS, source="cli")
    number = f"（身份证号 {mask(member.id_number)}）" if member.id_number else ""
    print(f"已删除党员“{member.name}”{number}及其状态记录。")
    return EXIT_OK


COMMANDS = {"init": cmd_init, "alerts": cmd_alerts, "demo": cmd_demo, "export": cmd_export, "import-members": cmd_import, "import-households": cmd_import,
            "import-dues": cmd_import, "import-recruits": cmd_import, "points": cmd_points,
            "rules": cmd_rules, "export-return": cmd_export_return, "consolidate": cmd_consolidate,
            "member": cmd_member}


# Commands that only read; every other one takes the data file's lock first, as the window does.
READ_ONLY_COMMANDS = {"export", "points", "alerts"}


def _command_modules():
    """The modules that add commands of their own (``add_commands``, ``COMMANDS``, ``READ_ONLY_COMMANDS``)."""
    from partybuild_desktop import (cli_audit, cli_backups, cli_meetings, cli_migrants, cli_money, cli_recruitment,
                                    cli_transfers)

    return cli_meetings, cli_money, cli_recruitment, cli_backups, cli_audit, cli_migrants, cli_transfers


def _register_commands() -> None:
    for module in _command_modules():
        COMMANDS.update(module.COMMANDS)
        READ_ONLY_COMMANDS.update(module.READ_ONLY_COMMANDS)


def _data_file_lock(args):
    from partybuild_desktop.store.lock import DataFileInUse, DataFileLock

    try:
        return DataFileLock.acquire(paths.data_file(paths.data_dir(args.data_dir)))
    except DataFileInUse as error:
        raise CliError(str(error)) from error


def _utf8_output() -> None:
    """Write stdout and stderr as UTF-8 whatever the locale (a Windows console or pipe in GBK, a
    Latin-1 terminal): scripts read the JSON and the messages as UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if stream is not None and encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")


# A reader that stopped early (``audit --json | head``): the command ends as a program killed by SIGPIPE
# does (128 + 13), quietly. Not 0: the output did not all arrive, and a script that checks (``set -o
# pipefail``) should know; a shell that only looks at the last command of a pipe is not bothered.
EXIT_BROKEN_PIPE = 141


def _is_broken_pipe(error: BaseException) -> bool:
    import errno

    return isinstance(error, BrokenPipeError) or (isinstance(error, OSError) and error.errno == errno.EPIPE)


def _reader_gone() -> int:
    """Nothing more goes to the closed pipe: stdout points at the null device, so that the interpreter's
    last flush at exit finds no pipe to complain about on stderr."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, AttributeError, ValueError):
        pass
    return EXIT_BROKEN_PIPE


def main(argv: list[str] | None = None) -> int:
    try:
        try:
            code = _main(argv)
        finally:
            if sys.stdout is not None:
                sys.stdout.flush()  # what is still buffered, while a closed pipe can be told here
        return code
    except OSError as error:
        if _is_broken_pipe(error):
            return _reader_gone()
        raise


def _main(argv: list[str] | None) -> int:
    _utf8_output()
    _register_commands()
    args = build_parser().parse_args(argv)
    if args.command is None:
        from partybuild_desktop.app import run

        return run(args)
    _log_to_data_folder(args)
    from partybuild_desktop.services import audit  # noqa: F401 (installs the audit log's session events)

    try:
        if args.command in READ_ONLY_COMMANDS:
            return COMMANDS[args.command](args)
        with _data_file_lock(args):
            return COMMANDS[args.command](args)
    except CliError as error:
        print(_failure(error), file=sys.stderr)
        return error.code
    except Exception as error:  # an unexpected failure gets a Chinese line; the log has the rest, without SQL
        if _is_broken_pipe(error):
            raise  # the reader is gone (``| head``): not a file problem, nothing to tell (``main``)
        log.exception("command %s failed", args.command)
        print(_failure(error), file=sys.stderr)
        return EXIT_UNUSABLE


def _log_to_data_folder(args) -> None:
    """The log file first, so that whatever a command logs goes there (written without SQL or ID numbers),
    never to stderr through Python's fallback handler."""
    try:
        paths.setup_logging(paths.data_dir(args.data_dir))
    except OSError:
        pass  # an unusable data folder: the command says so itself
