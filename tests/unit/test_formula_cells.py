"""Text typed like a formula is written as text in every xlsx the program makes: every report of the
catalogue and the import's error workbook. The written zip's sheet XML holds no <f> element at all, and the
text reads back as typed."""

import datetime as dt
import re
import zipfile

import openpyxl
from sqlalchemy import select, update

from partybuild_desktop.importers.error_workbook import write_error_workbook
from partybuild_desktop.domain.reserve_cadres import CadreForm
from partybuild_desktop.services import exports, member_import, reserve_cadres, transfers
from partybuild_desktop.services.transfers import OutForm
from partybuild_desktop.services.exports import ExportOptions, catalogue
from partybuild_desktop.store.models import Household, Meeting, Member, RecruitCase

from ..conftest import SAMPLE_TODAY
from ..helpers import workbook

PAYLOADS = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1", "-1+2", "@SUM(A1)"]


def formulas_in(path) -> list[str]:
    """Every <f> element (a formula) in the workbook's sheets."""
    found = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                found += [f"{name}: {m}" for m in re.findall(r"<(?:\w+:)?f[ >/].{0,60}", archive.read(name).decode())]
    return found


def texts_in(path) -> set[str]:
    book = openpyxl.load_workbook(path)
    return {cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
            if isinstance(cell.value, str)}


def taint(store) -> None:
    """Names and notes of the sample village that hold the payloads, written past the services (as a file of
    an older version, or an edited data file, would hold them)."""
    with store.session() as session:
        members = session.scalars(select(Member).where(Member.archived.is_(False)).order_by(Member.id)).all()
        for member, payload in zip(members, PAYLOADS * 2):
            member.notes = payload
            member.address = payload
        for member, payload in zip(members[::7], PAYLOADS):
            member.name = payload
            member.post = payload
        households = session.scalars(select(Household).order_by(Household.id)).all()
        for household, payload in zip(households, PAYLOADS):
            household.head_name = payload
            household.notes = payload
        for case, payload in zip(session.scalars(select(RecruitCase).order_by(RecruitCase.id)), PAYLOADS):
            case.name = payload
            case.notes = payload
        for meeting, payload in zip(session.scalars(select(Meeting).order_by(Meeting.id)), PAYLOADS):
            meeting.topic = payload
            meeting.place = payload
        session.execute(update(Meeting).where(Meeting.minutes.is_not(None)).values(minutes=PAYLOADS[0]))
        # The two registers the sample village leaves empty get an entry each, through their services.
        village_id = members[0].village_id
        transfers.transfer_out(session, village_id, OutForm(members[1].id, PAYLOADS[1], dt.date(2026, 8, 1),
                                                            note=PAYLOADS[2]), SAMPLE_TODAY)
        reserve_cadres.save(session, village_id, SAMPLE_TODAY.year,
                            CadreForm(name="赵后备", source=PAYLOADS[3], strengths=PAYLOADS[4], notes=PAYLOADS[0]),
                            today=SAMPLE_TODAY)


def options_for(store, definition) -> ExportOptions:
    options = ExportOptions(year=SAMPLE_TODAY.year, today=SAMPLE_TODAY)
    with store.session() as session:
        village_id = session.scalar(select(Member.village_id).limit(1))
        if definition.name == "meeting-minutes":
            meeting_id = session.scalar(select(Meeting.id).where(Meeting.topic == PAYLOADS[0]))
            return exports.minutes_options(session, village_id, meeting_id, year=SAMPLE_TODAY.year, today=SAMPLE_TODAY)
        if definition.name == "recruit-record":
            case_id = session.scalar(select(RecruitCase.id).where(RecruitCase.name == PAYLOADS[0]))
            return exports.recruit_record_options(session, village_id, str(case_id), year=SAMPLE_TODAY.year,
                                                  today=SAMPLE_TODAY)
    return options


def test_every_xlsx_report_stores_formula_like_text_as_text(sample_store, tmp_path):
    taint(sample_store)
    written, seen = [], set()
    for definition in catalogue():
        if "xlsx" not in definition.formats:
            continue
        path = tmp_path / f"{definition.name}.xlsx"
        exports.export(sample_store, None, definition.name, path, options_for(sample_store, definition))
        assert formulas_in(path) == [], definition.name
        texts = texts_in(path)
        seen |= {p for p in PAYLOADS if any(p in text for text in texts)}
        written.append(definition.name)
    assert written == [d.name for d in catalogue() if "xlsx" in d.formats]
    assert seen == set(PAYLOADS)
    # The members roster carries each payload as a whole cell, read back as the same text.
    members = texts_in(tmp_path / "members.xlsx")
    assert set(PAYLOADS) <= members


def test_the_error_workbook_stores_formula_like_text_as_text(store, tmp_path):
    from .. import helpers

    with store.session() as session:
        village_id = helpers.village(session, "东湖村")
    rows = [["姓名", "身份证号", "入党时间", "备注"]]
    rows += [[payload, "123", "1990-07-01", payload] for payload in PAYLOADS]  # refused: a wrong ID number
    source = tmp_path / "名册.xlsx"
    # The source cells as a clerk would type them in text-formatted cells (not formulas).
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    for row in book.active.iter_rows():
        for cell in row:
            cell.data_type = "s"
    book.save(source)
    assert formulas_in(source) == []
    with store.session() as session:
        preview = member_import.preview_import(session, village_id, source, today=SAMPLE_TODAY)
    assert len(preview.refused) == len(PAYLOADS)
    report = tmp_path / "问题清单.xlsx"
    assert write_error_workbook(preview, report) == len(PAYLOADS)
    assert formulas_in(report) == []
    sheet = openpyxl.load_workbook(report).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    notes = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == PAYLOADS and notes == PAYLOADS


def test_the_writers_cell_setter_keeps_text_and_numbers_as_they_are():
    from partybuild_desktop.reports.xlsx_writer import put

    sheet = openpyxl.Workbook().active
    assert put(sheet["A1"], "=1+1").data_type == "s"
    assert put(sheet["A2"], "\t=1").data_type == "s"
    assert put(sheet["A3"], 12).data_type == "n"
    assert put(sheet["A4"], None).value is None


def test_a_helper_workbook_shows_what_openpyxl_does_without_the_setter(tmp_path):
    """The failure being guarded against: openpyxl writes a string starting with "=" as a formula."""
    path = workbook(tmp_path / "x.xlsx", [[PAYLOADS[0]]])
    assert formulas_in(path)
