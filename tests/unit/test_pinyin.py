import pytest

from partybuild_desktop.domain.pinyin import (
    MAX_COMBINATIONS,
    SEPARATOR,
    initials,
    matches,
    readings,
    search_keys,
)


@pytest.mark.parametrize(
    "name, query",
    [
        ("张三", "zs"),
        ("张三", "zhangsan"),
        ("张三", "ZhangSan"),
        ("张三", "zhang san"),
        ("张三", "zhangs"),
        ("张三", "张"),
        ("张　三", "张三"),
        ("单雄", "shanxiong"),
        ("单雄", "sx"),
        ("曾国藩", "zengguofan"),
        ("解放", "xiefang"),
        ("仇英", "qiuying"),
        ("区明", "ouming"),
        ("朴正", "piaozheng"),
        ("查良", "zhaliang"),
        ("盖红", "gehong"),
        ("尉迟恭", "yuchigong"),
        ("尉迟恭", "ycg"),
        ("万俟卨", "moqi"),
        ("吕女", "lvnv"),
        ("吕女", "lunu"),
        ("艾力·买买提", "ailimaimaiti"),
        ("乐行", "yuexing"),  # surname 乐 and a heteronym in the given name
        ("乐行", "yuehang"),
    ],
)
def test_name_is_found(name, query):
    assert matches(query, search_keys(name))


@pytest.mark.parametrize(
    "name, query",
    [("张三", "lisi"), ("张三", "zsx"), ("单雄", "xiongshan"), ("张三", "n|z"),
     ("单雄", "danxiong")],  # 单 as a surname is shan only
)
def test_name_is_not_found(name, query):
    assert not matches(query, search_keys(name))


def test_surname_reading_comes_first():
    assert readings("单雄")[0] == "shanxiong"
    assert initials("单雄")[0] == "sx"
    assert readings("尉迟恭")[0] == "yuchigong"


def test_keys_are_one_lower_case_string():
    keys = search_keys("张三")
    assert keys == keys.lower()
    assert keys.startswith(SEPARATOR) and keys.endswith(SEPARATOR)
    assert "zhangsan" in keys.split(SEPARATOR)
    assert "zs" in keys.split(SEPARATOR)


def test_readings_cross_separators_never_match():
    # "sanzs" would only match by running two readings together.
    assert not matches("sanzs", search_keys("张三"))


def test_combinations_are_capped():
    name = "重" * 8
    assert len(readings(name)) <= MAX_COMBINATIONS
    assert len(initials(name)) <= MAX_COMBINATIONS


def test_empty():
    assert search_keys("") == ""
    assert matches("", search_keys("张三"))
