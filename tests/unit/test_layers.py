"""The layers stay honest: no Qt below ui/, no SQL in ui/, no heavy writers at start-up."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "partybuild_desktop"


def imported_modules(folder: Path):
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield path, node.module


@pytest.mark.parametrize("layer", ["domain", "store", "services", "importers", "reports"])
def test_lower_layers_do_not_import_qt(layer):
    offenders = [f"{p.relative_to(PACKAGE)}: {m}" for p, m in imported_modules(PACKAGE / layer) if m.startswith("PySide6")]
    assert offenders == []


def test_domain_does_not_import_sqlalchemy():
    offenders = [f"{p.relative_to(PACKAGE)}: {m}" for p, m in imported_modules(PACKAGE / "domain") if m.startswith("sqlalchemy")]
    assert offenders == []


def test_ui_does_not_import_sqlalchemy():
    offenders = [f"{p.relative_to(PACKAGE)}: {m}" for p, m in imported_modules(PACKAGE / "ui") if m.startswith("sqlalchemy")]
    assert offenders == []


def test_layer_scan_sees_a_violation(tmp_path):
    """The scan itself works: a file importing Qt is reported."""
    (tmp_path / "bad.py").write_text("from PySide6 import QtCore\n", encoding="utf-8")
    assert [m for _, m in imported_modules(tmp_path)] == ["PySide6"]


def test_starting_the_window_does_not_import_openpyxl_or_reportlab():
    code = (
        "import sys, partybuild_desktop.app, partybuild_desktop.cli;"
        "print(sorted(m for m in ('openpyxl', 'reportlab', 'python_calamine', 'pypinyin') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_database_specific_sql_stays_in_store():
    """SQLite's own SQL (raw statements, PRAGMA, INDEXED BY, the DB-API cursor) lives in store/, beside a
    portable form; the other layers speak SQLAlchemy."""
    marks = ("exec_driver_sql", "INDEXED BY", "PRAGMA", "driver_connection", "import sqlite3")
    offenders = [f"{path.relative_to(PACKAGE)}: {mark}" for path in sorted(PACKAGE.rglob("*.py"))
                 if "store" not in path.relative_to(PACKAGE).parts[:1]
                 for mark in marks if mark in path.read_text(encoding="utf-8")]
    assert offenders == []
