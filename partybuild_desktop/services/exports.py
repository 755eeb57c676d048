"""Every export the window offers, by name; the CLI's ``export NAME --out FILE`` uses the same list.

The file's extension picks the writer (.xlsx or .pdf); both take the same ``Report``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import Session

from partybuild_desktop.services.village import VillageInfo, current_village, village_info
from partybuild_desktop.store.database import Store


class ExportError(Exception):
    """An export that cannot be made; the message says why and what to do, in Chinese."""


@dataclass(frozen=True)
class ExportOptions:
    year: int | None = None
    grid: str | None = None
    today: dt.date | None = None

    @property
    def day(self) -> dt.date:
        return self.today or dt.date.today()


@dataclass(frozen=True)
class ExportDefinition:
    name: str
    title: str
    formats: tuple[str, ...]
    build: Callable[[Session, VillageInfo, ExportOptions], object]  # returns a reports.spec.Report


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sha256: str
    warnings: list[str] = field(default_factory=list)


def _overview(session: Session, village: VillageInfo, options: ExportOptions):
    from partybuild_desktop.reports.tables.overview import overview_report
    from partybuild_desktop.services.overview import overview

    return overview_report(village.name, village.branch_name, overview(session, village.id, options.day), options.day)


_CATALOGUE = (
    ExportDefinition("overview", "村党组织基本情况统计表", ("xlsx", "pdf"), _overview),
)


def catalogue() -> list[ExportDefinition]:
    return list(_CATALOGUE)


def find(name: str) -> ExportDefinition:
    for definition in _CATALOGUE:
        if definition.name == name:
            return definition
    names = "、".join(d.name for d in _CATALOGUE)
    raise ExportError(f"没有名为“{name}”的报表。可导出的报表有：{names}。")


def export(store: Store, village_id: int | None, name: str, path: Path, options: ExportOptions | None = None) -> ExportResult:
    """Build the named report for the village and write it to ``path`` (atomically, read back)."""
    definition = find(name)
    options = options or ExportOptions()
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in definition.formats:
        allowed = " 或 ".join(f".{f}" for f in definition.formats)
        raise ExportError(f"“{definition.title}”只能导出为 {allowed} 文件，而给出的文件名是“{path.name}”。请改用 {allowed} 扩展名。")
    if not path.parent.is_dir():
        raise ExportError(f"文件夹“{path.parent}”不存在，请先建好文件夹或换一个位置。")
    with store.session() as session:
        village = current_village(session) if village_id is None else village_info(session, village_id)
        if village is None:
            raise ExportError("数据文件中还没有村，无法导出。")
        report = definition.build(session, village, options)
    warnings: list[str] = []
    try:
        if suffix == "xlsx":
            from partybuild_desktop.reports.xlsx_writer import write_xlsx

            digest = write_xlsx(report, path)
        else:
            from partybuild_desktop.fileio import sha256_of
            from partybuild_desktop.reports.pdf_writer import write_pdf

            warnings = write_pdf(report, path)
            digest = sha256_of(path)
    except PermissionError as error:
        raise ExportError(f"无法写入“{path}”：文件可能正在 Excel 或 WPS 中打开，请关闭后重试。（{error}）") from error
    except OSError as error:
        raise ExportError(f"写入“{path}”失败：{error}。请检查 U 盘是否插好、空间是否足够，然后重新导出。") from error
    return ExportResult(path, digest, warnings)
