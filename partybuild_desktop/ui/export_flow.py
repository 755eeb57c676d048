"""导出 one of the catalogue's tables: ask where (the save dialog starting on the Desktop with the
catalogue's file name), write the file off the GUI thread, then say where it went (with the export's
warnings). The window's 导出 menu and the tabs' own 导出 buttons all go through ``export_report``."""

from __future__ import annotations

from partybuild_desktop.ui.dialogs import default_export_folder

FILTERS = {"xlsx": "Excel 工作簿 (*.xlsx)", "pdf": "PDF 文件 (*.pdf)"}


def export_report(parent, context, dialogs, definition, options) -> None:
    """Export ``definition`` with ``options`` for the current village to a file the clerk names."""
    from partybuild_desktop.services import exports

    village = context.village()
    suggested = default_export_folder() / definition.suggested_name(village, options)
    target = dialogs.save_file(f"导出{definition.title}", suggested,
                               ";;".join(FILTERS[f] for f in definition.formats if f in FILTERS))
    if target is None:
        return
    if target.suffix.lower().lstrip(".") not in definition.formats:
        target = target.with_suffix(f".{definition.formats[0]}")
    store, village_id = context.store, village.id

    def done(result) -> None:
        dialogs.exported("导出完成", result.path, "".join(f"\n提示：{w}" for w in result.warnings))

    context.operations.query_in_background(
        f"导出{definition.title}",
        lambda progress: exports.export(store, village_id, definition.name, target, options),
        dialogs=dialogs, parent=parent, on_success=done, cancellable=False)
