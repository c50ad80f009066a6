"""Cell parsing of pre-registration sheets: headcounts, companion lists, header names (examples and properties)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reception_desk.services.importing.cells import (
    MAX_HEADCOUNT,
    Field,
    chinese_number,
    match_header,
    normalize_header,
    parse_headcount,
    split_names,
)

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
CN_DIGITS = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """0..99 as people write it: 五, 十, 十二, 二十, 二十三."""
    if n < 10:
        return CN_DIGITS[n]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[units] if units else "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, 5),
        (5.0, 5),
        ("5", 5),
        ("5人", 5),
        (" 5 ", 5),
        ("５人", 5),
        ("五人", 5),
        ("5 人", 5),
        ("共5人", 5),
        ("两人", 2),
        ("十二人", 12),
        ("二十", 20),
        ("九十九人", 99),
        ("5.0", 5),
        ("12名", 12),
    ],
)
def test_headcount_examples(value: object, expected: int) -> None:
    assert parse_headcount(value) == expected


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000"])
def test_blank_headcount_is_none(value: object) -> None:
    assert parse_headcount(value) is None


@pytest.mark.parametrize("value", ["很多人", "5.5", 5.5, "-1", "一百人", "5-6人", True, 100000])
def test_unreadable_headcount_raises(value: object) -> None:
    with pytest.raises(ValueError):
        parse_headcount(value)


@given(st.integers(0, MAX_HEADCOUNT))
def test_headcount_round_trips_as_digits(n: int) -> None:
    for written in (str(n), f"{n}人", f" {n} ", f"{n}".translate(FULL_WIDTH), f"{n}".translate(FULL_WIDTH) + "人"):
        assert parse_headcount(written) == n, written
    assert parse_headcount(n) == n
    assert parse_headcount(float(n)) == n


@given(st.integers(0, 99))
def test_headcount_round_trips_as_chinese_numeral(n: int) -> None:
    assert chinese_number(to_chinese(n)) == n
    assert parse_headcount(to_chinese(n) + "人") == n


# Names as they appear in sheets: common and rare characters (𠮷 U+20BB7, 䶮), and middle-dot names.
_NAME_CHARS = "王李张刘陈学德秀英阿依古丽买提热娜𠮷䶮丰"
single_names = st.text(alphabet=_NAME_CHARS, min_size=1, max_size=4)
names = st.one_of(single_names, st.builds(lambda a, b: f"{a}·{b}", single_names, single_names))
separators = st.sampled_from(["、", ",", "，", ";", "；", "/", " ", "\u3000", "、 ", " , ", "\n", "；  "])


@given(st.lists(names, min_size=0, max_size=8), st.data())
def test_companion_split_never_loses_or_invents_a_name(people: list[str], data: st.DataObject) -> None:
    text = ""
    for i, name in enumerate(people):
        if i:
            text += data.draw(separators)
        text += name
    padding = data.draw(st.sampled_from(["", " ", "\u3000", "、"]))
    assert split_names(padding + text + padding) == people


def test_companion_examples() -> None:
    assert split_names("张三、李四,王五；赵六") == ["张三", "李四", "王五", "赵六"]
    assert split_names("阿依古丽·买买提、𠮷田 䶮") == ["阿依古丽·买买提", "𠮷田", "䶮"]
    assert split_names("阿依古丽 · 买买提") == ["阿依古丽·买买提"]
    assert split_names("张三、李四等5人") == ["张三", "李四"]
    assert split_names(None) == []
    assert split_names("  ") == []


@given(st.text())
def test_header_normalisation_is_idempotent(text: str) -> None:
    once = normalize_header(text)
    assert normalize_header(once) == once


@given(st.sampled_from(["所属乡镇（街道）", "所属乡镇(街道)"]), st.sampled_from(["", " ", "\n", "\u3000"]))
def test_header_spacing_and_bracket_width_do_not_matter(header: str, noise: str) -> None:
    noisy = noise + header[:2] + noise + header[2:] + noise
    assert match_header(noisy) is Field.TOWNSHIP


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("姓名", Field.NAME),
        ("来访人", Field.NAME),
        ("来访人姓名", Field.NAME),
        ("信访人", Field.NAME),
        ("身份证号码", Field.ID_NUMBER),
        ("身份证", Field.ID_NUMBER),
        ("联系电话", Field.PHONE),
        ("手机号", Field.PHONE),
        ("来访\n人数", Field.HEADCOUNT),
        ("乡镇街道", Field.TOWNSHIP),
        ("村（社区）", Field.VILLAGE),
        ("所在村", Field.VILLAGE),
        ("问题分类", Field.CATEGORY),
        ("反映问题及诉求", Field.REQUEST),
        ("反映问题及\n诉求", Field.REQUEST),
        ("主要诉求", Field.REQUEST),
        ("同行人员", Field.COMPANIONS),
        ("*姓名", Field.NAME),
        ("序号", None),
        ("备注", None),
        ("", None),
    ],
)
def test_header_aliases(header: str, field: Field | None) -> None:
    assert match_header(header) is field
