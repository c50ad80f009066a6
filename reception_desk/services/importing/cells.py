"""Cell parsing for pre-registration sheets: headcounts, companion lists, header names. No Qt, no database."""

from __future__ import annotations

import re
import unicodedata
from enum import Enum

from reception_desk.domain.names import clean_name, is_name_like


class Field(Enum):
    """A column of a pre-registration sheet that the import understands."""

    NAME = "name"
    ID_NUMBER = "id"
    PHONE = "phone"
    HEADCOUNT = "headcount"
    TOWNSHIP = "township"
    VILLAGE = "village"
    CATEGORY = "category"
    REQUEST = "request"
    COMPANIONS = "companions"


# Header texts offices write for each column (compared after normalize_header).
HEADER_ALIASES: dict[Field, tuple[str, ...]] = {
    Field.NAME: ("姓名", "来访人", "来访人姓名", "信访人", "信访人姓名"),
    Field.ID_NUMBER: ("身份证号码", "身份证号", "身份证", "公民身份号码"),
    Field.PHONE: ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "电话号码"),
    Field.HEADCOUNT: ("来访人数", "人数"),
    Field.TOWNSHIP: ("所属乡镇（街道）", "所属乡镇(街道)", "乡镇", "乡镇（街道）", "乡镇街道", "所属乡镇"),
    Field.VILLAGE: ("村", "村（社区）", "村社区", "所在村", "村(居)", "所在村（社区）"),
    Field.CATEGORY: ("问题类别", "类别", "问题分类", "问题类型"),
    Field.REQUEST: ("反映问题及诉求", "诉求", "反映问题", "主要诉求", "诉求内容", "反映问题及主要诉求"),
    Field.COMPANIONS: ("同行人员", "同行人", "同行人员姓名"),
}

# How a column is named in messages.
FIELD_LABELS: dict[Field, str] = {
    Field.NAME: "姓名",
    Field.ID_NUMBER: "身份证号",
    Field.PHONE: "联系电话",
    Field.HEADCOUNT: "来访人数",
    Field.TOWNSHIP: "乡镇（街道）",
    Field.VILLAGE: "村（社区）",
    Field.CATEGORY: "问题类别",
    Field.REQUEST: "反映问题及诉求",
    Field.COMPANIONS: "同行人员",
}

# The longest cell, in characters, that a row may have in each column; a longer one rejects the row. A request
# of a few pages is plenty for a reception day; without a cap one pasted file can fill the database and every
# listing after it. Township, village and category cells up to these lengths are cut to the column size.
FIELD_MAX_CHARS: dict[Field, int] = {
    Field.NAME: 50,
    Field.ID_NUMBER: 100,
    Field.PHONE: 100,
    Field.HEADCOUNT: 50,
    Field.TOWNSHIP: 200,
    Field.VILLAGE: 200,
    Field.CATEGORY: 200,
    Field.REQUEST: 5000,
    Field.COMPANIONS: 1000,
}

# Characters no one means to type in a cell: C0/C1 controls (NUL, BEL, ... but not tab and line breaks) and the
# invisible format characters that reorder or hide text (U+202E RIGHT-TO-LEFT OVERRIDE shows "王学德" reversed).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff\ufff9-\ufffb]"
)


def strip_invisible(text: str) -> tuple[str, list[str]]:
    """The text without control and bidi characters, and the code points removed ("U+202E"), first seen first."""
    found = _INVISIBLE.findall(text)
    if not found:
        return text, []
    return _INVISIBLE.sub("", text), [f"U+{ord(ch):04X}" for ch in dict.fromkeys(found)]


_HEADER_NOISE = re.compile(r"[\s\u3000\u200b\ufeff]+")


def normalize_header(text: object) -> str:
    """A header cell as a lookup key: NFKC (full-width → half-width brackets), no spaces or line breaks.

    Leading/trailing '*' (required-field marks) and ':' are dropped. Idempotent.
    """
    if text is None:
        return ""
    current = str(text)
    while True:
        folded = unicodedata.normalize("NFKC", current)
        folded = _HEADER_NOISE.sub("", folded).strip("*:")
        if folded == current:
            return folded
        current = folded


_ALIAS_INDEX: dict[str, Field] = {
    normalize_header(alias): field for field, aliases in HEADER_ALIASES.items() for alias in aliases
}


def match_header(text: object) -> Field | None:
    """The field a header cell names, or None (序号 and unknown columns)."""
    key = normalize_header(text)
    return _ALIAS_INDEX.get(key) if key else None


def is_blank(value: object) -> bool:
    """True for an empty cell: None or only spaces."""
    if value is None:
        return True
    return isinstance(value, str) and not value.strip()


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CHINESE_NUMBER = re.compile(r"^(?:([一二两三四五六七八九])?十([一二三四五六七八九])?|([零〇一二两三四五六七八九]))$")
_HEADCOUNT_SUFFIX = re.compile(r"(?:个人|人|名|位|个)$")
_HEADCOUNT_PREFIX = re.compile(r"^(?:共计|共|约|计)")
_INTEGER = re.compile(r"^\d+(?:\.0*)?$")
MAX_HEADCOUNT = 9999


def chinese_number(text: str) -> int | None:
    """Value of a simple Chinese numeral from 零 to 九十九 (五, 十二, 二十, 两), else None."""
    m = _CHINESE_NUMBER.match(text)
    if not m:
        return None
    tens, units, single = m.groups()
    if single is not None:
        return _DIGITS[single]
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[units] if units else 0)


def parse_headcount(value: object) -> int | None:
    """A headcount cell: 5, 5.0, "5人", " 5 ", "５人", "五人" → 5; blank → None; ValueError when unreadable."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a headcount: {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"not a whole number: {value!r}")
        number = int(value)
    else:
        text = _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", str(value)))
        text = _HEADCOUNT_PREFIX.sub("", _HEADCOUNT_SUFFIX.sub("", text))
        if _INTEGER.match(text):
            number = int(text.split(".")[0])
        else:
            parsed = chinese_number(text)
            if parsed is None:
                raise ValueError(f"not a headcount: {value!r}")
            number = parsed
    if not 0 <= number <= MAX_HEADCOUNT:
        raise ValueError(f"headcount out of range: {value!r}")
    return number


# Separators between companion names; a middle dot belongs to a name (阿依古丽·买买提) and never splits.
_COMPANION_SEPARATORS = re.compile(r"[、,，;；/／|｜\s\u3000]+")
_AROUND_DOT = re.compile(r"[\s\u3000]*([·・•‧∙])[\s\u3000]*")
# "张三、李四等5人" / "张三等": the trailing count is not a name
_TRAILING_COUNT = re.compile(r"(?<=\S)等\s*(?:\d+|[一二两三四五六七八九十]+)?\s*(?:人|名|位)?\s*$")


def split_names(value: object) -> list[str]:
    """Companion names from a cell: "张三、李四,王五；赵六" → four names; middle-dot names stay whole."""
    if is_blank(value):
        return []
    text = str(value).replace("\u00a0", " ").strip()
    text = _TRAILING_COUNT.sub("", text)
    text = _AROUND_DOT.sub(r"\1", text)
    names = (clean_name(part) for part in _COMPANION_SEPARATORS.split(text))
    return [name for name in names if name and is_name_like(name)]


def cell_text(value: object) -> str:
    """The text of a cell for messages: numbers without a trailing '.0', stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
