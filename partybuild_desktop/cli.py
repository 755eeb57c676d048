"""The headless commands: ``partybuild-desktop [--data-dir DIR] COMMAND``.

Without a command the window starts. Errors go to stderr in Chinese with a non-zero exit code:
2 when the data or a file cannot be used at all, 1 when a check finds problems.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from partybuild_desktop import APP_NAME, __version__, paths

log = logging.getLogger(__name__)
EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2


class CliError(Exception):
    """A refusal to report on stderr, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_UNUSABLE):
        super().__init__(message)
        self.code = code


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own messages are English; say what to do in Chinese
        self.print_usage(sys.stderr)
        self.exit(EXIT_UNUSABLE, f"命令参数有误：{message}\n请运行 partybuild-desktop --help 查看用法。\n")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="partybuild-desktop", description=f"{APP_NAME}：村党组织党建工作的离线台账。")
    parser.add_argument("--data-dir", help="数据文件夹（默认为用户数据目录，也可用环境变量 PARTYBUILD_DATA_DIR 指定）")
    parser.add_argument("--exit-when-shown", action="store_true", help="窗口第一次显示后立即退出（用于测量启动时间）")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ChineseArgumentParser)

    demo = commands.add_parser("demo", help="生成示例村数据")
    demo.add_argument("--villages", type=int, default=1, help="示例村个数（默认 1）")
    demo.add_argument("--members", type=int, default=150, help="党员总数（约数，默认 150）")
    demo.add_argument("--village", help="第一个示例村的村名")
    demo.add_argument("--seed", type=int, default=1, help="随机种子（不同种子生成不同的村）")
    demo.add_argument("--entries-per-month", type=float, default=1.5, help="每名党员每月纪实条数（默认 1.5）")

    commands.add_parser("check", help="检查数据文件的完整性和数据版本")

    backup = commands.add_parser("backup", help="备份数据文件")
    backup.add_argument("--out", required=True, help="备份文件路径")

    export = commands.add_parser("export", help="导出报表（扩展名决定 xlsx 或 pdf）")
    export.add_argument("name", nargs="?", help="报表名称，见 export --list")
    export.add_argument("--list", action="store_true", help="列出可导出的报表")
    export.add_argument("--out", help="输出文件（.xlsx 或 .pdf）")
    export.add_argument("--year", type=int, help="年度")
    export.add_argument("--grid", help="网格名称")
    return parser


def _open_store(args):
    from partybuild_desktop.store.schema import DataFileError, open_store

    folder = paths.data_dir(args.data_dir)
    paths.setup_logging(folder)
    try:
        return open_store(paths.data_file(folder), paths.backup_dir(folder))
    except DataFileError as error:
        raise CliError(str(error)) from error


def _current_village(store):
    from partybuild_desktop.services.village import current_village

    with store.session() as session:
        village = current_village(session)
    if village is None:
        raise CliError("数据文件中还没有村。请先运行程序完成首次设置，或运行 demo 命令生成示例数据。")
    return village


def cmd_demo(args) -> int:
    from partybuild_desktop.services.demo import generate

    if args.villages < 1 or args.members < 1:
        raise CliError("村数和党员数都必须大于 0。")
    store = _open_store(args)
    try:
        with store.session() as session:
            summary = generate(session, villages=args.villages, members=args.members, first_village=args.village,
                               seed=args.seed, entries_per_month=args.entries_per_month)
    except ValueError as error:
        raise CliError(str(error)) from error
    print(f"已生成示例村 {len(summary.villages)} 个（{'、'.join(summary.villages)}）：党员 {summary.members} 名，"
          f"农户 {summary.households} 户，纪实 {summary.record_entries} 条。数据文件：{store.path}")
    return EXIT_OK


def cmd_check(args) -> int:
    from partybuild_desktop.services.maintenance import check_data_file

    folder = paths.data_dir(args.data_dir)
    result = check_data_file(paths.data_file(folder))
    if result.sound:
        state = "最新" if result.revision == result.head else f"旧版本，打开时将自动升级到 {result.head}"
        print(f"数据文件完好：{result.path}\n数据版本：{result.revision or '空'}（{state}）")
        return EXIT_OK
    for problem in result.problems:
        print(problem, file=sys.stderr)
    return EXIT_PROBLEMS


def cmd_backup(args) -> int:
    from partybuild_desktop.services.maintenance import make_backup

    store = _open_store(args)
    try:
        written = make_backup(store, Path(args.out))
    except OSError as error:
        raise CliError(f"备份写入失败：{error}。请检查目标位置是否可写、空间是否足够。") from error
    print(f"已备份到：{written}")
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
        result = exports.export(store, village.id, args.name, Path(args.out), exports.ExportOptions(year=args.year, grid=args.grid))
    except exports.ExportError as error:
        raise CliError(str(error)) from error
    for warning in result.warnings:
        print(f"提示：{warning}", file=sys.stderr)
    print(f"已导出：{result.path}")
    return EXIT_OK


COMMANDS = {"demo": cmd_demo, "check": cmd_check, "backup": cmd_backup, "export": cmd_export}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        from partybuild_desktop.app import run

        return run(args)
    try:
        return COMMANDS[args.command](args)
    except CliError as error:
        print(str(error), file=sys.stderr)
        return error.code
    except Exception as error:  # an unexpected failure still gets a Chinese line and the log has the rest
        log.exception("command %s failed", args.command)
        print(f"出错了：{error}。详细信息已写入日志文件。", file=sys.stderr)
        return EXIT_UNUSABLE
