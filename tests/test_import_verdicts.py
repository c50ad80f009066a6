"""The per-row rules of the import (pure: no file, no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from reception_desk.domain import resident_id
from reception_desk.services.importing import DuplicateIndex, Field, PlannedBatch, RowVerdict, SourceRow, check_row

VALID = resident_id.make("330803", dt.date(1970, 1, 1), 123)  # ends in X
VALID_2 = resident_id.make("330803", dt.date(1985, 6, 30), 456)


def row(n: int = 5, **cells: object) -> SourceRow:
    """A data row with a name, a request and a category unless told otherwise."""
    values: dict[Field, object] = {Field.NAME: "王学德", Field.REQUEST: "拖欠工资三个月", Field.CATEGORY: "劳动社保"}
    for key, value in cells.items():
        values[Field(key)] = value
    return SourceRow(n, values)


def planned(source: SourceRow) -> PlannedBatch:
    result = check_row(source)
    assert isinstance(result, PlannedBatch), result
    return result


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"name": "  "}, "缺少姓名"),
        ({"name": None}, "缺少姓名"),
        ({"request": ""}, "缺少诉求"),
        ({"name": "", "request": None}, "缺少姓名和诉求"),
        ({"name": "123"}, "姓名“123”无法识别"),
    ],
)
def test_rejected_rows(cells: dict[str, object], reason: str) -> None:
    assert check_row(row(9, **cells)) == RowVerdict(9, reason)


def test_a_clean_row_has_no_warning() -> None:
    p = planned(
        row(
            id=VALID.lower(),
            phone="138 0570 1234",
            headcount="2人",
            category="劳动社保",
            companions="张三",
            township="湖南镇",
        )
    )
    assert (p.id_number, p.id_valid, p.phone, p.headcount) == (VALID, True, "13805701234", 2)
    assert p.theme_code == "labour" and p.flags == set() and p.warnings == []
    assert p.companions == ["张三"] and p.township == "湖南镇"


@pytest.mark.parametrize("mangled", [float(VALID_2), int(VALID_2), "3.30803197001011E+17", "330803198506304000.0"])
def test_id_stored_as_a_number_is_never_kept(mangled: object) -> None:
    p = planned(row(id=mangled))
    assert p.id_number is None and not p.id_valid
    assert p.flags == {"id_to_check"}
    assert "后几位已丢失" in p.warnings[0] and "核对身份证原件" in p.warnings[0]


@pytest.mark.parametrize(
    ("raw", "stored", "words"),
    [
        (VALID[:-1] + "1", VALID[:-1] + "1", "校验位"),
        ("330803" + "19701332" + "1234", "330803197013321234", "出生日期"),
    ],
)
def test_invalid_id_is_kept_as_written_with_a_warning(raw: str, stored: str, words: str) -> None:
    p = planned(row(id=raw))
    assert (p.id_number, p.id_valid) == (stored, False)
    assert p.flags == {"id_to_check"}
    assert words in p.warnings[0]


@pytest.mark.parametrize(
    "raw",
    ["３３０８０３１９７０", "1980-05-06 00:00:00", dt.datetime(1980, 5, 6), dt.date(1980, 5, 6), "33080319700101123Y"],
)
def test_an_id_that_is_not_well_formed_is_flagged_and_not_kept(raw: object) -> None:
    # only a well-formed number is stored and used to find duplicates: junk would make two people one
    p = planned(row(id=raw))
    assert (p.id_number, p.id_valid) == (None, False)
    assert p.flags == {"id_to_check"}
    assert "未保存" in p.warnings[0] and "核对身份证原件" in p.warnings[0]


def test_placeholder_id_is_treated_as_no_id() -> None:
    p = planned(row(id="无"))
    assert p.id_number is None and p.warnings == [] and p.flags == set()


def test_unreadable_phone_is_left_empty_with_a_warning() -> None:
    p = planned(row(phone="打村委会电话"))
    assert p.phone == "" and "电话号码" in p.warnings[0]
    assert planned(row(phone="１３８０５７０１２３４")).phone == "13805701234"
    assert planned(row(phone=13805701234.0)).phone == "13805701234"


def test_headcount_below_the_named_people_uses_the_larger() -> None:
    p = planned(row(headcount="2人", companions="张三、李四、王五"))
    assert p.headcount == 4 and "按4人计" in p.warnings[0]
    assert planned(row(headcount=None, companions="张三")).headcount == 2
    unreadable = planned(row(headcount="若干"))
    assert unreadable.headcount == 1 and "无法识别" in unreadable.warnings[0]


@pytest.mark.parametrize(
    ("category", "code"),
    [("劳动社保", "labour"), ("环保", "safety_env"), ("拆迁", "land"), ("涉法涉诉", "law")],
)
def test_category_aliases(category: str, code: str) -> None:
    p = planned(row(category=category, request="反映情况"))
    assert p.theme_code == code and "theme_inferred" not in p.flags and p.category_text == category


def test_missing_category_is_inferred_without_a_warning() -> None:
    p = planned(row(category=None, request="征地补偿款至今未到位"))
    assert p.theme_code == "land" and p.flags == {"theme_inferred"} and p.warnings == []


def test_unknown_category_is_inferred_with_a_warning() -> None:
    p = planned(row(category="乱七八糟", request="养殖场污染严重"))
    assert p.theme_code == "safety_env" and p.flags == {"theme_inferred"}
    assert "乱七八糟" in p.warnings[0]


def test_rare_characters_and_middle_dot_names_are_kept_exactly() -> None:
    p = planned(row(name=" 𠮷田 ", companions="阿依古丽·买买提、䶮"))
    assert p.name == "𠮷田" and p.companions == ["阿依古丽·买买提", "䶮"]


def test_several_names_in_the_name_cell() -> None:
    p = planned(row(name="张三、李四", companions="王五"))
    assert p.name == "张三" and p.companions == ["李四", "王五"] and p.headcount == 3
    assert "领头人" in p.warnings[0]


def test_duplicate_index_within_the_file_and_against_the_day() -> None:
    index = DuplicateIndex.of_registered([VALID], [("李四", "", "修路")])
    assert index.check(planned(row(4, id=VALID))) is not None
    first, second = planned(row(5, id=VALID_2)), planned(row(9, id=VALID_2))
    assert index.check(first) is None
    index.add(first)
    assert index.check(second) == "身份证号与第5行相同，未重复导入"
    assert index.check(planned(row(6, name="李四", request="修路"))) is not None
    no_id = planned(row(7, name="赵六", request="修路"))
    index.add(no_id)
    assert "第7行" in (index.check(planned(row(8, name="赵六", request="修路"))) or "")
    assert index.check(planned(row(8, name="赵六", request="修桥"))) is None
