"""流动党员's printouts written and read back: the 台账 (xlsx and PDF), the 流动党员联系卡 (two to an A4 page,
no ID number, the branch's phone and the contact person), and the return's 流动党员管理情况统计表 with its
figures in return.json."""

import datetime as dt
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from partybuild_desktop.domain import migrants as rules
from partybuild_desktop.reports.tables import migrants as migrant_tables
from partybuild_desktop.services import exports, migrants
from partybuild_desktop.services.village import current_village
from partybuild_desktop.store.models import Member, Village
from tests.conftest import SAMPLE_TODAY
from tests.helpers import embedded_fonts, pdf_text, sheet_rows

OPTIONS = exports.ExportOptions(today=SAMPLE_TODAY)


def _village(store):
    with store.session() as session:
        return current_village(session)


def test_the_sample_has_migrants_with_contacts_an_overdue_one_and_an_expiring_card(sample_store):
    village = _village(sample_store)
    with sample_store.session() as session:
        rows = migrants.migrants(session, village.id, SAMPLE_TODAY)
        assert len(rows) >= 10
        assert all(r.left_on and r.destination and r.contact_person for r in rows)
        assert sum(r.contacts for r in rows) >= 3 * len(rows)
        kinds = [k for r in rows for k in r.alerts]
        assert rules.CONTACT_OVERDUE in kinds and rules.CARD_EXPIRING in kinds
        assert any(r.card_no and r.no_transfer_reason for r in rows)
        assert any(len(migrants.stints_of(session, r.member_id)) == 2 for r in rows), "someone went away before"


def test_the_ledger_in_xlsx_and_pdf(sample_store, tmp_path):
    village = _village(sample_store)
    with sample_store.session() as session:
        rows = migrants.migrants(session, village.id, SAMPLE_TODAY)
        ids = set(session.scalars(select(Member.id_number).where(Member.village_id == village.id)))
    xlsx = tmp_path / "台账.xlsx"
    exports.export(sample_store, village.id, "migrants", xlsx, OPTIONS)
    table = sheet_rows(xlsx)
    assert table[0][0] == migrant_tables.LEDGER_TITLE
    names = [r[1] for r in table if isinstance(r[0], (int, float))]
    assert names == [r.name for r in rows]
    first = next(r for r in table if r[1] == rows[0].name)
    assert rows[0].left_on.isoformat() in first and rows[0].destination in first and rows[0].phone in first
    pdf = tmp_path / "台账.pdf"
    exports.export(sample_store, village.id, "migrants", pdf, OPTIONS)
    text = pdf_text(pdf)
    assert migrant_tables.LEDGER_TITLE in text and all(r.name in text for r in rows)
    assert not any(number in text for number in ids)


def test_the_contact_cards_two_to_a_page_without_id_numbers(sample_store, tmp_path):
    village = _village(sample_store)
    with sample_store.session() as session:
        rows = migrants.migrants(session, village.id, SAMPLE_TODAY)
        phone = session.get(Village, village.id).phone
        members = {m.id: m for m in session.scalars(select(Member).where(Member.village_id == village.id))}
    assert phone
    path = tmp_path / "卡.pdf"
    exports.export(sample_store, village.id, "migrant-cards", path, OPTIONS)
    reader = PdfReader(path)
    assert len(reader.pages) == -(-len(rows) // 2)
    assert all(embedded_fonts(reader).values())
    first = reader.pages[0].extract_text()
    assert first.count("流动党员联系卡") == 2 and first.count(phone) == 2
    assert rows[0].name in first and rows[0].destination in first and rows[0].contact_person in first
    text = pdf_text(path)
    assert not re.search(r"\d{17}[\dX]", text), "no ID number on a card"
    assert not any(members[r.member_id].mobile and members[r.member_id].mobile in text for r in rows)
    # Only the chosen members' cards.
    chosen = tmp_path / "一张.pdf"
    exports.export(sample_store, village.id, "migrant-cards", chosen,
                   exports.ExportOptions(today=SAMPLE_TODAY, member_ids=(rows[1].member_id,)))
    assert len(PdfReader(chosen).pages) == 1 and rows[1].name in pdf_text(chosen) and rows[0].name not in pdf_text(chosen)


def test_no_migrants_refuses_the_ledger_and_the_cards(store, tmp_path):
    from tests.helpers import village

    with store.session() as session:
        village_id = village(session, "空村")
    for name, suffix in (("migrants", ".xlsx"), ("migrant-cards", ".pdf")):
        with pytest.raises(exports.ExportError, match="没有在外的流动党员"):
            exports.export(store, village_id, name, tmp_path / f"x{suffix}", OPTIONS)


def test_the_return_table_counts_and_names(sample_store, tmp_path):
    village = _village(sample_store)
    with sample_store.session() as session:
        rows = migrants.migrants(session, village.id, SAMPLE_TODAY)
    expected = {
        "away": len(rows),
        "with_card": sum(1 for r in rows if r.card_no and (r.card_expires_on is None or r.card_expires_on >= SAMPLE_TODAY)),
        "contact_overdue": sum(1 for r in rows if rules.CONTACT_OVERDUE in r.alerts),
        "lost_contact": sum(1 for r in rows if rules.LOST_CONTACT in r.alerts or r.lost_contact_marked)}
    assert expected["away"] and expected["with_card"]  # the sample has migrants, some with a card
    options = exports.ExportOptions(year=2026, quarter=4, today=SAMPLE_TODAY)
    path = tmp_path / "统计.xlsx"
    exports.export(sample_store, village.id, "migrants-summary", path, options)
    table = sheet_rows(path)
    people = {r[1]: r[2] for r in table if isinstance(r[0], (int, float))}
    assert people == {"外出流动党员": expected["away"], "持流动党员活动证": expected["with_card"],
                      "联系超期": expected["contact_overdue"], "失去联系": expected["lost_contact"]}
    with sample_store.session() as session:
        village_info = current_village(session)
        built = exports.find("migrants-summary").build(session, village_info, options)
    assert built.figures == expected
    assert migrant_tables.check_figures(built.figures) == built.figures


@pytest.mark.parametrize("figures, message", [
    ({"away": 2, "with_card": 1, "contact_overdue": 0}, "缺少“失去联系”"),
    ({"away": 2, "with_card": -1, "contact_overdue": 0, "lost_contact": 0}, "不是非负整数"),
    ({"away": 2, "with_card": 3, "contact_overdue": 0, "lost_contact": 0}, "多于外出流动党员"),
    ({"away": True, "with_card": 0, "contact_overdue": 0, "lost_contact": 0}, "不是非负整数"),
])
def test_a_return_with_wrong_migrant_figures_is_refused(figures, message):
    with pytest.raises(ValueError, match=message):
        migrant_tables.check_figures(figures)
