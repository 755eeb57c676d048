"""The set-up services: 本村信息 with its 换届 history and term, party groups, grid branches, hubs and model
posts, the operator on the points board."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from partybuild_desktop.domain.committee import CommitteePost, term_end, term_state
from partybuild_desktop.domain.vocabulary import BranchType, GridLevel
from partybuild_desktop.services import audit, grids, organisation, point_rules
from partybuild_desktop.services.organisation import (
    HUBS,
    MODEL_POSTS,
    GridBranchForm,
    OrganisationError,
    PartyGroupForm,
)
from partybuild_desktop.services.village import (
    PostChoice,
    PostRecordForm,
    VillageError,
    VillageForm,
    committee_history,
    current_village,
    delete_post_record,
    save_post_record,
    save_village_details,
    term_status,
    village_details,
)
from partybuild_desktop.store.models import CommitteePostHolder, GridBranchMember, Member, PointAward
from partybuild_desktop.store.schema import open_store

from tests.helpers import SAMPLE_TODAY as TODAY, group, member, village

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"


def form_of(session, v, **changes):
    """The village's form as the dialog fills it, with ``changes``."""
    details = village_details(session, v, TODAY)
    info = details.info
    form = VillageForm(info.township, info.name, info.branch_type, info.branch_name, info.phone, info.address,
                       {post: PostChoice(r.member_id, r.name) for post, r in details.holders.items()})
    for key, value in changes.items():
        setattr(form, key, value)
    return form


# ---------------------------------------------------------------------------------------- 本村信息


def test_the_term_runs_five_years_and_is_told_when_it_ends():
    assert term_end(dt.date(2021, 3, 15)) == dt.date(2026, 3, 15)
    assert term_end(dt.date(2024, 2, 29)) == dt.date(2029, 2, 28)
    ended = term_state(dt.date(2021, 3, 15), dt.date(2026, 3, 15))
    assert ended.ended and "已于2026年3月15日届满" in ended.sentence()
    soon = term_state(dt.date(2022, 1, 10), dt.date(2026, 11, 23))
    assert not soon.ended and soon.ending_soon and soon.days_left == 48
    later = term_state(dt.date(2023, 1, 10), dt.date(2026, 11, 23))
    assert not later.ended and not later.ending_soon
    unknown = term_state(None, TODAY)
    assert not unknown.known and not unknown.ended and "未填写" in unknown.sentence()


def test_details_are_edited_and_the_report_headers_follow(store):
    with store.session() as session:
        v = village(session)
        secretary = member(session, v, "李书记")
        form = form_of(session, v, township=" 城北镇 ", name="新名村", branch_type=BranchType.GENERAL_BRANCH,
                       branch_name="", phone="0512 6521 1234", address="新名村村部二楼")
        form.posts[CommitteePost.SECRETARY] = PostChoice(secretary)
        form.posts[CommitteePost.PUBLICITY] = PostChoice(None, "赵 宣传")
        save_village_details(session, v, form, TODAY)
    with store.session() as session:
        info = current_village(session)
        assert (info.township, info.name, info.branch_name) == ("城北镇", "新名村", "中共新名村党总支")
        assert (info.secretary_name, info.phone, info.address) == ("李书记", "0512-65211234", "新名村村部二楼")
        holders = village_details(session, v, TODAY).holders
        assert holders[CommitteePost.PUBLICITY].name == "赵宣传" and holders[CommitteePost.PUBLICITY].member_id is None
        assert session.get(Member, secretary).is_committee_member


def test_bad_details_are_refused_with_the_field(store):
    with store.session() as session:
        v = village(session)
        with pytest.raises(VillageError, match="请填写村名"):
            save_village_details(session, v, form_of(session, v, name=" "), TODAY)
        no_secretary = form_of(session, v)
        no_secretary.posts[CommitteePost.SECRETARY] = PostChoice()
        with pytest.raises(VillageError, match="请填写书记"):
            save_village_details(session, v, no_secretary, TODAY)
        with pytest.raises(VillageError, match="党组织电话"):
            save_village_details(session, v, form_of(session, v, phone="12345"), TODAY)
        with pytest.raises(VillageError, match="晚于今天"):
            save_village_details(session, v, form_of(session, v, changed_on=TODAY + dt.timedelta(days=1)), TODAY)
        village(session, "邻村")
        with pytest.raises(VillageError, match="已有城南镇邻村"):
            save_village_details(session, v, form_of(session, v, name="邻村"), TODAY)


def test_a_new_secretary_keeps_the_old_one_with_dates(store):
    with store.session() as session:
        v = village(session)
        old, new = member(session, v, "王书记"), member(session, v, "陈新任")
        elected = dt.date(2021, 3, 15)
        first = form_of(session, v, term_started_on=elected)
        first.posts[CommitteePost.SECRETARY] = PostChoice(old)  # the wizard's name, now linked to the member
        save_village_details(session, v, first, TODAY)
        assert len(committee_history(session, v)) == 1  # linking the same person is no change of holder
        change = form_of(session, v, changed_on=dt.date(2024, 6, 1))
        change.posts[CommitteePost.SECRETARY] = PostChoice(new)
        save_village_details(session, v, change, TODAY)
    with store.session() as session:
        history = committee_history(session, v)
        assert [(r.name, r.started_on, r.ended_on) for r in history] == [
            ("陈新任", dt.date(2024, 6, 1), None), ("王书记", elected, dt.date(2024, 6, 1))]
        assert current_village(session).secretary_name == "陈新任"
        assert session.get(Member, new).is_committee_member and not session.get(Member, old).is_committee_member
        assert term_status(session, v, TODAY).started_on == elected  # the same term goes on


def test_a_new_term_ends_every_post_and_starts_five_years(store):
    with store.session() as session:
        v = village(session)
        first = form_of(session, v, term_started_on=dt.date(2021, 3, 15), changed_on=dt.date(2021, 3, 15))
        first.posts[CommitteePost.DEPUTY_SECRETARY] = PostChoice(None, "刘副书记")
        save_village_details(session, v, first, TODAY)
        assert term_status(session, v, dt.date(2026, 3, 15)).ended
        with pytest.raises(VillageError, match="应晚于本届班子的选举日期"):
            save_village_details(session, v, form_of(session, v, new_term=True, changed_on=dt.date(2020, 1, 1)), TODAY)
        election = form_of(session, v, new_term=True, changed_on=dt.date(2026, 4, 2))
        save_village_details(session, v, election, TODAY)
        status = term_status(session, v, TODAY)
        assert status.started_on == dt.date(2026, 4, 2) and status.ends_on == dt.date(2031, 4, 2) and not status.ended
        history = committee_history(session, v)
        current = [(r.post, r.name, r.started_on) for r in history if r.current]
        assert current == [(CommitteePost.SECRETARY, "王书记", dt.date(2026, 4, 2)),
                           (CommitteePost.DEPUTY_SECRETARY, "刘副书记", dt.date(2026, 4, 2))]
        past = [(r.name, r.started_on, r.ended_on) for r in history if not r.current]
        assert past == [("王书记", dt.date(2021, 3, 15), dt.date(2026, 4, 2)),
                        ("刘副书记", dt.date(2021, 3, 15), dt.date(2026, 4, 2))]
        assert len({r.term_id for r in history}) == 2


def test_history_lines_are_added_corrected_and_deleted_but_not_the_current_ones(store):
    with store.session() as session:
        v = village(session)
        added = save_post_record(session, v, PostRecordForm(CommitteePost.SECRETARY, None, "张老书记",
                                                            dt.date(2011, 1, 1), dt.date(2016, 1, 1)), today=TODAY)
        with pytest.raises(VillageError, match="离任日期早于任职日期"):
            save_post_record(session, v, PostRecordForm(CommitteePost.SECRETARY, None, "张老书记", dt.date(2011, 1, 1),
                                                        dt.date(2010, 1, 1)), added, TODAY)
        save_post_record(session, v, PostRecordForm(CommitteePost.SECRETARY, None, "张老书记", dt.date(2011, 1, 1),
                                                    dt.date(2016, 3, 1)), added, TODAY)
        assert session.get(CommitteePostHolder, added).ended_on == dt.date(2016, 3, 1)
        current = next(r for r in committee_history(session, v) if r.current)
        with pytest.raises(VillageError, match="现任书记，不能删除"):
            delete_post_record(session, v, current.id)
        with pytest.raises(VillageError, match="在“本村信息”中修改"):
            save_post_record(session, v, PostRecordForm(CommitteePost.SECRETARY, None, "别人", None, None), current.id,
                             TODAY)
        delete_post_record(session, v, added)
        assert [r.name for r in committee_history(session, v)] == ["王书记"]


def test_an_old_data_file_gets_its_secretary_as_the_first_term(tmp_path):
    path = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURES / "schema_0004.sqlite3", path)
    store = open_store(path, tmp_path / "backups")
    try:
        with store.session() as session:
            info = current_village(session)
            details = village_details(session, info.id, TODAY)
            secretary = details.holders[CommitteePost.SECRETARY]
            assert secretary.name == "王建国" and secretary.member_id == 1 and secretary.current
            assert not details.term.known  # the election date is for the clerk to fill in
            assert (info.phone, info.address) == (None, None)
    finally:
        store.dispose()


# ---------------------------------------------------------------------------------------- party groups


def test_party_groups_are_created_edited_and_deleted(store):
    with store.session() as session:
        v = village(session)
        branch = organisation.save_grid_branch(session, v, GridBranchForm("第一网格党支部"))
        leader, contact = member(session, v, "组长甲"), member(session, v, "委员乙")
        g = organisation.save_party_group(session, v, PartyGroupForm("第1党小组", " 1组 ", leader, branch, contact))
        organisation.save_party_group(session, v, PartyGroupForm("第2党小组", "2组"))
        with pytest.raises(OrganisationError, match="本村已有“第1党小组”"):
            organisation.save_party_group(session, v, PartyGroupForm("第1党小组"))
        row = organisation.list_party_groups(session, v)[0]
        assert (row.name, row.villager_group, row.leader, row.grid_branch, row.branch_contact) == (
            "第1党小组", "1组", "组长甲", "第一网格党支部", "委员乙")
        organisation.save_party_group(session, v, PartyGroupForm("第一党小组", "1组", None, None, contact), g)
        row = organisation.list_party_groups(session, v)[0]
        assert (row.name, row.leader, row.grid_branch) == ("第一党小组", "", "")
        second = organisation.list_party_groups(session, v)[1].id
        organisation.delete_party_group(session, v, second)
        assert [r.name for r in organisation.list_party_groups(session, v)] == ["第一党小组"]


def test_a_party_group_with_members_is_not_deleted(store):
    with store.session() as session:
        v = village(session)
        g = group(session, v)
        member(session, v, "组员", party_group_id=g)
        member(session, v, "老党员", party_group_id=g, archived=True)
        with pytest.raises(OrganisationError, match="还有1名党员、1名已归档党员，不能删除"):
            organisation.delete_party_group(session, v, g)
        assert organisation.list_party_groups(session, v)[0].member_count == 2


def test_choices_must_be_members_of_this_village_and_not_archived(store):
    with store.session() as session:
        v, other = village(session), village(session, "邻村")
        stranger = member(session, other, "外村人")
        gone = member(session, v, "已归档", archived=True)
        with pytest.raises(OrganisationError, match="党小组长不是本村党员"):
            organisation.save_party_group(session, v, PartyGroupForm("第1党小组", leader_id=stranger))
        with pytest.raises(OrganisationError, match="已归档，不能担任网格党支部书记"):
            organisation.save_grid_branch(session, v, GridBranchForm("第一网格党支部", secretary_id=gone))


# ---------------------------------------------------------------------------------------- grid branches


def test_grid_branches_keep_their_committee_and_contact(store):
    with store.session() as session:
        v = village(session)
        secretary, a, b = member(session, v, "支书"), member(session, v, "委员甲"), member(session, v, "委员乙")
        plain = member(session, v, "普通党员")
        chief = member(session, v, "班子成员", is_committee_member=True)
        with pytest.raises(OrganisationError, match="“普通党员”不是村党组织班子成员"):
            organisation.save_grid_branch(session, v, GridBranchForm("第一网格党支部", committee_contact_id=plain))
        branch = organisation.save_grid_branch(session, v, GridBranchForm("第一网格党支部", secretary, (a, b, secretary),
                                                                          chief))
        row = organisation.list_grid_branches(session, v)[0]
        assert (row.secretary, row.committee, row.committee_contact) == ("支书", ("委员甲", "委员乙"), "班子成员")
        organisation.save_grid_branch(session, v, GridBranchForm("第一网格支部", secretary, (b,), None), branch)
        row = organisation.list_grid_branches(session, v)[0]
        assert (row.name, row.committee, row.committee_contact_id) == ("第一网格支部", ("委员乙",), None)


def test_a_grid_branch_with_groups_or_grids_is_not_deleted(store):
    with store.session() as session:
        v = village(session)
        branch = organisation.save_grid_branch(session, v, GridBranchForm("第一网格党支部"))
        g = organisation.save_party_group(session, v, PartyGroupForm("第1党小组", grid_branch_id=branch))
        grid = grids.create_grid(session, v, GridLevel.VILLAGE, "全村网格", grid_branch_id=branch)
        with pytest.raises(OrganisationError, match="下还有1个党小组（第1党小组）、1个网格，不能删除"):
            organisation.delete_grid_branch(session, v, branch)
        organisation.save_party_group(session, v, PartyGroupForm("第1党小组"), g)
        grids.update_grid(session, grid, "全村网格", None, None)
        session.add(PointAward(village_id=v, date=TODAY, item_code="x", grid_branch_id=branch, reason="表彰",
                               entered_by="文书"))
        session.flush()
        with pytest.raises(OrganisationError, match="先锋榜积分记录"):
            organisation.delete_grid_branch(session, v, branch)
        session.query(PointAward).delete()
        member_id = member(session, v, "委员")
        organisation.save_grid_branch(session, v, GridBranchForm("第一网格党支部", committee_ids=(member_id,)), branch)
        organisation.delete_grid_branch(session, v, branch)
        session.flush()
        assert organisation.list_grid_branches(session, v) == []
        assert session.scalars(select(GridBranchMember)).all() == []


# ---------------------------------------------------------------------------------------- hubs, model posts


def test_several_members_become_hubs_or_model_posts_at_once(store):
    with store.session() as session:
        v = village(session)
        g = group(session, v)
        a, b, c = (member(session, v, name, party_group_id=g) for name in ("甲", "乙", "丙"))
        outcome = organisation.mark_members(session, v, HUBS, [a, b])
        assert outcome.changed == ("甲", "乙")
        session.get(Member, c).hub_id = a
        organisation.mark_members(session, v, MODEL_POSTS, [a, b])
        assert [(r.name, r.is_hub_household, r.is_model_post, r.attached)
                for r in organisation.list_marked(session, v, HUBS)] == [("甲", True, True, 1), ("乙", True, True, 0)]
        again = organisation.mark_members(session, v, HUBS, [b], on=False)
        assert again.changed == ("乙",) and session.get(Member, b).is_model_post  # still a model post
        organisation.mark_members(session, v, MODEL_POSTS, [a], on=False)
        with pytest.raises(OrganisationError, match="还联系着1名党员"):
            organisation.mark_members(session, v, HUBS, [a], on=False)
        assert session.get(Member, a).is_hub_household
        with pytest.raises(OrganisationError, match="请先选择"):
            organisation.mark_members(session, v, HUBS, [])


# ---------------------------------------------------------------------------------------- the operator


def test_the_points_board_records_the_operator(store):
    with store.session() as session:
        v = village(session)
        assert point_rules.save_rules(session, v, 2026, point_rules.default_rules(2026)).updated_by == "未署名"
        audit.set_operator(session, "赵文书")
        assert point_rules.save_rules(session, v, 2026, point_rules.default_rules(2026)).updated_by == "赵文书"
        assert point_rules.close_year(session, v, 2025, today=TODAY).closed_by == "赵文书"


def test_grid_branch_committee_members_are_held_to_their_party_groups(store):
    from partybuild_desktop.domain.liaison import LiaisonRule
    from partybuild_desktop.services.liaison import check_liaison

    def flagged(session, v):
        return {p.subject for p in check_liaison(session, v).problems if p.rule is LiaisonRule.BRANCH_GROUPS
                and p.subject_kind == "member"}

    with store.session() as session:
        v = village(session)
        committee = member(session, v, "支部委员丙")
        branch = organisation.save_grid_branch(session, v, GridBranchForm("第一网格党支部", committee_ids=(committee,)))
        assert "支部委员丙" in flagged(session, v)  # on the committee, liaising with no party group
        organisation.save_party_group(session, v, PartyGroupForm("第1党小组", grid_branch_id=branch,
                                                                 branch_contact_id=committee))
        assert "支部委员丙" not in flagged(session, v)


def test_a_member_on_the_committee_is_not_deleted_but_a_past_holder_keeps_the_name(store):
    from partybuild_desktop.services import members

    with store.session() as session:
        v = village(session)
        secretary, committee, former = (member(session, v, n) for n in ("现任书记", "网格委员", "前任委员"))
        form = form_of(session, v, changed_on=dt.date(2020, 1, 1))
        form.posts[CommitteePost.SECRETARY] = PostChoice(secretary)
        form.posts[CommitteePost.PUBLICITY] = PostChoice(former)
        save_village_details(session, v, form, TODAY)
        form = form_of(session, v, changed_on=dt.date(2024, 1, 1))
        form.posts[CommitteePost.PUBLICITY] = PostChoice()
        save_village_details(session, v, form, TODAY)
        organisation.save_grid_branch(session, v, GridBranchForm("第一网格党支部", committee_ids=(committee,)))
        with pytest.raises(members.MemberError, match="现任村党组织书记"):
            members.delete_member(session, secretary)
        with pytest.raises(members.MemberError, match="担任网格支部委员（第一网格党支部）"):
            members.delete_member(session, committee)
        members.delete_member(session, former)
        session.flush()
        past = next(r for r in committee_history(session, v) if r.post is CommitteePost.PUBLICITY)
        assert (past.name, past.member_id, past.ended_on) == ("前任委员", None, dt.date(2024, 1, 1))
