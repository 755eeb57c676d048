"""The points board's aggregate queries: SQLite's tuned form and the portable one give the same rows."""

import datetime as dt

import pytest

from partybuild_desktop.domain.points import DIRECT_SOURCE_KINDS
from partybuild_desktop.domain.vocabulary import ProxyStatus, RecordEntryType
from partybuild_desktop.services.village import current_village
from partybuild_desktop.store import points_facts

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def both(query, *args):
    tuned, portable = query(*args, portable=False), query(*args, portable=True)
    return tuned, portable


def test_both_forms_agree_on_the_sample_village(sample_store):
    with sample_store.session() as session:
        village_id = current_village(session).id
        connection = session.connection()
        for village in (None, village_id):
            tuned, portable = both(points_facts.entry_totals, connection, village, START, END, DIRECT_SOURCE_KINDS)
            assert len(tuned) > 100
            assert sorted(r[:3] for r in tuned) == sorted(r[:3] for r in portable)
            hours = {r[:2]: r[3] for r in portable}
            assert all((r[3] or 0.0) == pytest.approx(hours[r[:2]]) for r in tuned)
            types = [RecordEntryType.ORGANISATIONAL_LIFE.value, RecordEntryType.DUES_PAYMENT.value]
            tuned, portable = both(points_facts.entry_months, connection, village, types, START, END,
                                   DIRECT_SOURCE_KINDS)
            assert tuned and tuned == portable
        tuned, portable = both(points_facts.visit_totals, connection, village_id, START, END)
        assert sorted(tuned) == sorted(portable)
        tuned, portable = both(points_facts.proxy_totals, connection, village_id, START, END, ProxyStatus.DONE.value)
        assert sorted(tuned) == sorted(portable)


def test_a_month_mask_counts_each_month_once(sample_store):
    with sample_store.session() as session:
        connection = session.connection()
        masks = points_facts.entry_months(connection, None, [RecordEntryType.ORGANISATIONAL_LIFE.value], START, END,
                                          DIRECT_SOURCE_KINDS, portable=True)
    assert masks and all(mask & ~(0b1111111111110) == 0 for mask in masks.values())  # months 1–12 only
    assert max(bin(mask).count("1") for mask in masks.values()) >= 10  # monthly meetings over most of the year
