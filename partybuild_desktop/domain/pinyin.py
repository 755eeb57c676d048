"""Pinyin search keys for people's names, so a clerk can type ``zs`` or ``zhangsan`` to find 张三.

The surname is read as a surname only: 方 is fang (not pang, wang or feng), 单 is shan, 曾 is zeng,
尉迟 is yuchi. pypinyin (0.55) has no surname mode, so the surname readings are listed below and any
other surname takes pypinyin's everyday reading. Every character of the given name keeps all its
readings, since nobody can tell which one the family meant. A name written with a middle dot
(艾力·买买提) is a transliteration without a Chinese surname: every character keeps every reading.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata


from .text import clean_name

SEPARATOR = "|"
# Bumped whenever search_keys() would give a stored name different keys, so stored keys are recomputed.
KEYS_VERSION = "2"
# Enough for any real name; stops a long string of heteronyms from exploding.
MAX_COMBINATIONS = 64

# Surname readings of characters whose everyday reading is not (or not only) the surname one,
# preferred reading first.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan",),
    "曾": ("zeng",),
    "解": ("xie",),
    "仇": ("qiu",),
    "区": ("ou",),
    "朴": ("piao",),
    "查": ("zha",),
    "盖": ("ge", "gai"),
    "尉": ("wei", "yu"),
    "乐": ("yue", "le"),
    "覃": ("qin", "tan"),
    "缪": ("miao",),
    "翟": ("zhai", "di"),
    "秘": ("bi",),
    "种": ("chong",),
    "召": ("shao",),
    "繁": ("po",),
    "员": ("yun",),
    "句": ("gou",),
    "么": ("yao",),
    "祭": ("zhai",),
    "宓": ("mi",),
    "折": ("she",),
    "厍": ("she",),
    "隗": ("wei", "kui"),
    "能": ("nai",),
    "谌": ("chen",),
    "眭": ("sui",),
    "华": ("hua",),
    "任": ("ren",),
    "纪": ("ji",),
    "燕": ("yan",),
    "那": ("na",),
    "薄": ("bo",),
    "柏": ("bai",),
    "冼": ("xian",),
    "洗": ("xian",),
    "长": ("chang", "zhang"),
    "重": ("chong",),
    "行": ("xing", "hang"),
    "藏": ("zang",),
    "车": ("che",),
    "石": ("shi",),
    "郇": ("huan", "xun"),
    "阚": ("kan",),
    "过": ("guo",),
    "相": ("xiang",),
    "蔺": ("lin",),
    "黑": ("he", "hei"),
}

# Two-character surnames whose characters read differently as a surname.
COMPOUND_SURNAMES: dict[str, tuple[str, str]] = {
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "单于": ("chan", "yu"),
    "长孙": ("zhang", "sun"),
    "澹台": ("tan", "tai"),
    "令狐": ("ling", "hu"),
    "皇甫": ("huang", "fu"),
    "乐正": ("yue", "zheng"),
    "亓官": ("qi", "guan"),
    "鲜于": ("xian", "yu"),
    "宇文": ("yu", "wen"),
    "慕容": ("mu", "rong"),
    "诸葛": ("zhu", "ge"),
    "欧阳": ("ou", "yang"),
    "司马": ("si", "ma"),
    "司徒": ("si", "tu"),
    "上官": ("shang", "guan"),
    "东方": ("dong", "fang"),
    "夏侯": ("xia", "hou"),
    "公孙": ("gong", "sun"),
    "呼延": ("hu", "yan"),
    "端木": ("duan", "mu"),
}

_HANZI = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]")


def _add(options: list[str], reading: str) -> None:
    reading = reading.lower()
    if reading and reading not in options:
        options.append(reading)
    # pypinyin writes ü as v (lv, nv); people also type u.
    if "v" in reading and reading.replace("v", "u") not in options:
        options.append(reading.replace("v", "u"))


def _tokens(name: str) -> list[str]:
    """Characters of the name; a run of letters or digits stays one token; dots are dropped."""
    return [t for t in re.findall(r"[a-z0-9]+|.", name.lower()) if t not in ("·", " ")]


@functools.lru_cache(maxsize=8192)
def _hanzi_readings(char: str) -> tuple[str, ...]:
    """Every reading of one character; names reuse few characters, so this is asked again and again."""
    from pypinyin import Style, pinyin  # loads its dictionaries (about half a second): only when needed

    return tuple(pinyin(char, style=Style.NORMAL, heteronym=True)[0])


@functools.lru_cache(maxsize=2048)
def _surname_readings(char: str) -> tuple[str, ...]:
    """How ``char`` reads as a surname: the listed surname readings, else the everyday reading."""
    if char in SURNAME_READINGS:
        return SURNAME_READINGS[char]
    from pypinyin import Style, pinyin

    return tuple(pinyin(char, style=Style.NORMAL, heteronym=False)[0])


def _char_readings(name: str) -> list[list[str]]:
    """For each character of the name, its readings: the surname's as a surname only."""
    tokens = _tokens(name)
    compound = COMPOUND_SURNAMES.get(name[:2])
    surname_length = 0 if "·" in name else 2 if compound else 1
    result: list[list[str]] = []
    for index, token in enumerate(tokens):
        options: list[str] = []
        if not _HANZI.match(token):
            _add(options, token)
        elif compound and index < surname_length:
            _add(options, compound[index])
        elif index < surname_length:
            for reading in _surname_readings(token):
                _add(options, reading)
        else:
            for reading in _hanzi_readings(token):
                _add(options, reading)
        result.append(options)
    return result


def _combinations(per_char: list[list[str]]) -> list[tuple[str, ...]]:
    return list(itertools.islice(itertools.product(*per_char), MAX_COMBINATIONS))


def readings(name: str) -> list[str]:
    """Full-pinyin readings of a name (``["shanxiong", "danxiong", …]``), most likely first."""
    name = clean_name(name).replace(" ", "")
    if not name:
        return []
    per_char = _char_readings(name)
    full: list[str] = []
    for combo in _combinations(per_char):
        joined = "".join(combo)
        if joined not in full:
            full.append(joined)
    return full


def initials(name: str) -> list[str]:
    """Initial-letter forms (``["sx", "dx", "cx"]``)."""
    name = clean_name(name).replace(" ", "")
    if not name:
        return []
    per_char = [list(dict.fromkeys(r[0] for r in options)) for options in _char_readings(name)]
    result: list[str] = []
    for combo in _combinations(per_char):
        joined = "".join(combo)
        if joined not in result:
            result.append(joined)
    return result


def search_keys(name: str) -> str:
    """One lower-case string to store beside a name: ``|单雄|shanxiong|danxiong|…|sx|dx|…|``.

    ``matches(query, keys)`` (or a plain ``in`` test on a normalised query) finds the name.
    """
    cleaned = clean_name(name)
    if not cleaned:
        return ""
    parts = [cleaned.lower(), *readings(cleaned), *initials(cleaned)]
    unique = list(dict.fromkeys(p for p in parts if p))
    return SEPARATOR + SEPARATOR.join(unique) + SEPARATOR


def normalise_query(query: str) -> str:
    """What the clerk typed, in the form keys are stored in (lower case, no spaces or apostrophes)."""
    text = unicodedata.normalize("NFKC", query or "").lower()
    text = text.replace("ü", "v")
    return "".join(ch for ch in text if not ch.isspace() and ch not in "'’·." + SEPARATOR)


def matches(query: str, keys: str) -> bool:
    """True if the query is part of the name or of one of its readings. An empty query matches all."""
    q = normalise_query(query)
    return not q or q in keys
