"""Themes from the category column (with the aliases offices use) or inferred from the request."""

from __future__ import annotations

from reception_desk.domain import themes
from reception_desk.domain.batches import expected_minutes, is_collective


def test_aliases() -> None:
    cases = {
        "劳动社保": "劳动和社会保障",
        "环保": "安全生产与环境保护",
        "拆迁": "土地拆迁",
        " 涉法涉诉 ": "涉法涉诉",
        "劳动社保类": "劳动和社会保障",
        "城乡建设（住房）": "城乡建设与住房",
        "其它": "综合（其他）",
    }
    for category, name in cases.items():
        code = themes.from_category(category)
        assert code is not None, category
        assert themes.BY_CODE[code].name == name


def test_unknown_category_is_none() -> None:
    assert themes.from_category("天气") is None
    assert themes.from_category("") is None


def test_inferred_from_request() -> None:
    assert themes.resolve(None, "某公司拖欠我们工资八个月") == ("labour", True)
    assert themes.resolve("", "村东头化工厂排放废水污染农田") == ("safety_env", True)
    assert themes.resolve(None, "征地补偿款至今未到位") == ("land", True)
    assert themes.resolve(None, "想反映一件事") == ("general", True)
    assert themes.resolve("教育", "孩子入学") == ("edu_health", False)


def test_collective_and_length() -> None:
    assert not is_collective(4) and is_collective(5)
    assert expected_minutes(1) == 15
    assert expected_minutes(5) > expected_minutes(4) + 3
