"""The liaison pyramid (包挂联系, seed 002): the ranges each link must keep, and how to spread households.

村党总支班子成员 → 1–2 网格党支部; 网格支部委员 → 1–2 党小组; 党小组长 → 2–5 中心户 or 党员示范岗;
each 中心户 / 示范岗 → 5–10 党员; each 党员 → 10–15 户群众; and one 中心户 per 10–15 households.

Plain Python: the services count, this module judges the counts and words the problems.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from partybuild_desktop.domain.vocabulary import Labelled


class LiaisonRule(Labelled):
    """包挂层级"""

    COMMITTEE_BRANCHES = "committee_branches", "班子成员包挂网格党支部"
    BRANCH_GROUPS = "branch_groups", "网格支部委员包挂党小组"
    LEADER_HUBS = "leader_hubs", "党小组长联系中心户（示范岗）"
    HUB_MEMBERS = "hub_members", "中心户（示范岗）联系党员"
    MEMBER_HOUSEHOLDS = "member_households", "党员联系农户"
    HUB_COVERAGE = "hub_coverage", "每10—15户确定一户中心户"


@dataclass(frozen=True)
class Range:
    low: int
    high: int
    unit: str  # what is counted, with its measure word: "个网格党支部", "户"

    @property
    def text(self) -> str:
        return f"{self.low}—{self.high}{self.unit}"

    def holds(self, count: int) -> bool:
        return self.low <= count <= self.high

    def distance(self, count: int) -> int:
        """How far ``count`` lies outside the range (0 inside)."""
        return max(self.low - count, count - self.high, 0)


RANGES: dict[LiaisonRule, Range] = {
    LiaisonRule.COMMITTEE_BRANCHES: Range(1, 2, "个网格党支部"),
    LiaisonRule.BRANCH_GROUPS: Range(1, 2, "个党小组"),
    LiaisonRule.LEADER_HUBS: Range(2, 5, "户中心户（示范岗）"),
    LiaisonRule.HUB_MEMBERS: Range(5, 10, "名党员"),
    LiaisonRule.MEMBER_HOUSEHOLDS: Range(10, 15, "户"),
    LiaisonRule.HUB_COVERAGE: Range(10, 15, "户"),  # households per hub household
}

MEMBER_HOUSEHOLDS = RANGES[LiaisonRule.MEMBER_HOUSEHOLDS]
HUB_MEMBERS = RANGES[LiaisonRule.HUB_MEMBERS]


@dataclass(frozen=True)
class LiaisonProblem:
    """One link, person or unit outside its range: who or what, where, and what to do (Chinese)."""

    rule: LiaisonRule
    kind: str  # "low", "high" (outside the range), "coverage", or what else is wrong ("missing", "gone"...)
    subject_kind: str  # "member", "grid_branch", "party_group", "villager_group", "members"
    subject_id: int | str | None
    subject: str  # the name printed: a person, a branch, a party group, "3组"
    where: str  # the party group, villager group or village it belongs to
    count: int | None  # what it has now (None when counting makes no sense)
    expected: str  # the range, e.g. "10—15户"
    issue: str
    advice: str
    distance: int = 0  # how far outside the range; 0 when the problem is not a count

    @property
    def key(self) -> tuple:
        """The same problem before and after a change has the same key (its count may differ)."""
        return (self.rule, self.kind, self.subject_kind, self.subject_id)

    def worse_than(self, before: "LiaisonProblem") -> bool:
        """Further out of range than ``before`` (the same problem, earlier), or more of what is missing."""
        if self.distance or before.distance:
            return self.distance > before.distance
        return (self.count or 0) > (before.count or 0)


def count_problem(rule: LiaisonRule, subject_kind: str, subject_id, subject: str, where: str,
                  count: int, advice_low: str = "", advice_high: str = "") -> LiaisonProblem | None:
    """A problem when ``count`` lies outside the rule's range, worded for that rule; else None."""
    limits = RANGES[rule]
    if limits.holds(count):
        return None
    low = count < limits.low
    issue = _ISSUES[rule][0 if low else 1].format(n=count, r=limits.text, low=limits.low, high=limits.high,
                                                   short=limits.low - count, over=count - limits.high)
    advice = (advice_low if low else advice_high) or _ADVICE[rule][0 if low else 1].format(
        short=limits.low - count, over=count - limits.high, low=limits.low, high=limits.high)
    return LiaisonProblem(rule, "low" if low else "high", subject_kind, subject_id, subject, where, count,
                          limits.text, issue, advice, limits.distance(count))


# (too few, too many) for each rule.
_ISSUES = {
    LiaisonRule.COMMITTEE_BRANCHES: ("包挂{n}个网格党支部，应为{r}", "包挂{n}个网格党支部，超出{r}"),
    LiaisonRule.BRANCH_GROUPS: ("包挂{n}个党小组，应为{r}", "包挂{n}个党小组，超出{r}"),
    LiaisonRule.LEADER_HUBS: ("联系{n}户中心户（示范岗），少于{low}户", "联系{n}户中心户（示范岗），超过{high}户"),
    LiaisonRule.HUB_MEMBERS: ("联系{n}名党员，少于{low}名", "联系{n}名党员，超过{high}名"),
    LiaisonRule.MEMBER_HOUSEHOLDS: ("联系{n}户，少于{low}户", "联系{n}户，超过{high}户"),
    LiaisonRule.HUB_COVERAGE: ("", ""),
}
_ADVICE = {
    LiaisonRule.COMMITTEE_BRANCHES: (
        "请在“设置 → 网格党支部…”中为其指定包挂的网格党支部（每人1—2个）。",
        "请在“设置 → 网格党支部…”中把多出的{over}个网格党支部改由其他班子成员包挂。",
    ),
    LiaisonRule.BRANCH_GROUPS: (
        "请在“设置 → 党小组…”中为其指定包挂的党小组（每人1—2个）。",
        "请在“设置 → 党小组…”中把多出的{over}个党小组改由其他网格支部委员包挂。",
    ),
    LiaisonRule.LEADER_HUBS: (
        "请在本党小组再确定{short}户党员中心户或党员示范岗（“设置 → 中心户…”或“设置 → 党员示范岗…”）。",
        "请把党小组分设，或把多出的{over}户中心户（示范岗）调整到其他党小组。",
    ),
    LiaisonRule.HUB_MEMBERS: (
        "请再把{short}名本组党员挂到这户中心户，或与邻近中心户合并。",
        "请把多出的{over}名党员改挂到本组其他中心户，或再确定一户中心户。",
    ),
    LiaisonRule.MEMBER_HOUSEHOLDS: (
        "请再为其安排{short}户（在“网格 → 包挂联系”页选村民小组，点“建议分配”，核对后点“按建议分配”；或在“农户”页选中农户，点“指定联系党员…”）。",
        "请把多出的{over}户交给联系不足{low}户的党员（在“网格 → 包挂联系”页选村民小组，点“建议分配”，核对后点“按建议分配”）。",
    ),
    LiaisonRule.HUB_COVERAGE: ("", ""),
}


def summary(checked: dict[LiaisonRule, int], problems: list[LiaisonProblem]) -> str:
    """The check's counts as a sentence: ``共检查 30 项，其中 2 项超出范围，见下表。分项：党员联系农户 20 项（2 项超出）、…``"""
    total = sum(checked.values())
    if not total:
        return "还没有可检查的包挂关系：请先在“设置”中建立网格党支部和党小组，并为农户指定联系党员。"
    outside = {rule: sum(1 for p in problems if p.rule is rule) for rule in LiaisonRule}
    parts = [f"{rule.label} {checked[rule]} 项" + (f"（{outside[rule]} 项超出）" if outside[rule] else "")
             for rule in LiaisonRule if checked.get(rule)]
    verdict = f"其中 {len(problems)} 项超出范围，见下表" if problems else "全部符合规定"
    return f"共检查 {total} 项，{verdict}。分项：{'、'.join(parts)}。"


def hubs_needed(households: int) -> tuple[int, int]:
    """How many hub households ``households`` households call for: one per 10–15. When no whole number
    of hubs gives 10–15 each (16–19 households), both neighbours are accepted."""
    if households <= 0:
        return 0, 0
    if households < MEMBER_HOUSEHOLDS.low:
        return 1, 1
    limits = RANGES[LiaisonRule.HUB_COVERAGE]
    low = math.ceil(households / limits.high)
    high = households // limits.low
    return (min(low, high), max(low, high))


def coverage_problem(villager_group: str, where: str, households: int, hubs: int) -> LiaisonProblem | None:
    """A villager group whose number of hub households does not fit one per 10–15 households."""
    low, high = hubs_needed(households)
    if low <= hubs <= high:
        return None
    wanted = f"{low}户" if low == high else f"{low}—{high}户"
    if hubs == 0:
        issue = f"共{households}户，没有党员中心户"
    else:
        issue = f"共{households}户，党员中心户{hubs}户，平均每{households / hubs:.0f}户一户"
    advice = (f"请在本组再确定党员中心户（“设置 → 中心户…”），使总数达到{wanted}。" if hubs < low
              else f"本组中心户偏多，可保留{wanted}，其余在“设置 → 中心户…”中取消。")
    distance = low - hubs if hubs < low else hubs - high
    return LiaisonProblem(LiaisonRule.HUB_COVERAGE, "coverage", "villager_group", villager_group, villager_group, where,
                          hubs, f"每10—15户一户（{wanted}）", issue, advice, distance)


@dataclass(frozen=True)
class Spread:
    """How many new households each person gets, and what could not be kept."""

    shares: tuple[int, ...]  # new households per person, in the order the loads were given
    left_over: int  # households nobody can take without going over the top of the range
    short: tuple[int, ...]  # indexes of people still below the range afterwards


def spread(loads: list[int], available: int, limits: Range = MEMBER_HOUSEHOLDS) -> Spread:
    """Share ``available`` items over people who already hold ``loads``, never breaking a range that
    could be kept.

    Enough for everyone: each is raised to ``limits.low``, then the rest goes to the lowest loads first,
    never above ``limits.high``; what is left after everyone is full stays unassigned. Too few to bring
    everyone to ``limits.low``: the people closest to it are brought up first (so as many as possible are
    in range), and the remainder goes to the next one, bringing them as close to ``limits.low`` as it can.
    Nobody who is in range (or above it) is pushed over the top.
    """
    n = len(loads)
    shares = [0] * n
    remaining = available
    needs = [max(limits.low - load, 0) for load in loads]
    if sum(needs) > remaining:
        # Too few: fill the smallest needs first; each filled person is one more in range.
        for i in sorted(range(n), key=lambda i: (needs[i], i)):
            take = min(needs[i], remaining)
            shares[i] += take
            remaining -= take
    else:
        for i in range(n):
            shares[i] += needs[i]
        remaining -= sum(needs)
        # Raise the lowest loads one at a time (ties by order), never past the top of the range.
        while remaining:
            room = [i for i in range(n) if loads[i] + shares[i] < limits.high]
            if not room:
                break
            lowest = min(room, key=lambda i: (loads[i] + shares[i], i))
            shares[lowest] += 1
            remaining -= 1
    short = tuple(i for i in range(n) if loads[i] + shares[i] < limits.low)
    return Spread(tuple(shares), remaining, short)
