"""The commands that keep the data safe: ``check`` (the full check), ``backup`` (into ``backups/`` or to a
file), ``backups`` (the automatic backups and their checks) and ``restore`` (a checked backup, shown
beside the current data first).

Exit codes: 0 done; 1 ``check`` found problems, or ``restore`` was not confirmed (nothing changed);
2 the file cannot be used (a damaged, empty or foreign backup, a refused destination; nothing changed).
"""

from __future__ import annotations

import sys
from pathlib import Path

from partybuild_desktop import paths
from partybuild_desktop.cli import (EXIT_OK, EXIT_PROBLEMS, JSON_HELP, CliError, _json, _open_store,
                                    _printing_json_on_error)


def add_commands(commands) -> None:
    check = commands.add_parser("check", help="检查数据文件：完整性（逐页）、文件是否完整、数据版本；有问题时给出最近一份完好的备份")
    check.add_argument("--json", action="store_true", help=JSON_HELP)

    backup = commands.add_parser("backup", help="备份数据文件（不加 --out 时备份到数据文件夹的 backups 中）")
    backup.add_argument("--out", metavar="备份文件", help="备份文件的路径，例如 U 盘上的“东湖村备份”文件")
    backup.add_argument("--json", action="store_true", help=JSON_HELP)

    listing = commands.add_parser("backups", help="列出 backups 文件夹中的自动备份（时间、原因、党员数、是否完好）")
    listing.add_argument("--json", action="store_true", help=JSON_HELP)

    restore = commands.add_parser("restore", help="从备份恢复：先检查备份并与当前数据对比，确认后替换（当前数据先另存一份）")
    restore.add_argument("file", metavar="备份文件", help="备份文件（backups 文件夹中的，或 U 盘上的）")
    restore.add_argument("--yes", action="store_true", help="不再询问，直接恢复")
    restore.add_argument("--json", action="store_true", help=JSON_HELP)


def _when(moment) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "不详"


@_printing_json_on_error
def cmd_check(args) -> int:
    from partybuild_desktop.services.backups import offer
    from partybuild_desktop.services.maintenance import check_data_file

    folder = paths.data_dir(args.data_dir)
    paths.setup_logging(folder)  # what SQLite said goes to the log file, never to the clerk's screen
    result = check_data_file(paths.data_file(folder))
    advice, found = (None, None) if result.sound else offer(paths.backup_dir(folder))
    if args.json:
        print(_json({"file": str(result.path), "ok": result.sound, "revision": result.revision, "head": result.head,
                     "problems": result.problems, "backup": found.to_json() if found else None}))
        return EXIT_OK if result.sound else EXIT_PROBLEMS
    if result.sound:
        state = "最新" if result.revision == result.head else f"旧版本，打开时将自动升级到 {result.head}"
        print(f"数据文件完好：{result.path}\n数据版本：{result.revision or '空'}（{state}）")
        return EXIT_OK
    for problem in result.problems:
        print(problem, file=sys.stderr)
    print(advice, file=sys.stderr)
    return EXIT_PROBLEMS


@_printing_json_on_error
def cmd_backup(args) -> int:
    from partybuild_desktop.services import backups
    from partybuild_desktop.services.maintenance import make_backup
    from partybuild_desktop.store.backup import BackupFailed

    store = _open_store(args)
    try:
        if args.out:
            written = make_backup(store, Path(args.out))
        else:
            written = backups.make(store, "manual")
            if written is None:
                raise CliError("数据文件中还没有村的台账，不需要备份。")
    except BackupFailed as error:
        raise CliError(str(error), details={"code": "backup_refused"}) from error
    except OSError as error:
        raise CliError(f"备份写入失败：{backups._os_reason(error)}请检查目标位置是否可写、U 盘是否插好。",
                       details={"code": "backup_failed"}) from error
    finally:
        store.dispose()
    if args.json:
        print(_json({"backup": str(written), "ok": True}))
    else:
        print(f"已备份到：{written}（写好后已检查，完好）")
    return EXIT_OK


@_printing_json_on_error
def cmd_backups(args) -> int:
    from partybuild_desktop.services.backups import listing

    data_folder = paths.data_dir(args.data_dir)
    paths.setup_logging(data_folder)
    folder = paths.backup_dir(data_folder)
    found = listing(folder)
    if args.json:
        print(_json({"folder": str(folder), "backups": [entry.to_json() for entry in found]}))
        return EXIT_OK
    if not found:
        print(f"备份文件夹“{folder}”中还没有自动备份。")
        return EXIT_OK
    print(f"备份文件夹：{folder}，共 {len(found)} 份（最新的在前）：")
    for entry in found:
        state = "完好" if entry.contents.ok else f"不能使用：{entry.contents.problems[0]}"
        members = f"党员 {entry.contents.members} 名" if entry.contents.members is not None else ""
        print(f"{entry.file.time:%Y-%m-%d %H:%M:%S}　{entry.file.reason_text}　{members}　{state}　{entry.file.path.name}")
    return EXIT_OK


def _comparison_lines(comparison) -> list[str]:
    backup, current = comparison.backup, comparison.current

    def count(value, unit):
        return f"{value} {unit}" if value is not None else "—"

    rows = [("", "备份", "当前数据"),
            ("村", backup.village or "—", current.village or "—"),
            ("在册党员", count(backup.members, "名"), count(current.members, "名")),
            ("纪实记录", count(backup.records, "条"), count(current.records, "条")),
            ("最后改动", _when(backup.last_change), _when(current.last_change)),
            ("检查", "完好", "完好" if current.ok else "有问题：" + current.problems[0])]
    width = max(_width(row[1]) for row in rows) + 4
    lines = [f"{_pad(label, 10)}{_pad(left, width)}{right}" for label, left, right in rows]
    lines.append(f"备份文件：{backup.path}")
    lines.append(f"当前数据文件：{current.path}")
    return lines


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 1)


@_printing_json_on_error
def cmd_restore(args) -> int:
    from partybuild_desktop.services.backups import RestoreRefused, compare, restore
    from partybuild_desktop.store.schema import DataFileError, open_store

    folder = paths.data_dir(args.data_dir)
    paths.setup_logging(folder)
    data_file, source = paths.data_file(folder), Path(args.file)
    try:
        comparison = compare(data_file, source)
    except RestoreRefused as error:
        raise CliError(str(error), details={"code": error.code}) from error
    if not args.json:
        print("\n".join(_comparison_lines(comparison)))
    if not args.yes:
        if args.json:
            print(_json({"restored": False, **comparison.to_json(), "safety_copy": None}))
            return EXIT_PROBLEMS
        if not (sys.stdin.isatty() and _confirmed()):
            print("没有恢复，数据没有改动。核对无误后，加 --yes 再运行一次即可恢复（当前数据会先另存到 backups 中）。")
            return EXIT_PROBLEMS
    try:
        restored = restore(data_file, source)
        reopened = open_store(data_file, paths.backup_dir(folder))  # an older backup is upgraded now
        with reopened.engine.connect():
            pass  # the last connection to close folds the -wal back in and removes it
        reopened.dispose()
    except RestoreRefused as error:
        raise CliError(str(error), details={"code": error.code}) from error
    except DataFileError as error:
        raise CliError(str(error), details={"code": "restore_failed"}) from error
    safety = str(restored.safety) if restored.safety is not None else None
    if args.json:
        print(_json({"restored": True, **comparison.to_json(), "safety_copy": safety}))
    elif safety is None:
        print("已从备份恢复。恢复前文件夹中没有数据文件，所以没有另存恢复前的数据。")
    else:
        print(f"已从备份恢复。恢复前的数据另存在：{safety}")
    return EXIT_OK


def _confirmed() -> bool:
    try:
        answer = input("确定用这份备份替换当前的全部数据吗？输入 y 确认，直接回车取消：")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes", "是", "确定")


COMMANDS = {"check": cmd_check, "backup": cmd_backup, "backups": cmd_backups, "restore": cmd_restore}
READ_ONLY_COMMANDS = {"check", "backup", "backups"}
