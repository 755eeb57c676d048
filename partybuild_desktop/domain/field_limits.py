"""How long each text field may be, in characters: one table for the imports and the editors' services.

A name is at most 32 characters (the longest real names, minority names written with ·, stay well within
it), an address 200, a note 2,000. Keys are the import columns' keys and the forms' field names (they are
the same word where they mean the same field). A field not in the table may hold ``DEFAULT_CHARS``.
Longer text is refused with ``FIELD_TOO_LONG`` (never cut short unseen): it is a pasted paragraph or a
hostile file, not a roster entry.
"""

from __future__ import annotations

FIELD_TOO_LONG = "field_too_long"
CONTROL_CHARACTERS_REMOVED = "control_characters_removed"

NAME_CHARS = 32
ADDRESS_CHARS = 200
PHONE_CHARS = 32
SHORT_CHARS = 64
NOTE_CHARS = 2000
DEFAULT_CHARS = 200

LIMITS: dict[str, int] = {
    # people
    "name": NAME_CHARS, "head_name": NAME_CHARS, "household_head": NAME_CHARS, "liaison": NAME_CHARS,
    "applicant": NAME_CHARS, "collector": NAME_CHARS, "approved_by": NAME_CHARS, "by_whom": NAME_CHARS,
    "contact_person": NAME_CHARS,
    # several names in one cell (培养联系人、入党介绍人)
    "contacts": 200, "introducers": 200,
    # identity and contact
    "id_number": 32,  # 18 characters, with room for the spaces people type between groups
    "ethnicity": 16,
    "phone": 2 * PHONE_CHARS,  # an import cell may hold a mobile and a landline
    "mobile": PHONE_CHARS, "landline": PHONE_CHARS, "away_contact": PHONE_CHARS,
    "employer_contact": SHORT_CHARS,
    "address": ADDRESS_CHARS, "native_place": SHORT_CHARS,
    # posts, places and groups
    "job_post": SHORT_CHARS, "post": SHORT_CHARS, "duty_post": SHORT_CHARS, "degree": 32,
    "employer": 128, "activity_card_no": SHORT_CHARS,
    "villager_group": SHORT_CHARS, "party_group": SHORT_CHARS, "grid": SHORT_CHARS, "branch": 128,
    "away_province": SHORT_CHARS, "away_city": SHORT_CHARS, "away_county": SHORT_CHARS,
    "away_occupation": SHORT_CHARS, "receipt_no": 32,
    # free text
    "notes": NOTE_CHARS, "note": NOTE_CHARS, "care_needs": NOTE_CHARS, "away_reason": NOTE_CHARS,
    "reason": NOTE_CHARS,
}


def limit_for(key: str) -> int:
    return LIMITS.get(key, DEFAULT_CHARS)


def too_long(key: str, text: str | None, label: str = "", then: str = "请改短后再保存。") -> str | None:
    """The refusal's detail when ``text`` is longer than ``key``'s limit, else None."""
    if not text:
        return None
    limit = limit_for(key)
    if len(text) <= limit:
        return None
    what = f"{label}" if label else "这一项"
    return f"{what}有 {len(text)} 个字，超过了最多 {limit} 个字的限制。" + then


# The fields' names as the editors show them, for the refusals of the services.
LABELS: dict[str, str] = {
    "name": "姓名", "head_name": "户主姓名", "ethnicity": "民族", "id_number": "身份证号", "job_post": "工作岗位",
    "mobile": "手机号码", "landline": "固定电话", "phone": "联系电话", "address": "住址", "native_place": "籍贯",
    "degree": "学位", "post": "设岗定责", "away_reason": "外出原因", "away_province": "外出流向省份",
    "away_city": "外出流向城市", "away_county": "外出流向县区", "away_contact": "外出联系方式",
    "away_occupation": "从事职业", "activity_card_no": "流动党员活动证号", "employer": "工作单位",
    "employer_contact": "单位联系电话", "care_needs": "关爱需求", "notes": "备注", "note": "备注",
    "villager_group": "村民小组", "reason": "原因",
}


def check_lengths(values: dict[str, object]) -> dict[str, str]:
    """field → refusal for every text value longer than its limit (``values``: field name → value)."""
    problems = {}
    for key, value in values.items():
        if isinstance(value, str):
            problem = too_long(key, value, LABELS.get(key, ""))
            if problem:
                problems[key] = problem
    return problems
