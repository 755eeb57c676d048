"""The members table paints its cells itself: text in every cell, selected rows highlighted, and the colour
of an archived member."""

import datetime as dt

import pytest
from sqlalchemy import update
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QColor, QPalette

from partybuild_desktop.store.models import Member
from partybuild_desktop.ui.context import AppContext
from partybuild_desktop.ui.members_model import ARCHIVED_COLOUR
from partybuild_desktop.ui.members_tab import MembersTab
from tests.gui.conftest import ScriptedDialogs

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def tab(qtbot, sample_store, data_folder):
    widget = MembersTab(AppContext(sample_store, data_folder), ScriptedDialogs(), today=TODAY)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def colours_in(image, rect) -> set:
    return {image.pixelColor(x, y).rgb() for x in range(rect.left(), rect.right()) for y in range(rect.top(), rect.bottom())}


def test_cells_show_their_text_and_selected_rows_are_highlighted(qtbot, tab):
    table = tab.table
    selection = table.selectionModel()
    selection.clearSelection()
    selection.select(tab.model.index(1, 0), QItemSelectionModel.Select | QItemSelectionModel.Rows)
    tab.table.viewport().repaint()
    image = table.viewport().grab().toImage()
    highlight = table.palette().color(QPalette.Highlight).rgb()
    selected, plain = table.visualRect(tab.model.index(1, 0)), table.visualRect(tab.model.index(2, 0))
    assert highlight in colours_in(image, selected)
    assert highlight not in colours_in(image, plain)
    assert len(colours_in(image, plain)) > 2  # background, grid line and the name's strokes


def test_an_archived_member_is_grey(qtbot, tab, sample_store):
    member_id = tab.model.visible[0].id
    with sample_store.session() as session:
        session.execute(update(Member).where(Member.id == member_id).values(archived=True))
    tab.include_archived.setChecked(True)
    tab.reload()
    row = tab.model.row_of(member_id)
    tab.table.selectionModel().clearSelection()
    tab.table.scrollTo(tab.model.index(row, 0))
    tab.table.viewport().repaint()
    image = tab.table.viewport().grab().toImage()

    def darkest(r):
        return min(QColor.fromRgb(c).lightness() for c in colours_in(image, tab.table.visualRect(tab.model.index(r, 0))))

    other = next(i for i, r in enumerate(tab.model.visible) if not r.archived and abs(i - row) < 20)
    assert darkest(row) >= ARCHIVED_COLOUR.lightness() - 8  # no stroke darker than the grey
    assert darkest(other) < ARCHIVED_COLOUR.lightness() - 40  # an ordinary name is written in black
