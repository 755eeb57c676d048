"""The audit log on the command line: ``audit [--since D] [--until D] [--operator 姓名] [--kind 方面]
[--text 文字] [--limit N] [--json]``, newest first. Only reads.

Registered by ``cli``, which installs the audit log's session events (``services.audit``) before any
command runs; this module stays light to import, since the window builds the same parser.
"""

from __future__ import annotations

from partybuild_desktop.cli import EXIT_OK, CliError, _iso_date, _json, _open_store, _printing_json_on_error
from partybuild_desktop.services.changes import AREA_LABELS

KIND_HELP = "、".join(AREA_LABELS.values())
_AREAS = {**{label: name for name, label in AREA_LABELS.items()}, **{name: name for name in AREA_LABELS}}


def add_commands(commands) -> None:
    log = commands.add_parser("audit", help="操作记录：谁在什么时候改了哪些记录、哪些字段（原值 → 新值）")
    log.add_argument("--since", type=_iso_date, metavar="日期", help="从这一天起（含），写成 2026-11-01 这样")
    log.add_argument("--until", type=_iso_date, metavar="日期", help="到这一天止（含）")
    log.add_argument("--operator", metavar="姓名", help="只看这位操作员的操作")
    log.add_argument("--kind", metavar="方面", help=f"只看改动了这一方面的操作：{KIND_HELP}（也可写 JSON 中的代码）")
    log.add_argument("--text", metavar="文字", help="操作名称或记录名称中含有这段文字")
    log.add_argument("--limit", type=int, metavar="条数", help="最多列出多少次操作（最新的在前）")
    log.add_argument("--json", action="store_true", help="在标准输出上只打印一个 JSON 对象")


@_printing_json_on_error
def cmd_audit(args) -> int:
    """audit: exit 0; 2 when an option cannot be used."""
    from partybuild_desktop.services import audit

    area = _AREAS.get((args.kind or "").strip()) if args.kind else None
    if args.kind and area is None:
        raise CliError(f"不认识的方面“{args.kind}”，应为：{KIND_HELP}（或 JSON 中“changes”的代码）。")
    if args.since and args.until and args.until < args.since:
        raise CliError("--until 的日期早于 --since，请把两个日期对调。")
    if args.limit is not None and args.limit < 1:
        raise CliError("--limit 应为 1 或更大的整数。")
    store = _open_store(args)
    with store.session() as session:
        lines = audit.entries(session, since=args.since, until=args.until, operator_name=args.operator,
                              area=area, text=args.text, limit=args.limit)
        if args.json:
            print(_json(audit.to_json(session, lines)))
            return EXIT_OK
        if not lines:
            print("没有符合条件的操作记录。")
            return EXIT_OK
        all_fields = audit.details_of(session, [line.id for line in lines])
        for line in lines:
            areas = "、".join(audit.area_label(name) for name in line.changes.names) or "—"
            source = "命令行" if line.source == "cli" else "窗口"
            print(f"{line.at:%Y-%m-%d %H:%M:%S}  {line.operator}  {line.action}（{areas}；{source}）")
            for field in all_fields[line.id]:
                if field.kind == audit.BULK:
                    print(f"    {field.record}" + (f"（{field.new}）" if field.new else ""))
                elif field.field is None:
                    print(f"    {audit.KIND_LABELS[field.kind]}：{field.record}")
                else:
                    print(f"        {field.field}：{field.old or '（空）'} → {field.new or '（空）'}")
    return EXIT_OK


COMMANDS = {"audit": cmd_audit}
READ_ONLY_COMMANDS = {"audit"}
