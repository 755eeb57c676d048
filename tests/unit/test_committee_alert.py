"""The committee_term_ended alert: a notice in the 90 days before the five-year term ends, serious after."""

import datetime as dt

from partybuild_desktop.domain.committee import CommitteePost
from partybuild_desktop.domain.vocabulary import BranchType
from partybuild_desktop.services import alerts
from partybuild_desktop.services.village import PostChoice, VillageForm, create_village, save_village_details


def term_alerts(session, village_id, day):
    return [a.to_json() for a in alerts.collect(session, village_id, day) if a.kind == "committee_term_ended"]


def test_the_term_is_told_before_and_after_it_runs_out(store):
    with store.session() as session:
        v = create_village(session, "城南镇", "甲村", BranchType.BRANCH, "王书记").id
        assert term_alerts(session, v, dt.date(2026, 11, 23)) == []  # no election date: nothing to tell
        form = VillageForm("城南镇", "甲村", BranchType.BRANCH, "", posts={CommitteePost.SECRETARY: PostChoice(None, "王书记")},
                           term_started_on=dt.date(2021, 3, 15))
        save_village_details(session, v, form, dt.date(2026, 11, 23))
        assert term_alerts(session, v, dt.date(2025, 12, 14)) == []
        (soon,) = term_alerts(session, v, dt.date(2025, 12, 15))
        assert (soon["level"], soon["due"], soon["member"]) == ("notice", "2026-03-15", None)
        assert "还有 90 天" in soon["message"]
        (ended,) = term_alerts(session, v, dt.date(2026, 3, 15))
        assert ended["level"] == "serious" and "已于2026年3月15日届满" in ended["message"]
        assert "设置 → 本村信息" in ended["message"]
