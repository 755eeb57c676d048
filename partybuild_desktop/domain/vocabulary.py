"""One English name per domain concept (see DOMAIN.md), each with its Chinese label.

Enum values are the codes stored in the database; ``label`` is what a clerk reads.
"""

from __future__ import annotations

import enum


class Labelled(str, enum.Enum):
    """A stored code with its Chinese label; ``from_label`` accepts either."""

    def __new__(cls, code: str, label: str):
        obj = str.__new__(cls, code)
        obj._value_ = code
        obj.label = label
        return obj

    def __str__(self) -> str:  # pragma: no cover - convenience only
        return self.label

    @classmethod
    def from_label(cls, text: str):
        text = (text or "").strip()
        for item in cls:
            if text in (item.value, item.label):
                return item
        raise ValueError(f"不认识的{cls.__doc__ or cls.__name__}：{text}")


class BranchType(Labelled):
    """党组织类型"""

    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    COMMITTEE = "committee", "党委"


class GridLevel(Labelled):
    """网格层级"""

    VILLAGE = "village", "村级网格"
    GROUP = "group", "组级网格"
    HOUSEHOLD = "household", "户级网格"


class GridRole(Labelled):
    """网格职务"""

    LEADER = "leader", "网格长"
    WORKER = "worker", "网格员"


class Gender(Labelled):
    """性别"""

    MALE = "male", "男"
    FEMALE = "female", "女"


class Standing(Labelled):
    """人员类别"""

    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"


class MembershipState(Labelled):
    """党籍状态"""

    NORMAL = "normal", "正常"
    SUSPENDED = "suspended", "停止党籍"


class MemberCategory(Labelled):
    """党员类别"""

    EMPLOYED = "employed", "在职党员"
    FARMER = "farmer", "农民党员"
    MIGRANT = "migrant", "流动党员"
    ELDERLY = "elderly", "年老体弱党员"


class ManagementMode(Labelled):
    """管理方式"""

    TWO_WAY = "two_way", "双向管理"
    POST = "post", "岗位管理"
    DYNAMIC = "dynamic", "动态管理"
    CARE = "care", "关爱管理"


MANAGEMENT_MODE = {
    MemberCategory.EMPLOYED: ManagementMode.TWO_WAY,
    MemberCategory.FARMER: ManagementMode.POST,
    MemberCategory.MIGRANT: ManagementMode.DYNAMIC,
    MemberCategory.ELDERLY: ManagementMode.CARE,
}


def management_mode(category: MemberCategory) -> ManagementMode:
    """The management mode that a member category implies (seed 000, 三.3)."""
    return MANAGEMENT_MODE[MemberCategory(category)]


class Education(Labelled):
    """学历"""

    POSTGRADUATE = "postgraduate", "研究生"
    BACHELOR = "bachelor", "大学本科"
    COLLEGE = "college", "大专"
    SECONDARY = "secondary", "中专/高中"
    JUNIOR_OR_BELOW = "junior_or_below", "初中及以下"


class MemberEventKind(Labelled):
    """党员状态变动"""

    JOINED = "joined", "加入党组织"
    CONFIRMED = "confirmed", "转为正式党员"
    PROBATION_EXTENDED = "probation_extended", "延长预备期"
    SUSPENDED = "suspended", "停止党籍"
    RESTORED = "restored", "恢复党籍"
    LOST_CONTACT = "lost_contact", "失去联系"
    CONTACT_RESTORED = "contact_restored", "恢复联系"
    TRANSFERRED_IN = "transferred_in", "组织关系转入"
    TRANSFERRED_OUT = "transferred_out", "组织关系转出"
    DIED = "died", "去世"
    CATEGORY_CHANGED = "category_changed", "类别变更"
    ARCHIVED = "archived", "归档"


class RecordEntryType(Labelled):
    """纪实类型"""

    ORGANISATIONAL_LIFE = "organisational_life", "组织生活"
    POLITICAL_STUDY = "political_study", "政治学习"
    VOLUNTEERING = "volunteering", "志愿服务"
    HOUSEHOLD_VISIT = "household_visit", "走访联户"
    POST_DUTY = "post_duty", "设岗履职"
    DUES_PAYMENT = "dues_payment", "党费缴纳"
    CARE_VISIT = "care_visit", "关爱走访"
    HEART_TO_HEART = "heart_to_heart", "谈心谈话"
    DEMOCRATIC_REVIEW = "democratic_review", "民主评议"
    OTHER = "other", "其他"


# Entry types whose hours count towards the yearly study hours (seed 001: 32 / 56 学时).
STUDY_ENTRY_TYPES = frozenset({RecordEntryType.ORGANISATIONAL_LIFE, RecordEntryType.POLITICAL_STUDY})


class CareFlag(Labelled):
    """必访对象"""

    HARDSHIP = "hardship", "困难家庭"
    ELDERLY_ALONE = "elderly_alone", "孤寡空巢老人"
    LEFT_BEHIND_CHILDREN = "left_behind_children", "留守儿童"
    UNEMPLOYED = "unemployed", "失业群众"
    SPECIAL = "special", "特殊人群"


class MemberStatus(Labelled):
    """党员状态 (what the members list filters on; derived, never stored)"""

    FULL = "full", "正式"
    PROBATIONARY = "probationary", "预备"
    SUSPENDED = "suspended", "停止党籍"
    LOST_CONTACT = "lost_contact", "失联"
    TRANSFERRED_OUT = "transferred_out", "转出"
    DECEASED = "deceased", "去世"


def member_status(
    standing: Standing,
    membership_state: MembershipState,
    lost_contact: bool,
    departure: MemberEventKind | None = None,
) -> MemberStatus:
    """The one status a member list shows: departure first, then 停止党籍, 失联, then 正式/预备."""
    if departure is MemberEventKind.DIED:
        return MemberStatus.DECEASED
    if departure is not None:
        return MemberStatus.TRANSFERRED_OUT
    if membership_state is MembershipState.SUSPENDED:
        return MemberStatus.SUSPENDED
    if lost_contact:
        return MemberStatus.LOST_CONTACT
    return MemberStatus.PROBATIONARY if standing is Standing.PROBATIONARY else MemberStatus.FULL


class ProxyKind(Labelled):
    """代办件类型 (seed 002)"""

    INSTANT = "instant", "即办件"
    PROMISED = "promised", "承诺件"
    SUPPLEMENT = "supplement", "补办件"
    JOINT = "joint", "联办件"
    ESCALATED = "escalated", "上报件"
    REFUSED = "refused", "不予办理"


class ProxyStatus(Labelled):
    """代办状态"""

    OPEN = "open", "办理中"
    DONE = "done", "已办结"
    REFUSED = "refused", "不予办理"
