"""What every roster import shares once the rows are read: a status per row, the preview that holds them,
the problem lists and the one result object the command line prints, and the exit-code rule.

Members (``services.member_import``) and households (``services.household_import``) build on these, so
the preview dialog, the error workbook (``importers.error_workbook``) and ``import-…`` commands treat
both the same way. Plain data only: no SQL, no Qt.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from .roster import DUPLICATE_COLUMN, HEADER_NOT_FOUND, MISSING_COLUMN, Problem, RosterReading, RosterUnreadable, RowResult

# What a preview decides for a row.
IMPORT = "import"
UPDATE = "update"
WARN = "warn"
REFUSED = "refused"

# Exit codes of an import command: every row written, or some rows refused (the others still written,
# unless it was a dry run). A file that cannot be used at all is the command line's general code 2.
EXIT_OK = 0
EXIT_ROWS_REFUSED = 3


@dataclass
class PreviewRow:
    """One data row and what the import will do with it; each import adds what it needs to write it."""

    result: RowResult  # the reader's row: number, original cells, values, refusals and warnings
    status: str = IMPORT  # IMPORT, UPDATE, WARN or REFUSED
    action: str | None = None  # IMPORT or UPDATE for a row that will be written, else None

    @property
    def row_number(self) -> int:
        return self.result.row_number

    @property
    def refusals(self) -> list[Problem]:
        return self.result.refusals

    @property
    def warnings(self) -> list[Problem]:
        return self.result.warnings

    def decide(self, updating: bool) -> None:
        """Status and action from the row's problems; ``updating``: it overwrites a registered record."""
        if self.result.refusals:
            self.status, self.action = REFUSED, None
        else:
            self.action = UPDATE if updating else IMPORT
            self.status = WARN if self.result.warnings else self.action


@dataclass
class ImportPreview:
    path: Path
    village_id: int
    update: bool
    today: dt.date
    reading: RosterReading
    rows: list = field(default_factory=list)  # PreviewRow or a subclass, in file order
    # Problems of the file rather than a row (a duplicated column, a sheet without its name column), with
    # the header row they concern.
    file_problems: list[tuple[int, Problem]] = field(default_factory=list)

    @property
    def to_import(self) -> list:
        return [r for r in self.rows if r.action == IMPORT]

    @property
    def to_update(self) -> list:
        return [r for r in self.rows if r.action == UPDATE]

    @property
    def refused(self) -> list:
        return [r for r in self.rows if r.status == REFUSED]

    def problem_lists(self) -> tuple[list[dict], list[dict]]:
        """Refusals and warnings, one entry per problem: ``{"row", "code", "message"}``."""
        refused, warnings = [], []
        for row in self.rows:
            refused += [dict(row=row.row_number, code=p.code, message=p.message) for p in row.refusals]
            warnings += [dict(row=row.row_number, code=p.code, message=p.message) for p in row.warnings]
        warnings += [dict(row=number, code=p.code, message=p.message) for number, p in self.file_problems]
        return refused, warnings

    def result_object(self, outcome=None) -> dict:
        """``{"imported", "updated", "refused", "warnings"}``: what was written (``outcome``), or for a dry
        run what would be."""
        refused, warnings = self.problem_lists()
        imported = len(self.to_import) if outcome is None else outcome.imported
        updated = len(self.to_update) if outcome is None else outcome.updated
        return {"imported": imported, "updated": updated, "refused": refused, "warnings": warnings}

    @property
    def exit_code(self) -> int:
        return EXIT_ROWS_REFUSED if self.refused else EXIT_OK


@dataclass(frozen=True)
class ImportOutcome:
    imported: int
    updated: int


def require_roster(reading: RosterReading, path: str | Path, what: str) -> None:
    """Raise ``RosterUnreadable`` when no sheet of the file had a usable header (``what``: 党员名册…)."""
    if not reading.sheets:
        message = next((p.message for p in reading.problems if p.code in (HEADER_NOT_FOUND, MISSING_COLUMN)),
                       f"在「{Path(path).name}」中没有找到{what}。")
        raise RosterUnreadable(message)


def file_problems(reading: RosterReading) -> list[tuple[int, Problem]]:
    """The reader's file-level problems worth a warning, each with the header row it names."""
    header_rows = [sheet.header_row for sheet in reading.sheets]
    found_problems = []
    for problem in reading.problems:
        if problem.code in (DUPLICATE_COLUMN, MISSING_COLUMN):
            # The reader's file-level messages name the header row ("第 N 行是表头").
            found = re.search(r"第 (\d+) 行", problem.message)
            found_problems.append((int(found.group(1)) if found else header_rows[0], problem))
    return found_problems
