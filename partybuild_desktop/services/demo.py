"""Realistic sample villages for the first run, the tests and the benchmarks.

Everything is drawn from one random generator seeded by (seed, village name), so the same arguments give
the same village and a different name or seed gives a different one.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from partybuild_desktop.domain import id_number
from partybuild_desktop.domain.meetings import Attendance, MeetingKind, ReviewGrade, has_committee
from partybuild_desktop.domain.vocabulary import (
    BranchType,
    Education,
    Gender,
    GridLevel,
    GridRole,
    MemberCategory,
    MemberEventKind,
    MembershipState,
    RecordEntryType,
    Standing,
)
from partybuild_desktop.services.meetings import (DecisionForm, MeetingForm, ReviewForm, meeting_roster, save_meeting,
                                                  set_reviews)
from partybuild_desktop.services.village import create_village
from partybuild_desktop.domain.dues import DEFAULT_FARMER_FEN, DuesKind, assess
from partybuild_desktop.store.models import (
    DuesAssessment,
    DuesPayment,
    Grid,
    GridBranch,
    GridStaff,
    Household,
    Member,
    MemberEvent,
    MigrantContact,
    MigrantStint,
    PartyGroup,
    RecordEntry,
    Village,
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单解仇"
)
MALE_GIVEN = "建国志强国华永明德胜文军海涛春生学平振兴伟刚福林长青宝山金发有才立新玉成红兵守义家和庆丰"
FEMALE_GIVEN = "秀英桂兰玉梅凤霞丽华春燕淑珍翠萍美玲海燕晓红素芳金花月娥红梅雪莲小芳慧敏丽娟"
VILLAGE_NAMES = (
    "东湖村", "石桥村", "柳塘村", "杨庄村", "新河村", "枣林村", "白沙村", "高岭村", "前进村", "马家湾村", "红星村",
    "桃园村", "李家坪村", "龙泉村", "双塘村", "青山村", "花园村", "南岗村", "北坡村", "清水村", "长乐村", "和平村",
    "团结村", "金鸡村", "三合村", "五里村",
)
TOWNSHIPS = ("城南镇", "河口镇", "青石镇", "白马镇", "柳林乡", "新安镇")
# Six-digit county codes (GB/T 2260) used for sample ID numbers.
COUNTY_CODES = ("320482", "411422", "430524", "510623", "370283", "420621", "341322", "130425")
ETHNICITIES = ("汉族",) * 46 + ("回族", "壮族", "满族", "土家族")
CATEGORY_SHARES = (
    (MemberCategory.FARMER, 0.46),
    (MemberCategory.ELDERLY, 0.24),
    (MemberCategory.MIGRANT, 0.18),
    (MemberCategory.EMPLOYED, 0.12),
)
POSTS = ("政策宣传岗", "环境整治岗", "矛盾调解岗", "产业带富岗", "治安巡逻岗", "关爱帮扶岗", "文明新风岗")
AWAY_PLACES = (
    ("江苏省", "苏州市", "昆山市"), ("广东省", "深圳市", "宝安区"), ("浙江省", "宁波市", "慈溪市"),
    ("上海市", "上海市", "浦东新区"), ("福建省", "厦门市", "集美区"), ("北京市", "北京市", "朝阳区"),
)
AWAY_JOBS = ("建筑施工", "电子厂工人", "个体经营", "货车司机", "餐饮服务", "快递配送")
EMPLOYERS = ("镇卫生院", "镇中心小学", "县农商银行", "镇供电所", "县自来水公司", "镇农业服务中心")
# 组织生活 lines come from the meetings (below), never typed by hand beside them.
ENTRY_TEXTS = {
    RecordEntryType.POLITICAL_STUDY: ("学习党章和党内法规", "集中学习党的创新理论", "观看党员教育电视片"),
    RecordEntryType.VOLUNTEERING: ("参加人居环境整治志愿服务", "参加防汛值守", "协助开展疫苗接种宣传"),
    RecordEntryType.HOUSEHOLD_VISIT: ("走访联系户，了解生产生活情况", "入户宣传惠农政策", "帮助联系户申报补贴"),
    RecordEntryType.POST_DUTY: ("履行设岗职责，开展巡查", "调解邻里纠纷", "宣传移风易俗"),
    RecordEntryType.HEART_TO_HEART: ("与党小组长谈心谈话",),
}


@dataclass(frozen=True)
class DemoSummary:
    villages: list[str]
    members: int
    households: int
    record_entries: int


class _Names:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def person(self, gender: Gender) -> str:
        pool = MALE_GIVEN if gender is Gender.MALE else FEMALE_GIVEN
        given = self.rng.choice(pool) + (self.rng.choice(pool) if self.rng.random() < 0.7 else "")
        return self.rng.choice(SURNAMES) + given

    def phone(self) -> str:
        return self.rng.choice(("13", "15", "18", "17", "19")) + "".join(self.rng.choices("0123456789", k=9))


def _id_number(rng: random.Random, county: str, birth: dt.date, gender: Gender, used: set[str]) -> str:
    while True:
        sequence = rng.randrange(0, 1000)
        if (sequence % 2 == 1) != (gender is Gender.MALE):
            sequence = (sequence + 1) % 1000
        first17 = f"{county}{birth:%Y%m%d}{sequence:03d}"
        number = first17 + id_number.check_char(first17)
        if number not in used:
            used.add(number)
            return number


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


def _years_after(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _education(rng: random.Random, age: int) -> Education:
    if age >= 60:
        weights = (0, 0.02, 0.04, 0.2, 0.74)
    elif age >= 40:
        weights = (0, 0.08, 0.17, 0.35, 0.4)
    else:
        weights = (0.03, 0.3, 0.35, 0.22, 0.1)
    return rng.choices(list(Education), weights=weights)[0]


def _existing_id_numbers(session: Session) -> set[str]:
    return set(session.scalars(select(Member.id_number).where(Member.id_number.is_not(None))))


def generate(
    session: Session,
    villages: int = 1,
    members: int = 150,
    first_village: str | None = None,
    seed: int = 1,
    today: dt.date | None = None,
    entries_per_month: float = 1.5,
) -> DemoSummary:
    """Add ``villages`` sample villages holding about ``members`` members in all."""
    from partybuild_desktop.domain.pinyin import search_keys

    today = today or dt.date.today()
    used_ids = _existing_id_numbers(session)
    names: list[str] = []
    per_village = max(10, members // max(1, villages))
    totals = [0, 0, 0]
    base_rng = random.Random(f"{seed}:{first_village or ''}")
    township = base_rng.choice(TOWNSHIPS)
    taken = set(session.scalars(select(Village.name)))
    if first_village in taken:
        raise ValueError(f"数据文件中已经有“{first_village}”，请换一个村名。")
    pool = [n for n in VILLAGE_NAMES if n != first_village and n not in taken]
    base_rng.shuffle(pool)
    for index in range(villages):
        if index == 0 and first_village:
            name = first_village
        else:
            name = pool[index] if index < len(pool) else f"{VILLAGE_NAMES[index % len(VILLAGE_NAMES)][:-1]}{index}村"
        rng = random.Random(f"{seed}:{name}:{index}")
        count = per_village if index else members - per_village * (villages - 1)
        counts = _village(session, rng, township, name, max(10, count), today, used_ids, entries_per_month, search_keys)
        names.append(name)
        totals = [a + b for a, b in zip(totals, counts)]
    return DemoSummary(names, *totals)


def _village(session, rng, township, name, member_count, today, used_ids, entries_per_month, search_keys):
    fake = _Names(rng)
    secretary = fake.person(Gender.MALE)
    branch_type = BranchType.GENERAL_BRANCH if member_count >= 50 else BranchType.BRANCH
    village = create_village(session, township, name, branch_type, secretary)
    county = rng.choice(COUNTY_CODES)

    group_count = rng.randint(4, 8)
    grid_branch_count = 2 if group_count <= 5 else 3
    grid_branches = [GridBranch(village_id=village.id, name=f"第{i + 1}网格党支部") for i in range(grid_branch_count)]
    session.add_all(grid_branches)
    session.flush()
    village_grid = Grid(village_id=village.id, level=GridLevel.VILLAGE, name=f"{name}网格", area=f"{name}全域")
    session.add(village_grid)
    session.flush()
    groups, group_grids = [], []
    for g in range(group_count):
        villager_group = f"{g + 1}组"
        branch = grid_branches[g * grid_branch_count // group_count]
        grid = Grid(
            village_id=village.id, parent_id=village_grid.id, level=GridLevel.GROUP,
            name=f"第{g + 1}网格", area=f"{name}{villager_group}", grid_branch_id=branch.id,
        )
        group = PartyGroup(
            village_id=village.id, grid_branch_id=branch.id, name=f"第{g + 1}党小组", villager_group=villager_group
        )
        groups.append(group)
        group_grids.append(grid)
    session.add_all(groups + group_grids)
    session.flush()

    # Members, spread over the groups; the first few form the branch committee.
    member_rows = []
    away: dict[int, dict] = {}  # 流动党员: the row's stint away
    for i in range(member_count):
        category = rng.choices([c for c, _ in CATEGORY_SHARES], weights=[w for _, w in CATEGORY_SHARES])[0]
        if i < 5:  # the branch committee lives in the village and has been in the party for years
            category = MemberCategory.FARMER
        gender = Gender.MALE if (i == 0 or rng.random() < 0.74) else Gender.FEMALE
        if category is MemberCategory.ELDERLY:
            age = rng.randint(66, 88)
        else:
            age = rng.randint(38, 58) if i < 5 else rng.randint(24, 64)
        birth = _random_date(rng, dt.date(today.year - age - 1, today.month, 1), dt.date(today.year - age, today.month, 1))
        probationary = i >= 5 and category is not MemberCategory.ELDERLY and rng.random() < 0.04
        joined = (
            _random_date(rng, today - dt.timedelta(days=360), today - dt.timedelta(days=30))
            if probationary
            else _random_date(rng, _years_after(birth, 20), min(today, _years_after(birth, 45)) - dt.timedelta(days=400))
        )
        group_index = i % group_count
        member_name = secretary if i == 0 else fake.person(gender)
        villager_group = groups[group_index].villager_group
        row = dict(
            village_id=village.id, name=member_name, gender=gender, ethnicity=rng.choice(ETHNICITIES),
            id_number=_id_number(rng, county, birth, gender, used_ids), birth_date=birth,
            education=_education(rng, age), standing=Standing.PROBATIONARY if probationary else Standing.FULL,
            joined_date=joined, confirmed_date=None if probationary else joined + dt.timedelta(days=365),
            job_post=None, mobile=fake.phone(), landline=None,
            address=f"{township}{name}{villager_group}{rng.randint(1, 120)}号",
            membership_state=MembershipState.NORMAL, lost_contact=False, lost_contact_date=None,
            category=category, party_group_id=groups[group_index].id, grid_id=group_grids[group_index].id,
            is_hub_household=False, is_committee_member=i < 5, search_keys=search_keys(member_name),
            archived=False,
        )
        if category is MemberCategory.FARMER:
            row["post"] = rng.choice(POSTS)
        elif category is MemberCategory.MIGRANT:
            province, city, county_name = rng.choice(AWAY_PLACES)
            away[i] = dict(
                left_on=_random_date(rng, today - dt.timedelta(days=2000), today - dt.timedelta(days=60)),
                reason="务工经商", province=province, city=city, county=county_name,
                phone=row["mobile"], occupation=rng.choice(AWAY_JOBS), card_no=f"LD{today.year}{i:04d}",
            )
            if rng.random() < 0.05:
                row.update(lost_contact=True, lost_contact_date=today - dt.timedelta(days=rng.randint(90, 400)))
        elif category is MemberCategory.EMPLOYED:
            row.update(employer=rng.choice(EMPLOYERS), employer_contact=fake.phone(), job_post="职工")
        else:
            row.update(care_needs=rng.choice(("行动不便", "患慢性病", "独居", "听力较差")), visit_interval_days=30)
        if i == 0:
            row["job_post"] = "村党组织书记"
        elif i < 5:
            row["job_post"] = "村党组织委员"
        if rng.random() < 0.003:
            row["membership_state"] = MembershipState.SUSPENDED
        member_rows.append(row)
    member_ids = list(session.scalars(insert(Member).returning(Member.id), member_rows))
    _migrants(session, random.Random(f"migrants:{township}:{name}"), member_ids, member_rows, away, today)
    for i, stint in away.items():
        member_rows[i]["away_since"] = stint["left_on"]

    # Status history: joined, confirmed, plus the odd suspension or lost contact.
    events = []
    for member_id, row in zip(member_ids, member_rows):
        events.append(dict(member_id=member_id, date=row["joined_date"], kind=MemberEventKind.JOINED, note=None))
        if row["confirmed_date"]:
            events.append(dict(member_id=member_id, date=row["confirmed_date"], kind=MemberEventKind.CONFIRMED, note=None))
        if row["lost_contact"]:
            events.append(dict(member_id=member_id, date=row["lost_contact_date"], kind=MemberEventKind.LOST_CONTACT, note="多次联系未果"))
        if row["membership_state"] is MembershipState.SUSPENDED:
            events.append(dict(member_id=member_id, date=today - dt.timedelta(days=200), kind=MemberEventKind.SUSPENDED, note="连续六个月不参加组织生活"))
    session.execute(insert(MemberEvent), events)

    # The liaison pyramid: committee → grid branches, committee → party groups, leaders, hubs.
    committee = member_ids[:5]
    resident = [
        (member_id, row) for member_id, row in zip(member_ids, member_rows)
        if row["category"] is not MemberCategory.MIGRANT and not row["lost_contact"]
    ]
    for index, branch in enumerate(grid_branches):
        branch.secretary_id = committee[1 + index % 4]
        branch.committee_contact_id = committee[index % 5]
    hub_by_group: dict[int, list[int]] = {}
    for group_index, group in enumerate(groups):
        in_group = [m for m, r in resident if r["party_group_id"] == group.id] or [member_ids[group_index]]
        group.leader_id = in_group[0]
        group.branch_contact_id = committee[group_index % 5]
        hub_count = max(1, round(len(in_group) / 7))
        hub_by_group[group.id] = in_group[1 : 1 + hub_count] or in_group[:1]
    session.flush()
    hub_updates, hub_grids = [], []
    for group_index, group in enumerate(groups):
        hubs = hub_by_group[group.id]
        for hub in hubs:
            hub_updates.append(dict(id=hub, is_hub_household=True))
            hub_grids.append((group_index, hub))
        for position, member_id in enumerate(m for m, r in zip(member_ids, member_rows) if r["party_group_id"] == group.id):
            if member_id not in hubs:
                hub_updates.append(dict(id=member_id, hub_id=hubs[position % len(hubs)]))
    session.execute(update(Member), hub_updates)

    # Grid staff: the village grid is led by the secretary, group grids by their party group leader,
    # and each hub household heads a household-level grid.
    phones = dict(zip(member_ids, (r["mobile"] for r in member_rows)))
    names_by_id = dict(zip(member_ids, (r["name"] for r in member_rows)))
    staff = [GridStaff(grid_id=village_grid.id, role=GridRole.LEADER, member_id=member_ids[0], name=secretary,
                       phone=phones[member_ids[0]], duties="全面负责网格党建和服务管理工作")]
    household_grid_for_hub = {}
    for group_index, (group, grid) in enumerate(zip(groups, group_grids)):
        staff.append(GridStaff(grid_id=grid.id, role=GridRole.LEADER, member_id=group.leader_id,
                               name=names_by_id[group.leader_id], phone=phones[group.leader_id],
                               duties="负责本网格民情收集、矛盾调解和服务代办"))
        worker_gender = Gender.FEMALE if rng.random() < 0.6 else Gender.MALE
        staff.append(GridStaff(grid_id=grid.id, role=GridRole.WORKER, name=fake.person(worker_gender),
                               phone=fake.phone(), duties="信息采集、政策宣传、环境卫生巡查"))
    for group_index, hub in hub_grids:
        household_grid = Grid(village_id=village.id, parent_id=group_grids[group_index].id, level=GridLevel.HOUSEHOLD,
                              name=f"{names_by_id[hub]}中心户网格", grid_branch_id=group_grids[group_index].grid_branch_id)
        session.add(household_grid)
        session.flush()
        household_grid_for_hub[hub] = household_grid.id
        staff.append(GridStaff(grid_id=household_grid.id, role=GridRole.LEADER, member_id=hub, name=names_by_id[hub],
                               phone=phones[hub], duties="联系周边农户，收集反映群众诉求"))
    session.add_all(staff)

    # Households: 10–15 per member, in the member's villager group.
    household_rows = []
    hub_of = {u["id"]: u.get("hub_id") for u in hub_updates}
    group_index_of = {group.id: index for index, group in enumerate(groups)}
    for member_id, row in zip(member_ids, member_rows):
        group_index = group_index_of[row["party_group_id"]]
        villager_group = groups[group_index].villager_group
        hub = member_id if member_id in household_grid_for_hub else hub_of.get(member_id)
        for _ in range(rng.choice((11, 12, 13, 14, 14, 15, 15))):
            gender = Gender.MALE if rng.random() < 0.8 else Gender.FEMALE
            household_rows.append(dict(
                village_id=village.id, head_name=fake.person(gender), villager_group=villager_group,
                address=f"{township}{name}{villager_group}{rng.randint(1, 300)}号", phone=fake.phone(),
                size=rng.randint(1, 6), grid_id=household_grid_for_hub.get(hub, group_grids[group_index].id),
                liaison_member_id=member_id, hardship=rng.random() < 0.05, elderly_alone=rng.random() < 0.06,
                left_behind_children=rng.random() < 0.03, unemployed=rng.random() < 0.03, special=rng.random() < 0.01,
            ))
    session.execute(insert(Household), household_rows)

    # A year of organisational life (三会一课, 主题党日, the 组织生活会 and 民主评议), saved as the clerk saves
    # it: each attending member's 组织生活 line (with the study hours) comes from its meeting.
    start = today - dt.timedelta(days=365)
    months = [(start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1) for k in range(1, 13)]
    meeting_lines = _organisational_life(session, random.Random(rng.getrandbits(64)), village.id, name, groups,
                                         member_ids, member_rows, months, today)

    _dues(session, random.Random(rng.getrandbits(64)), village.id, member_ids, member_rows, months, today)

    # The entries typed by hand, about ``entries_per_month`` a month (the meetings' lines come on top):
    # the committee's county training, and the rest spread over the year.
    entry_rows = []
    entry_types = list(ENTRY_TEXTS)
    for member_id, row in zip(member_ids, member_rows):
        at_home = row["category"] is not MemberCategory.MIGRANT
        monthly = 0
        if row["is_committee_member"]:
            monthly += 1
            entry_rows.append(dict(member_id=member_id, date=_random_date(rng, start, today),
                                   entry_type=RecordEntryType.POLITICAL_STUDY, text="参加县委党校村“两委”干部培训班",
                                   hours=rng.choice((8.0, 12.0, 16.0))))
        n = max(0, round(rng.gauss(entries_per_month * 12, entries_per_month * 2)) - monthly)
        if not at_home:
            n //= 3
        for _ in range(n):
            kind = rng.choice(entry_types)
            hours = rng.choice((1.0, 2.0, 2.0, 3.0, 4.0)) if kind is RecordEntryType.POLITICAL_STUDY else None
            entry_rows.append(dict(member_id=member_id, date=_random_date(rng, start, today), entry_type=kind,
                                   text=rng.choice(ENTRY_TEXTS[kind]), hours=hours))
        if row["category"] is MemberCategory.ELDERLY:
            entry_rows.append(dict(member_id=member_id, date=_random_date(rng, start, today),
                                   entry_type=RecordEntryType.CARE_VISIT, text="村党组织上门走访慰问", hours=None))
    session.execute(insert(RecordEntry), entry_rows)
    session.flush()

    # 发展党员 at every stage; the two accepted through it are members like the others (a post, a grid, a
    # hub, households to liaise with).
    homes = {group.id: (grid.id, hub_by_group[group.id][0], group.villager_group)
             for group, grid in zip(groups, group_grids)}
    made, households = _recruitment(session, random.Random(rng.getrandbits(64)), village.id, township, name, groups,
                                    homes, _full_members(member_ids, member_rows)[1:5], {r["name"] for r in member_rows},
                                    county, used_ids, today)
    _newcomers_dues(session, village.id, today)
    made += _transfers_and_reserve(session, random.Random(f"transfers:{township}:{name}"), village.id, member_ids,
                                   member_rows, groups, homes, county, used_ids, today)
    return len(member_rows) + made, len(household_rows) + households, len(entry_rows) + sum(meeting_lines.values())


MIGRANT_HOSTS = {"广东省": "深圳市宝安区流动党员党支部", "浙江省": "杭州市萧山区流动党员党委",
                 "江苏省": "苏州市工业园区非公企业党委"}


def _migrants(session, rng, member_ids, member_rows, away, today) -> None:
    """流动党员: one open stint each (some returned once before), a 活动证 for most (valid a year;
    those away half a year or more with a 活动证 say why the 组织关系 stays), a contact every one to three
    months by the committee member who keeps in touch; one migrant's contact is overdue, one card is
    about to expire, and those who lost contact have had none for more than half a year."""
    from partybuild_desktop.domain.migrants import ContactHow
    from partybuild_desktop.domain.probation import add_months

    committee = [row["name"] for row in member_rows[1:5]] or [member_rows[0]["name"]]
    village = session.get(Village, member_rows[0]["village_id"]) if member_rows else None
    if village is not None and not village.phone:  # the branch's phone, printed on the migrants' cards
        village.phone = f"0519-8{rng.randint(1000000, 9999999)}"
    stints, contacts = [], []
    overdue_done = expiring_done = False
    for i, info in away.items():
        member_id, row = member_ids[i], member_rows[i]
        keeper = committee[i % len(committee)]
        left_on = info["left_on"]
        if rng.random() < 0.25 and left_on > dt.date(2018, 1, 1):  # an earlier stint, returned
            went = left_on - dt.timedelta(days=rng.randint(400, 900))
            stints.append(dict(member_id=member_id, left_on=went, back_on=went + dt.timedelta(days=rng.randint(90, 300)),
                               province=info["province"], city=info["city"], county=info["county"],
                               reason="务工经商", occupation=info["occupation"], phone=info["phone"],
                               contact_person=keeper, category_before=None))
        card = rng.random() < 0.7
        issued = max(left_on, add_months(today, -rng.randint(1, 11))) if card else None
        expires = add_months(issued, 12) - dt.timedelta(days=1) if card else None
        if card and not expiring_done and not row["lost_contact"]:
            expires, expiring_done = today + dt.timedelta(days=18), True
            issued = min(issued, add_months(expires, -12) + dt.timedelta(days=1))
            issued = max(issued, left_on)
        long_away = add_months(left_on, 6) <= today
        stints.append(dict(
            member_id=member_id, left_on=left_on, back_on=None, province=info["province"], city=info["city"],
            county=info["county"], host_organisation=MIGRANT_HOSTS.get(info["province"]) if rng.random() < 0.5 else None,
            reason=info["reason"], occupation=info["occupation"], phone=info["phone"],
            wechat=f"wx{row['mobile'][-6:]}" if row["mobile"] and rng.random() < 0.6 else None,
            contact_person=keeper, card_no=info["card_no"] if card else None, card_issued_on=issued,
            card_expires_on=expires, category_before=MemberCategory.FARMER,
            no_transfer_reason="务工地点不固定，暂不具备转接组织关系条件" if card and long_away and rng.random() < 0.8 else None))
        # The contacts: back from today (or from the day contact was lost) towards the day they left.
        if row["lost_contact"]:
            last = min(row["lost_contact_date"], add_months(today, -7))
        elif not overdue_done:
            last, overdue_done = add_months(today, -4), True
        else:
            last = today - dt.timedelta(days=rng.randint(3, 80))
        day = last
        while day >= left_on and day >= add_months(today, -18):
            contacts.append(dict(member_id=member_id, date=day, how=rng.choice(list(ContactHow)), by_whom=keeper,
                                 note=rng.choice(("询问工作生活情况，提醒按时交纳党费", "寄送党员学习资料",
                                                  "通报村里近期重点工作", "微信群学习打卡", None))))
            day -= dt.timedelta(days=rng.randint(30, 85))
    if stints:
        columns = {key for stint in stints for key in stint}
        session.execute(insert(MigrantStint), [{key: stint.get(key) for key in columns} for stint in stints])
    if contacts:
        session.execute(insert(MigrantContact), contacts)


def _newcomers_dues(session, village_id, today) -> None:
    """The members accepted through recruitment pay what they owe, from the month they joined to last month."""
    from partybuild_desktop.domain.dues import month_of, previous_month
    from partybuild_desktop.services import dues
    from partybuild_desktop.store.models import RecruitCase

    last = previous_month(month_of(today))
    newcomers = list(session.scalars(select(RecruitCase.member_id).where(
        RecruitCase.village_id == village_id, RecruitCase.member_id.is_not(None))))
    for year in (last[0] - 1, last[0]):
        for row in dues.dues_year(session, village_id, year, last, member_ids=newcomers).rows:
            owed = [((year, c.month), c.due_fen) for c in row.months if c.due_fen and c.paid_fen is None
                    and (year, c.month) <= last]
            if owed:
                dues.pay(session, village_id, row.member_id, dues.PaymentForm(
                    [m for m, _ in owed], sum(a for _, a in owed), today, "组织委员"), today=today)


def _full_members(member_ids, member_rows) -> list[int]:
    """The current 正式党员 in good standing (who may be 培养联系人 or 入党介绍人)."""
    return [member_id for member_id, row in zip(member_ids, member_rows)
            if row["standing"] is Standing.FULL and row["membership_state"] is MembershipState.NORMAL
            and not row["archived"] and not row["lost_contact"]]


# ---------------------------------------------------------------------------------------- dues
# A year of 党费 as the 党费收缴登记表 keeps it: each member assessed from the year's first month (in work
# and migrants by their wage, the retired by their pension, farmers at the village's amount, a student,
# a member on 低保 and one 减免), paid month by month on the collection day (migrants often a quarter at
# once), with a few members behind: three months for some, more than six for one.


def _dues(session, rng, village_id, member_ids, member_rows, months, today) -> None:
    first = dt.date(*months[0], 1)
    assessments, payments = [], []
    behind = {member_id: rng.choice((3, 4)) for member_id in rng.sample(member_ids, min(4, len(member_ids)))}
    if member_ids:
        behind[member_ids[-1]] = 7
    for index, (member_id, row) in enumerate(zip(member_ids, member_rows)):
        category = row["category"]
        age = (today - row["birth_date"]).days // 365 if row.get("birth_date") else 50
        base = None
        if index == 3:
            kind = DuesKind.STUDENT
        elif index == 7:
            kind = DuesKind.RELIEF
        elif index == 11:
            kind = DuesKind.REDUCED
        elif category in (MemberCategory.EMPLOYED, MemberCategory.MIGRANT):
            kind, base = DuesKind.EMPLOYED, rng.randrange(2_400, 9_000, 100) * 100
        elif category is MemberCategory.ELDERLY and age >= 60 and rng.random() < 0.5:
            kind, base = DuesKind.RETIRED, rng.randrange(1_800, 5_200, 100) * 100
        elif category is MemberCategory.FARMER:
            kind = None  # 农民党员: the village's amount, no assessment needed
        else:
            kind = DuesKind.FARMER  # an elderly member without a pension pays as a farmer
        if kind is not None:
            assessed = assess(kind, base, 0 if kind is DuesKind.REDUCED else None)
            assessments.append(dict(
                village_id=village_id, member_id=member_id, from_month=first, kind=kind, base_fen=base,
                monthly_fen=assessed.monthly_fen, decided_on=first if kind is DuesKind.REDUCED else None,
                approved_by="镇党委" if kind is DuesKind.REDUCED else None,
                note="家庭遭遇重大变故，经支部研究、镇党委批准免交" if kind is DuesKind.REDUCED else None))
            monthly = assessed.monthly_fen
        else:
            monthly = DEFAULT_FARMER_FEN
        joined = row.get("joined_date")
        owed = [(y, m) for y, m in months if not joined or (y, m) >= (joined.year, joined.month)]
        owed = [m for m in owed if dt.date(*m, 1) <= today]
        stop = len(owed) - behind.get(member_id, 0) if member_id in behind else len(owed)
        migrant = category is MemberCategory.MIGRANT
        for number, (year, month) in enumerate(owed[:stop]):
            if monthly == 0 or (not migrant and rng.random() < 0.03):
                continue  # nothing owed (减免), or a month missed and not made up
            if migrant:  # a quarter at once, at the end of its last month
                last = owed[min(number - number % 3 + 2, stop - 1)]
                paid_on = min(dt.date(*last, 25), today)
            else:
                paid_on = min(dt.date(year, month, rng.randint(5, 12)), today)
            payments.append(dict(village_id=village_id, member_id=member_id, month=dt.date(year, month, 1),
                                 amount_fen=monthly, paid_on=paid_on, collector="组织委员" if not migrant else "本人转账",
                                 receipt_no=None, method="quarterly" if migrant else "monthly", note=None))
    if assessments:
        session.execute(insert(DuesAssessment), assessments)
    if payments:
        session.execute(insert(DuesPayment), payments)


# ---------------------------------------------------------------------------------------- organisational life
# A year of 三会一课, 主题党日 and the 组织生活会 up to today, saved through the meetings service as the clerk
# saves them (so each attending member's 纪实本 line comes from its meeting, never typed twice), and the
# 民主评议 of the December the year holds.

THEME_DAY = 5  # 主题党日: the 5th of each month, or the nearest working day
THEME_DAY_SPECIAL = {7: 1, 10: 9}  # 七一; after the National Day holiday
THEME_TOPICS = {
    1: "学习中央经济工作会议精神\n开展冬季困难群众、困难党员走访慰问",
    2: "学习中央一号文件精神\n谋划春耕备耕和村级重点工作",
    3: "学雷锋志愿服务：清扫村道，整治房前屋后环境卫生",
    4: "清明节祭扫烈士墓，缅怀革命先烈，开展革命传统教育",
    5: "学习《中国共产党农村基层组织工作条例》\n防汛安全宣传",
    6: "“安全生产月”宣传，入户开展防溺水宣传",
    7: "庆祝中国共产党成立{age}周年：重温入党誓词，表彰优秀共产党员",
    8: "学习党章，开展“党员亮身份、践承诺”活动",
    9: "秋收助农志愿服务，开展秸秆禁烧宣传",
    10: "重阳节敬老志愿服务，走访慰问老党员",
    11: "学习党的创新理论\n冬季森林防火和征兵政策宣传",
    12: "“国家宪法日”学习宪法\n开展年终党员积分评定",
}
THEME_PLACES = {4: "镇烈士陵园"}
THEME_HOURS = {5: 2.5, 7: 3.0, 8: 2.5, 11: 2.5}  # other months 2.0
COMMITTEE_MATTERS = {
    1: "研究春节前走访慰问困难党员和困难群众名单", 2: "研究春耕生产和人居环境整治安排",
    3: "研究年度发展党员计划", 4: "研究清明期间森林防火和安全工作", 5: "研究防汛准备和“七一”活动方案",
    6: "研究上半年党员积分评定", 7: "研究防汛值守和村集体经济项目推进", 8: "研究秋季征兵和困难学生帮扶",
    9: "研究秋收秋种和秸秆禁烧工作", 10: "研究重阳节慰问老党员安排", 11: "研究年度组织生活会和民主评议准备工作",
    12: "研究年度工作总结和明年工作思路",
}
ASSEMBLY_TOPICS = {  # per quarter: (topic, decision, voted)
    1: ("审议村级年度工作计划\n讨论确定发展对象", "同意村级年度工作计划", False),
    2: ("村级重大事项“四议两公开”：审议村道硬化工程实施方案", "通过村道硬化工程实施方案", True),
    3: ("通报上半年党费收缴、使用情况\n讨论困难党员慰问名单", "同意困难党员慰问名单", False),
    4: ("评选年度优秀共产党员\n审议村集体经济收益分配方案", "通过村集体经济收益分配方案", True),
}
LECTURES = {  # per quarter: (month, topic)
    1: (3, "书记讲党课：坚定理想信念，争做合格党员"),
    2: (6, "专题党课：学习《中国共产党纪律处分条例》，严守党的纪律"),
    3: (9, "书记讲党课：发展壮大村集体经济，带领群众共同致富"),
    4: (11, "专题党课：传承红色基因，践行初心使命"),
}
GROUP_TOPICS = (
    "传达学习本月主题党日精神\n讨论本组人居环境整治",
    "学习党章，交流思想\n收集本组群众意见建议",
    "研究本组困难户帮扶\n通报党费缴纳情况",
    "学习惠农政策，讨论本组产业发展",
    "学习党的创新理论\n安排本组防汛和安全工作",
    "开展谈心谈话，查找党员作用发挥不足",
)
BUSY_MONTHS = (6, 9)  # 夏收、秋收: the months a party group may miss its meeting
LIFE_MEETING_DAY = 10  # the 组织生活会 and 民主评议: about 10 December
# 春节 (the first day of the lunar year): the 流动党员座谈会 is held a few days later, while they are home.
SPRING_FESTIVAL = {2023: dt.date(2023, 1, 22), 2024: dt.date(2024, 2, 10), 2025: dt.date(2025, 1, 29),
                   2026: dt.date(2026, 2, 17), 2027: dt.date(2027, 2, 6), 2028: dt.date(2028, 1, 26)}


def _working_day(day: dt.date) -> dt.date:
    """A Saturday moves to the Friday before, a Sunday to the Monday after."""
    return day + dt.timedelta(days={5: -1, 6: 1}.get(day.weekday(), 0))


@dataclass
class _Person:
    id: int
    name: str
    full: bool
    category: MemberCategory
    group_id: int
    committee: bool
    joined: dt.date
    away_since: dt.date | None
    lost_contact: bool
    normal: bool
    lax: bool  # misses meetings without leave now and then


def _status(rng: random.Random, person: _Person, day: dt.date) -> tuple[Attendance, str]:
    """How one member took part on ``day``: at home, away working (sometimes joining the meeting where they
    work), frail, or now and then absent without leave."""
    draw = rng.random()
    if person.away_since is not None and day >= person.away_since:
        if person.lost_contact:
            return Attendance.ABSENT, ""
        if draw < 0.3:
            return Attendance.ELSEWHERE, ""
        return (Attendance.LEAVE, "外出务工") if draw < 0.97 else (Attendance.ABSENT, "")
    if person.category is MemberCategory.ELDERLY:
        if draw < 0.4:
            return Attendance.LEAVE, "年老体弱行动不便"
        return (Attendance.LEAVE, "生病") if draw < 0.47 else (Attendance.PRESENT, "")
    if person.lax and draw < 0.2:
        return Attendance.ABSENT, ""
    if draw < 0.93 + 0.04 * person.committee:
        return Attendance.PRESENT, ""
    if draw > 0.99 and not person.committee:
        return Attendance.ABSENT, ""
    reasons = ("工作冲突",) if person.category is MemberCategory.EMPLOYED or person.committee else ("生病", "家中有事")
    return Attendance.LEAVE, rng.choice(reasons)


def _organisational_life(session, rng, village_id, village_name, groups, member_ids, member_rows, months, today):
    """Save the year's meetings in date order and the 民主评议; returns the 纪实 lines written per member."""
    people = [
        _Person(member_id, row["name"], row["standing"] is Standing.FULL, row["category"], row["party_group_id"],
                row["is_committee_member"], row["joined_date"], row.get("away_since"), row["lost_contact"],
                row["membership_state"] is MembershipState.NORMAL,
                row["category"] is not MemberCategory.ELDERLY and rng.random() < 0.04)
        for member_id, row in zip(member_ids, member_rows)
    ]
    by_id = {p.id: p for p in people}
    secretary, recorder = people[0].name, people[1 % len(people)].name
    hall = f"{village_name}党群服务中心"
    full = sum(p.full and p.normal for p in people)

    plan = []  # (date, kind, fields): every meeting of the year
    for year, month in months:
        quarter = (month - 1) // 3 + 1
        day = _working_day(dt.date(year, month, THEME_DAY_SPECIAL.get(month, THEME_DAY)))
        plan.append((day, MeetingKind.THEME_DAY, dict(
            topic=THEME_TOPICS[month].format(age=year - 1921), place=THEME_PLACES.get(month, hall), time="09:00-11:30",
            hours=THEME_HOURS.get(month, 2.0))))
        if has_committee(full):  # a branch of fewer than 7 正式党员 has no 支委会
            plan.append((_working_day(dt.date(year, month, 2)), MeetingKind.COMMITTEE, dict(
                topic=f"第一议题：学习习近平总书记重要讲话精神\n{COMMITTEE_MATTERS[month]}", place=f"{hall}会议室",
                time="14:30-16:30", hours=1.0)))
        if month in (1, 4, 7, 10):
            topic, decision, voted = ASSEMBLY_TOPICS[quarter]
            plan.append((_working_day(dt.date(year, month, 15)), MeetingKind.BRANCH_ASSEMBLY, dict(
                topic=topic, place=f"{hall}会议室", time="09:00-11:00", decision=(decision, voted))))
        if month == LECTURES[quarter][0]:
            plan.append((_working_day(dt.date(year, month, 20)), MeetingKind.LECTURE, dict(
                topic=LECTURES[quarter][1], place=f"{hall}会议室", time="09:00-11:30",
                hours=rng.choice((2.0, 3.0, 3.0, 4.0)))))
        festival = SPRING_FESTIVAL.get(year)
        if festival is not None and month == festival.month:
            plan.append((festival + dt.timedelta(days=4), MeetingKind.MIGRANT_FORUM, dict(
                topic=f"{year}年春节返乡流动党员座谈会：通报村里发展情况，听取意见建议，发放学习资料和联系卡",
                place=f"{hall}会议室", time="09:00-11:00", hours=2.0)))
        if month == 12:
            day = _working_day(dt.date(year, 12, LIFE_MEETING_DAY))
            plan.append((min(day, today), MeetingKind.LIFE_MEETING, dict(
                topic=f"{year}年度组织生活会：对照检查，开展批评和自我批评\n民主评议党员", place=f"{hall}会议室",
                time="09:00-12:00", hours=3.0, review=True)))
    # A party group meeting each month, in the evening at a hub household or the activity room; one group
    # missed a month or two at harvest time.
    past = [m for m in months if m < (today.year, today.month)]
    this_year = [m for m in past if m[0] == today.year]
    busy = [m for m in this_year if m[1] in BUSY_MONTHS] or this_year[-2:] or past[-1:]
    skipping = rng.randrange(len(groups))
    for index, group in enumerate(groups):
        members_of = [p for p in people if p.group_id == group.id]
        for number, (year, month) in enumerate(months):
            if index == skipping and (year, month) in busy:
                continue
            place = rng.choice((f"{group.villager_group}党员中心户家中", f"{hall}党员活动室"))
            plan.append((dt.date(year, month, rng.randint(8, 22)), MeetingKind.GROUP, dict(
                group=group, topic=GROUP_TOPICS[(number + index) % len(GROUP_TOPICS)], place=place, time="19:30-21:00",
                hours=1.0, host=by_id.get(group.leader_id), others=members_of)))
    # A 支部党员大会 receiving each new 预备党员 on the day they joined; a quarter with one holds no other.
    first = dt.date(*months[0], 1)
    received = {}
    for p in people:
        if not p.full and first <= p.joined <= today:
            received.setdefault((p.joined.year, (p.joined.month - 1) // 3), []).append(p)
    plan = [item for item in plan if not (item[1] is MeetingKind.BRANCH_ASSEMBLY
                                          and (item[0].year, (item[0].month - 1) // 3) in received)]
    for newcomers in received.values():
        for p in newcomers:
            plan.append((p.joined, MeetingKind.BRANCH_ASSEMBLY, dict(
                topic=f"讨论接收{p.name}为中共预备党员", place=f"{hall}会议室", time="09:00-11:00",
                decision=(f"同意接收{p.name}为中共预备党员", True))))
    plan = [item for item in plan if first <= item[0] <= today]
    plan.sort(key=lambda item: (item[0], item[1].value))

    lines = dict.fromkeys(member_ids, 0)
    by_person = {p.id: p for p in people}
    for day, kind, fields in plan:
        # Who was due that day, and who had a vote, as the service judges it.
        roster = meeting_roster(session, village_id, kind, fields["group"].id if "group" in fields else None, on=day)
        on_list = [(by_person[r.member_id], r.voting) for r in roster if r.member_id in by_person]
        if not on_list:
            continue
        attendance = {}
        voting_present = 0
        # Home for the festival: most come to the 座谈会 (their own draw, so the other meetings stay as they were).
        forum = random.Random(f"forum:{village_name}:{day}") if kind is MeetingKind.MIGRANT_FORUM else None
        for p, voting in on_list:
            if forum is not None:
                status, reason = (Attendance.PRESENT, "") if forum.random() < 0.8 else (Attendance.LEAVE, "春节未返乡")
            else:
                status, reason = _status(rng, p, day)
            if status is not Attendance.PRESENT:
                attendance[p.id] = (status, reason)
            voting_present += voting and status is Attendance.PRESENT
            lines[p.id] += status in (Attendance.PRESENT, Attendance.ELSEWHERE)
        host, note = secretary, recorder
        if kind is MeetingKind.GROUP:
            leader = fields["host"] or on_list[0][0]
            host = leader.name
            note = next((p.name for p in fields["others"] if p is not leader and p.category is not MemberCategory.MIGRANT),
                        leader.name)
        decisions = []
        if "decision" in fields:
            text, voted = fields["decision"]
            against = min(voting_present, rng.choice((0, 0, 0, 1))) if voted else 0
            abstain = min(voting_present - against, rng.choice((0, 0, 1, 2))) if voted else 0
            agree = voting_present - against - abstain
            decisions.append(DecisionForm(text, *((agree, against, abstain) if voted else (None, None, None))))
        minutes = {
            MeetingKind.THEME_DAY: "支部书记主持，集中学习有关文件精神，党员交流发言，随后开展主题活动。",
            MeetingKind.COMMITTEE: "支委会先学习第一议题，再逐项研究本月工作，明确分工和完成时限。",
            MeetingKind.BRANCH_ASSEMBLY: "会议通报有关情况，党员充分讨论后按程序表决。",
            MeetingKind.LECTURE: "支部书记讲授党课，党员结合自身实际交流学习体会。",
            MeetingKind.GROUP: "党小组长传达支部工作安排，组内党员逐一发言，收集群众意见建议。",
            MeetingKind.LIFE_MEETING: "支部书记代表支委会作对照检查，党员逐一发言，开展批评和自我批评；会上民主评议党员。",
            MeetingKind.MIGRANT_FORUM: "支部书记通报村里一年来的发展情况，返乡流动党员交流在外工作生活情况，提出意见建议；"
                                       "发放学习资料和流动党员联系卡。",
        }[kind]
        form = MeetingForm(kind=kind, date=day, topic=fields["topic"], time=fields["time"], place=fields["place"],
                           host=host, recorder=note, party_group_id=fields["group"].id if "group" in fields else None,
                           hours=fields.get("hours"), minutes=minutes, attendance=attendance, decisions=decisions,
                           attendees_note="镇党委包村干部" if kind in (MeetingKind.LECTURE, MeetingKind.LIFE_MEETING) else None)
        save_meeting(session, village_id, form, today=today)
        if fields.get("review"):
            for member_id in _review(session, rng, village_id, day, people, today):
                lines[member_id] += 1
    return lines


def _review(session, rng, village_id, day, people, today) -> list[int]:
    """The year's 民主评议 at its 组织生活会: about a fifth 优秀 (within the ⅓ cap), the committee first, then
    members at home; 基本合格 for the few often absent without leave; 不合格 (限期改正) for one who lost
    contact. Returns the members graded (each has a 纪实 line)."""
    graded = [p for p in people if p.full and p.normal and p.joined < day]
    grades = {}
    for p in [p for p in graded if p.lost_contact][:1]:
        grades[p.id] = ReviewForm(ReviewGrade.UNQUALIFIED, "限期改正", "失去联系，长期未参加组织生活")
    for p in [p for p in graded if p.id not in grades and (p.lax or p.lost_contact)][:3]:
        grades[p.id] = ReviewForm(ReviewGrade.BASIC)
    candidates = [p for p in graded if p.id not in grades and p.away_since is None
                  and p.category is not MemberCategory.ELDERLY]
    rng.shuffle(candidates)
    candidates.sort(key=lambda p: not p.committee)
    for p in candidates[:len(graded) // 5]:  # a fifth: within the cap of a third
        grades[p.id] = ReviewForm(ReviewGrade.EXCELLENT)
    for p in graded:
        grades.setdefault(p.id, ReviewForm(ReviewGrade.QUALIFIED))
    set_reviews(session, village_id, day.year, grades, decided_on=day, today=today)
    return list(grades)


# ---------------------------------------------------------------------------------------- recruitment
# 发展党员 at every stage, entered step by step through the recruitment service as the clerk enters them
# (every rule checked): applicants (one talked to late, the breach kept with its reason), activists with
# their six-monthly reviews, 发展对象 with introducers and training (one in 公示 until today), one accepted
# as 预备党员 this year and one 转正 (both become members through the service). The 预备 members made
# directly above stay as they are.

def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def _recruitment(session, rng, village_id, township, village_name, groups, homes, full_member_ids, taken_names, county,
                 used_ids, today) -> tuple[int, int]:
    """The cases; returns the members and households added."""
    from partybuild_desktop.domain.dates import format_cn
    from partybuild_desktop.domain.probation import add_months
    from partybuild_desktop.domain.recruitment import Step
    from partybuild_desktop.services import recruitment
    from partybuild_desktop.services.recruitment import CaseForm, Person, StepForm
    from partybuild_desktop.store.models import RecruitCase

    fake = _Names(rng)
    contacts, introducers = full_member_ids[:2], full_member_ids[2:4]
    days = dt.timedelta

    def person(applied: dt.date, reason: str | None = None) -> int:
        gender = Gender.MALE if rng.random() < 0.6 else Gender.FEMALE
        name = fake.person(gender)
        while name in taken_names:
            name = fake.person(gender)
        taken_names.add(name)
        age = rng.randint(20, 38)
        birth = _random_date(rng, dt.date(applied.year - age - 1, 1, 1), dt.date(applied.year - age, 1, 1))
        form = CaseForm(name, applied, gender=gender, id_number=_id_number(rng, county, birth, gender, used_ids),
                        party_group_id=rng.choice(groups).id, reason=reason)
        return recruitment.create_case(session, village_id, form, today=today).case_id

    def steps(case_id: int, plan) -> None:
        for step, day, extra in plan:
            recruitment.advance(session, village_id, case_id, StepForm(step, day, **extra), today=today)

    def review(case_id: int, named: dt.date, until: dt.date) -> None:
        day = add_months(named, 5)
        while day <= min(until, today):
            recruitment.add_review(session, village_id, case_id, day, "表现良好，按期完成培养任务", today=today)
            day = add_months(day, 5)

    def to_candidate(case_id: int, applied: dt.date) -> dt.date:
        """② to ⑪ on the way every rule asks for; returns the day of ⑪."""
        named = applied + days(60)
        candidate = add_months(named, 12) + days(10)
        steps(case_id, [
            (Step.TALK, applied + days(14), {"note": "支部书记谈话"}),
            (Step.ACTIVIST_NAMED, named, {}),
            (Step.ACTIVIST_FILED, named + days(7), {}),
            (Step.CONTACTS, named + days(7), {"contacts": [Person(member_id=i) for i in contacts]}),
        ])
        review(case_id, named, candidate)
        steps(case_id, [
            (Step.ACTIVIST_TRAINING, candidate - days(5), {}),
            (Step.CANDIDATE_NAMED, candidate, {}),
            (Step.CANDIDATE_FILED, candidate + days(5), {}),
            (Step.INTRODUCERS, candidate + days(7), {"introducers": [Person(member_id=i) for i in introducers]}),
            (Step.POLITICAL_REVIEW, candidate + days(20), {"note": "政治审查合格"}),
            (Step.TRAINING, candidate + days(30), {"training_days": 3, "training_hours": 24}),
        ])
        return candidate + days(30)

    def to_member(case_id: int, assembly: dt.date, note: str) -> None:
        """⑫ to ⑳, the 支部大会 on ``assembly`` and the approval two months later."""
        publicity = _monday_on_or_after(assembly - days(40))
        steps(case_id, [
            (Step.COMMITTEE_REVIEW, publicity - days(3), {"publicity_start": publicity,
                                                          "publicity_end": publicity + days(4)}),
            (Step.PRE_REVIEW, publicity + days(7), {}),
            (Step.APPLICATION_FORM, publicity + days(14), {}),
            (Step.ASSEMBLY, assembly, {"note": note}),
            (Step.UPPER_TALK, assembly + days(20), {}),
            (Step.APPROVAL, assembly + days(60), {}),
            (Step.APPROVAL_FILED, assembly + days(65), {}),
            (Step.PLACED, assembly + days(65), {}),
            (Step.OATH, assembly + days(70), {}),
        ])

    # Applicants: one waiting for the talk, one talked to, one talked to late (kept with the reason).
    person(today - days(12))
    case_id = person(today - days(45))
    steps(case_id, [(Step.TALK, today - days(30), {"note": "支部书记谈话"})])
    case_id = person(today - days(80))
    recruitment.advance(session, village_id, case_id, StepForm(Step.TALK, today - days(80) + days(45),
                                                               reason="申请人外出务工，返乡后谈话"), today=today)
    # Activists, reviewed every six months (a little under): one of nine months, one of sixteen.
    for months in (9, 16):
        applied = add_months(today, -months)
        case_id = person(applied)
        named = applied + days(40)
        steps(case_id, [(Step.TALK, applied + days(10), {}), (Step.ACTIVIST_NAMED, named, {}),
                        (Step.ACTIVIST_FILED, named + days(5), {}),
                        (Step.CONTACTS, named + days(5), {"contacts": [Person(member_id=contacts[months % 2])]})])
        review(case_id, named, today)
    # 发展对象: one trained, one in 公示 until today after the 支委会's review.
    case_id = person(add_months(today, -18))
    to_candidate(case_id, add_months(today, -18))
    case_id = person(add_months(today, -19))
    trained = to_candidate(case_id, add_months(today, -19))
    steps(case_id, [(Step.COMMITTEE_REVIEW, max(trained, today - days(9)),
                     {"publicity_start": today - days(6), "publicity_end": today})])
    # Accepted as 预备党员 this year (approved two months after the 支部大会), and one 转正; each 支部党员大会
    # that accepts or confirms them is recorded first (one meeting a day, each person voted on separately),
    # so the steps are checked against its quorum and vote.
    approval = max(today - days(40), dt.date(today.year, 1, 1))
    accepted_assembly = approval - days(60)
    applied = add_months(accepted_assembly, -15) - days(60)
    accepted = person(applied)
    to_candidate(accepted, applied)
    confirm_assembly = today - days(100)
    confirmed_assembly = add_months(confirm_assembly - days(3), -12)
    applied = add_months(confirmed_assembly, -15) - days(60)
    confirmed = person(applied)
    to_candidate(confirmed, applied)
    name_of = dict(session.execute(select(RecruitCase.id, RecruitCase.name).where(
        RecruitCase.id.in_((accepted, confirmed)))).all())
    chair = session.scalar(select(Member.name).where(Member.village_id == village_id).order_by(Member.id).limit(1))
    clerk = session.scalar(select(Member.name).where(Member.id == full_member_ids[0]))

    def assembly_meeting(day: dt.date, decisions: list[str]) -> str:
        """The 支部党员大会 of ``day``: migrants and the frail on leave (as long as more than half of those
        with a vote are there), everyone else present, each decision passed by all the voting members
        present; returns the note the step records."""
        roster = meeting_roster(session, village_id, MeetingKind.BRANCH_ASSEMBLY, on=day)
        due = sum(r.voting for r in roster)
        present, away = due, {}
        for r in roster:
            if (r.migrant or r.frail) and (not r.voting or (present - 1) * 2 > due + 2):
                away[r.member_id] = (Attendance.LEAVE, "外出务工" if r.migrant else "年老体弱行动不便")
                present -= r.voting
        saved = save_meeting(session, village_id, MeetingForm(
            kind=MeetingKind.BRANCH_ASSEMBLY, date=day, topic="\n".join(f"讨论{text.removeprefix('同意')}" for text in decisions),
            time="09:00-11:00", place=f"{village_name}党群服务中心会议室", host=chair, recorder=clerk,
            minutes="支委会介绍有关情况，入党介绍人介绍本人表现，党员充分讨论后逐个无记名投票表决。", attendance=away,
            decisions=[DecisionForm(text, present, 0, 0) for text in decisions]), today=today)
        return f"支部党员大会逐个表决通过，赞成{present}票（见{format_cn(day)}支部党员大会会议记录，编号 {saved.id}）"

    note = assembly_meeting(confirmed_assembly, [f"同意接收{name_of[confirmed]}为中共预备党员"])
    to_member(confirmed, confirmed_assembly, note)
    steps(confirmed, [
        (Step.PROBATION_REVIEW, add_months(confirmed_assembly, 6), {"note": "半年考察：表现良好"}),
        (Step.CONFIRM_APPLICATION, add_months(confirmed_assembly, 12) - days(10), {}),
    ])
    decisions: dict[dt.date, list[str]] = {}
    decisions.setdefault(accepted_assembly, []).append(f"同意接收{name_of[accepted]}为中共预备党员")
    decisions.setdefault(confirm_assembly, []).append(f"同意{name_of[confirmed]}按期转为中共正式党员")
    notes = {day: assembly_meeting(day, texts) for day, texts in sorted(decisions.items())}
    to_member(accepted, accepted_assembly, notes[accepted_assembly])
    steps(accepted, [(Step.PROBATION_REVIEW, min(today, accepted_assembly + days(90)), {})])
    steps(confirmed, [
        (Step.CONFIRM_ASSEMBLY, confirm_assembly, {"note": notes[confirm_assembly]}),
        (Step.CONFIRM_APPROVAL, confirm_assembly + days(20), {}),
        (Step.ARCHIVED, confirm_assembly + days(30), {}),
    ])
    made = session.execute(select(Member.id, Member.party_group_id, Member.birth_date).join(
        RecruitCase, RecruitCase.member_id == Member.id).where(RecruitCase.village_id == village_id)
        .order_by(Member.id)).all()
    households = []
    for member_id, group_id, birth in made:
        grid_id, hub_id, villager_group = homes[group_id]
        session.execute(update(Member).where(Member.id == member_id).values(
            ethnicity="汉族", education=_education(rng, today.year - birth.year), mobile=fake.phone(),
            address=f"{township}{village_name}{villager_group}{rng.randint(1, 120)}号", category=MemberCategory.FARMER,
            post=rng.choice(POSTS), grid_id=grid_id, hub_id=hub_id))
        for _ in range(rng.choice((11, 12, 13))):
            gender = Gender.MALE if rng.random() < 0.8 else Gender.FEMALE
            households.append(dict(
                village_id=village_id, head_name=fake.person(gender), villager_group=villager_group,
                address=f"{township}{village_name}{villager_group}{rng.randint(1, 300)}号", phone=fake.phone(),
                size=rng.randint(1, 6), grid_id=grid_id, liaison_member_id=member_id, hardship=False,
                elderly_alone=False, left_behind_children=False, unemployed=False, special=False))
    if households:
        session.execute(insert(Household), households)
    session.flush()
    return len(made), len(households)


# ---------------------------------------------------------------------------------------- 组织关系 and 后备干部
# One member transferred out (the 回执 came back), one whose letter has expired with no 回执, one member
# received from another branch; and the year's 后备干部, carried from last year's roster with some new.

RESERVE_STRENGTHS = ("种养殖技术好，带动周边农户增收", "熟悉农村电商，开网店销售农产品", "退役后返乡创业，组织协调能力强",
                     "懂财会，热心村务", "返乡大学生，熟悉电脑和政策宣传", "在外务工多年，有管理经验",
                     "调解邻里纠纷有办法，群众信任", "家庭农场主，懂农机")
TRANSFER_TO = ("中共苏州市吴江区震泽镇新乐村支部委员会", "中共杭州市萧山区宁围街道流动党员党委")
TRANSFER_FROM = "中共盐城市大丰区草庙镇东灶村支部委员会"


def _plain_members(session, member_ids, member_rows) -> list[int]:
    """Full farmer members with no post in the liaison pyramid and nobody attached to them: such a member
    can leave once their households have another member to liaise with them."""
    from partybuild_desktop.store.models import CommitteePostHolder, GridBranchMember, GridStaff, RecruitPerson

    taken = set(session.scalars(select(Member.id).where(Member.is_hub_household | Member.is_model_post)))
    taken |= set(session.scalars(select(Member.hub_id).where(Member.hub_id.is_not(None))))
    taken |= set(session.scalars(select(CommitteePostHolder.member_id).where(CommitteePostHolder.member_id.is_not(None))))
    taken |= set(session.scalars(select(GridStaff.member_id).where(GridStaff.member_id.is_not(None))))
    taken |= set(session.scalars(select(GridBranchMember.member_id)))
    taken |= set(session.scalars(select(RecruitPerson.member_id).where(RecruitPerson.member_id.is_not(None))))
    for column in (PartyGroup.leader_id, PartyGroup.branch_contact_id, GridBranch.secretary_id,
                   GridBranch.committee_contact_id):
        taken |= set(session.scalars(select(column).where(column.is_not(None))))
    return [member_id for member_id, row in zip(member_ids, member_rows)
            if member_id not in taken and not row["is_committee_member"]
            and row["standing"] is Standing.FULL and row["category"] is MemberCategory.FARMER
            and row["membership_state"] is MembershipState.NORMAL and not row.get("lost_contact")]


def _transfers_and_reserve(session, rng, village_id, member_ids, member_rows, groups, homes, county, used_ids,
                           today) -> int:
    """Returns how many members it added: the one transferred in (none for a sample whose today is
    before September)."""
    fake = _Names(rng)
    # Who leaves in June must have nothing in their history after it (a 转正 in July, say).
    later_events = set(session.scalars(select(MemberEvent.member_id).where(
        MemberEvent.date >= dt.date(today.year, 6, 1))))
    plain = [m for m in _plain_members(session, member_ids, member_rows) if m not in later_events]
    arrived = dt.date(today.year, 9, 8)
    made = 0
    if len(plain) >= 2 and groups and arrived <= today:
        made = _transfers(session, rng, fake, village_id, plain, groups, homes, county, used_ids, arrived, today)
    _reserve_cadres(session, rng, fake, village_id, member_ids, member_rows, today)
    return made


def _transfers(session, rng, fake, village_id, plain, groups, homes, county, used_ids, arrived, today) -> int:
    """A member transferred out in June (回执 in July), a letter of July still without its 回执, and a
    member received in September; returns 1, the member added."""
    from partybuild_desktop.domain.dues import month_of, previous_month
    from partybuild_desktop.services import dues, members, transfers

    later = plain[len(plain) // 2:]
    leaving, waiting = rng.sample(later if len(later) >= 2 else plain, 2)
    done = transfers.transfer_out(session, village_id, transfers.OutForm(
        leaving, TRANSFER_TO[0], dt.date(today.year, 6, 10), note="在当地长期务工并定居"), today)
    transfers.record_receipt(session, village_id, done.id, dt.date(today.year, 7, 2), today)
    # Dues are paid here up to the month of leaving (交到转出当月); what the sample paid after is not.
    session.execute(delete(DuesPayment).where(DuesPayment.member_id == leaving,
                                              DuesPayment.month > dt.date(today.year, 7, 1)))
    transfers.transfer_out(session, village_id, transfers.OutForm(
        waiting, TRANSFER_TO[1], dt.date(today.year, 7, 15), note="到萧山工作，组织关系转往当地"), today)
    # The member received from another branch takes over the households of the one who left.
    gender = rng.choice((Gender.MALE, Gender.FEMALE))
    birth = _random_date(rng, dt.date(1975, 1, 1), dt.date(1992, 12, 31))
    group = groups[0]
    grid_id, hub_id, _ = homes[group.id]
    card = members.MemberForm(
        name=fake.person(gender), gender=gender, id_number=_id_number(rng, county, birth, gender, used_ids),
        birth_date=birth, education=_education(rng, today.year - birth.year), joined_date=dt.date(2012, 7, 1),
        mobile=fake.phone(), category=MemberCategory.FARMER, post="环境卫生监督岗", party_group_id=group.id,
        grid_id=grid_id, hub_id=hub_id)
    came = transfers.transfer_in(session, village_id, transfers.InForm(
        TRANSFER_FROM, arrived, f"{today.year}-045", member=card, note="婚后定居本村"), today)
    session.execute(update(Household).where(Household.liaison_member_id == leaving)
                    .values(liaison_member_id=came.row.member_id))
    last = previous_month(month_of(today))
    for row in dues.dues_year(session, village_id, today.year, last, member_ids=[came.row.member_id]).rows:
        owed = [((today.year, c.month), c.due_fen) for c in row.months if c.due_fen and c.paid_fen is None
                and (today.year, c.month) <= last]
        if owed:
            dues.pay(session, village_id, row.member_id, dues.PaymentForm(
                [m for m, _ in owed], sum(a for _, a in owed), today, "组织委员"), today=today)
    return 1


def _reserve_cadres(session, rng, fake, village_id, member_ids, member_rows, today) -> None:
    """后备干部: last year's roster, renewed into this year, a few taken off and some added."""
    from partybuild_desktop.domain.reserve_cadres import SOURCES, CadreForm
    from partybuild_desktop.services import reserve_cadres

    trainers = [member_id for member_id, row in zip(member_ids, member_rows)
                if row["is_committee_member"]] or member_ids[:1]
    names = {row["name"] for row in member_rows}

    def person(year: int, source: str | None = None, **given) -> None:
        gender = given.pop("gender", rng.choice((Gender.MALE, Gender.MALE, Gender.FEMALE)))
        name = given.pop("name", None)
        while name is None:
            name = fake.person(gender)
            name = None if name in names else name
        names.add(name)
        born = given.pop("birth_year", rng.randint(1978, 2000))
        reserve_cadres.save(session, village_id, year, CadreForm(
            name, gender, born, _education(rng, year - born), fake.phone(), source or rng.choice([s for s in SOURCES if s not in ("优秀流动党员", "其他")]),
            rng.choice(RESERVE_STRENGTHS), rng.choice(trainers)), today=today)

    last_year = today.year - 1
    for _ in range(rng.randint(11, 14)):
        person(last_year)
    migrants = [(row["name"], row["gender"], row["birth_date"].year) for row in member_rows
                if row["category"] is MemberCategory.MIGRANT and row["birth_date"] and row["birth_date"].year >= 1975]
    if migrants:  # a capable migrant among them
        name, gender, born = rng.choice(migrants)
        person(last_year, "优秀流动党员", name=name, gender=gender, birth_year=born)
    reserve_cadres.renew(session, village_id, last_year, today)
    this_year = reserve_cadres.roster(session, village_id, today.year)
    for line in rng.sample(this_year, min(2, len(this_year) - 1)) if this_year else ():
        reserve_cadres.remove(session, village_id, line.id)
    for _ in range(rng.randint(2, 5)):
        person(today.year)
