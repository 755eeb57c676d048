"""The members search: surnames read as surnames, the best matches first, old stored keys recomputed."""

import datetime as dt

import pytest
from sqlalchemy import select, update

from partybuild_desktop.domain.pinyin import KEYS_VERSION, search_keys
from partybuild_desktop.services import members as svc
from partybuild_desktop.services.village import get_setting, set_setting
from partybuild_desktop.store.models import Member
from tests.helpers import village

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def names(store):
    """A village with members whose names test the ranking; returns a function listing a search."""
    with store.session() as session:
        village_id = village(session)
        for name, mobile in (("黄芳", "13800000001"), ("方明", "13900000002"), ("王方", None), ("方", None),
                             ("单雄", None), ("丹雄", None), ("张三", None), ("张三丰", None), ("李张生", None)):
            svc.save_member(session, village_id, svc.MemberForm(name=name, mobile=mobile), today=TODAY)

    def search(query):
        with store.session() as session:
            rows = svc.list_members(session, village_id)
        q = svc.normalise_query(query)
        return [row.name for row in svc.rank(svc.find(rows, q), q)]

    return search


def test_a_surname_reads_as_a_surname_only():
    assert "fangming" in search_keys("方明").split("|")
    assert not {"pangming", "wangming", "fengming"} & set(search_keys("方明").split("|"))
    for name, surname in (("单雄", "shan"), ("曾国藩", "zeng"), ("解放", "xie"), ("仇英", "qiu")):
        full = [key for key in search_keys(name).split("|") if key.isascii() and len(key) > 3]
        assert full and all(key.startswith(surname) for key in full), (name, full)


def test_the_given_name_keeps_every_reading():
    keys = search_keys("方行").split("|")
    assert {"fangxing", "fanghang"} <= set(keys)


def test_a_name_with_a_middle_dot_has_no_chinese_surname():
    keys = search_keys("阿依·买买提").split("|")
    assert "ayimaimaiti" in keys and "eyimaimaiti" in keys


def test_whole_names_then_surnames_then_the_rest(names):
    assert names("fang") == ["方", "方明", "黄芳", "王方"]
    assert names("方") == ["方", "方明", "王方"]
    assert names("zs") == ["张三", "张三丰", "李张生"]  # 李张生 is lzs: found, but last
    assert names("zhang") == ["张三", "张三丰", "李张生"]


def test_a_surname_is_not_found_by_its_other_readings(names):
    assert names("danxiong") == ["丹雄"]
    assert names("shanxiong") == ["单雄"]
    assert names("pangming") == []


def test_a_phone_number_from_its_start_comes_before_one_that_only_contains_it(names):
    assert names("13800000001") == ["黄芳"]
    assert names("1380") == ["黄芳"]
    assert names("0000") == ["黄芳", "方明"]


def test_keys_of_an_older_rule_are_recomputed_once(store, names):
    with store.session() as session:
        session.execute(update(Member).where(Member.name == "方明").values(search_keys="|方明|pangming|pm|"))
        set_setting(session, svc.SEARCH_KEYS_VERSION_SETTING, "1")
    assert names("pangming") == []
    assert names("fangming") == ["方明"]
    with store.session() as session:
        assert get_setting(session, svc.SEARCH_KEYS_VERSION_SETTING) == KEYS_VERSION
        assert session.scalar(select(Member.search_keys).where(Member.name == "方明")) == search_keys("方明")
        assert svc.refresh_search_keys(session) == 0
