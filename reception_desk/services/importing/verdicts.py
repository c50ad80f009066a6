"""The rules for one row of a pre-registration sheet, and for duplicates. Pure: no Qt, no database."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from reception_desk.domain import phone as phones
from reception_desk.domain import resident_id, themes
from reception_desk.domain.batches import Flag
from reception_desk.domain.names import clean_name, clean_text, is_name_like
from reception_desk.services.importing.cells import (
    FIELD_MAX_CHARS,
    Field,
    cell_text,
    is_blank,
    parse_headcount,
    split_names,
)
from reception_desk.services.importing.reader import SourceRow
from reception_desk.services.importing.report import RowVerdict

# Column sizes of db.models (Visitor.township/village, Batch.category_text); a name is held to the import's cap.
NAME_MAX = FIELD_MAX_CHARS[Field.NAME]
TOWNSHIP_MAX = 50
VILLAGE_MAX = 100
CATEGORY_MAX = 100

# What people write in the ID column when there is no number.
_NO_ID_WORDS = frozenset({"无", "暂无", "没有", "不详", "未提供", "未知", "/", "-", "—", "--", "——", "无身份证"})
_NAME_SEPARATORS = re.compile(r"[、,，;；/／]+")
_PHONE_SEPARATORS = re.compile(r"[、,，;；/／\s\u3000]+")
_CHECK_CARD = "请现场核对身份证原件"

_ID_PROBLEM_TEXT = {
    resident_id.IdProblem.BAD_DATE: "身份证号中的出生日期不存在，已照录",
    resident_id.IdProblem.BAD_CHECKSUM: "身份证号校验位不对，已照录",
}


@dataclass
class PlannedBatch:
    """A row that passed the rules: the batch and people it will become, with warnings and flags."""

    row: int
    name: str
    request: str
    headcount: int
    theme_code: str
    id_number: str | None = None
    id_valid: bool = False
    phone: str = ""
    companions: list[str] = field(default_factory=list)
    township: str = ""
    village: str = ""
    category_text: str = ""
    flags: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)

    def warn(self, text: str, flag: Flag | None = None) -> None:
        """Add a warning (and the batch flag that goes with it)."""
        self.warnings.append(text)
        if flag is not None:
            self.flags.add(flag.value)

    @property
    def matter_key(self) -> tuple[str, str, str]:
        """Lead name, phone and request: what identifies a batch that has no resident ID."""
        return (self.name, self.phone, self.request)


def check_row(source: SourceRow) -> PlannedBatch | RowVerdict:
    """Apply the row rules: a PlannedBatch to import, or a RowVerdict saying why the row is rejected."""
    if source.problem:
        return RowVerdict(source.row, source.problem)
    names = [n for n in (clean_name(p) for p in _NAME_SEPARATORS.split(clean_name(source.get(Field.NAME)))) if n]
    request = clean_text(source.get(Field.REQUEST))
    missing = [what for what, absent in (("姓名", not names), ("诉求", not request)) if absent]
    if missing:
        return RowVerdict(source.row, f"缺少{'和'.join(missing)}")
    name = names[0]
    if not is_name_like(name):
        return RowVerdict(source.row, f"姓名“{name}”无法识别")
    if len(name) > NAME_MAX:
        return RowVerdict(source.row, f"姓名过长（超过{NAME_MAX}字）")

    plan = PlannedBatch(row=source.row, name=name, request=request, headcount=1, theme_code=themes.GENERAL)
    for note in source.notes:
        plan.warn(note)
    if len(names) > 1:
        plan.warn(f"姓名栏填了多人，以“{name}”为领头人，其余列为同行人员")
    _check_id(plan, source.get(Field.ID_NUMBER))
    _check_phone(plan, source.get(Field.PHONE))
    _check_companions(plan, [*names[1:], *split_names(source.get(Field.COMPANIONS))])
    _check_headcount(plan, source.get(Field.HEADCOUNT))
    _check_theme(plan, source.get(Field.CATEGORY))
    plan.township = _place(plan, source.get(Field.TOWNSHIP), "乡镇（街道）", TOWNSHIP_MAX)
    plan.village = _place(plan, source.get(Field.VILLAGE), "村（社区）", VILLAGE_MAX)
    return plan


def _check_id(plan: PlannedBatch, raw: object) -> None:
    if is_blank(raw):
        return
    if isinstance(raw, dt.date | dt.time):
        # a date-formatted cell: Excel turned the number into a date, or a birth date went in the wrong column
        shown = raw.date() if isinstance(raw, dt.datetime) and raw.time() == dt.time() else raw
        plan.warn(f"身份证号一栏是日期（{shown}），不是身份证号，未保存，{_CHECK_CARD}", Flag.ID_TO_CHECK)
        return
    if resident_id.is_number_mangled(raw):
        plan.warn(f"身份证号被表格存成了数字，后几位已丢失，未保存，{_CHECK_CARD}", Flag.ID_TO_CHECK)
        return
    text = resident_id.normalize(raw)
    if not any(ch.isdigit() for ch in text):
        if text not in _NO_ID_WORDS:
            plan.warn(f"身份证号“{cell_text(raw)}”无法识别，未保存，{_CHECK_CARD}", Flag.ID_TO_CHECK)
        return
    if len(text) > resident_id.LENGTH:
        plan.warn(f"身份证号超过{resident_id.LENGTH}位，未保存，{_CHECK_CARD}", Flag.ID_TO_CHECK)
        return
    checked = resident_id.check(text)
    if checked.problem is resident_id.IdProblem.BAD_SHAPE:
        # only a well-formed number is kept (and matched as the same person): anything else is not an ID
        plan.warn(
            f"身份证号“{cell_text(raw)}”格式不对（应为18位数字，末位可为X），未保存，{_CHECK_CARD}",
            Flag.ID_TO_CHECK,
        )
        return
    plan.id_number, plan.id_valid = checked.normalized, checked.valid
    if checked.problem is not None:
        plan.warn(f"{_ID_PROBLEM_TEXT[checked.problem]}，{_CHECK_CARD}", Flag.ID_TO_CHECK)


def _check_phone(plan: PlannedBatch, raw: object) -> None:
    if is_blank(raw):
        return
    parsed = phones.normalize(raw)
    if parsed is not None:
        plan.phone = parsed.digits
        return
    parts = [p for p in (phones.normalize(part) for part in _PHONE_SEPARATORS.split(cell_text(raw))) if p]
    if parts:
        plan.phone = parts[0].digits
        if len(parts) > 1:
            plan.warn(f"电话栏有{len(parts)}个号码，只保存了第一个")
        return
    plan.warn(f"电话号码“{cell_text(raw)}”无法识别，未保存")


def _check_companions(plan: PlannedBatch, names: list[str]) -> None:
    kept: list[str] = []
    for name in names:
        if name == plan.name:
            continue  # the lead listed again among the companions
        if len(name) > NAME_MAX:
            plan.warn(f"同行人员姓名过长（超过{NAME_MAX}字），未保存")
            continue
        kept.append(name)
    plan.companions = kept


def _check_headcount(plan: PlannedBatch, raw: object) -> None:
    named = 1 + len(plan.companions)
    try:
        declared = parse_headcount(raw)
    except ValueError:
        plan.warn(f"来访人数“{cell_text(raw)}”无法识别，按{named}人计")
        declared = None
    if declared is None:
        plan.headcount = named
    elif declared < named:
        plan.warn(f"来访人数填{declared}人，少于领头人加同行人员（{named}人），按{named}人计")
        plan.headcount = named
    else:
        plan.headcount = declared


def _check_theme(plan: PlannedBatch, raw: object) -> None:
    category = clean_text(raw)
    plan.category_text = category[:CATEGORY_MAX]
    code = themes.from_category(category)
    if code is None:
        code = themes.infer_from_request(plan.request)
        plan.flags.add(Flag.THEME_INFERRED.value)
        if category:
            plan.warn(f"问题类别“{category}”无法识别，已按诉求内容归入“{themes.BY_CODE[code].name}”")
    plan.theme_code = code


def _place(plan: PlannedBatch, raw: object, label: str, limit: int) -> str:
    text = clean_text(raw).replace("\n", " ")
    if len(text) > limit:
        plan.warn(f"{label}超过{limit}字，已截断")
        text = text[:limit]
    return text


@dataclass
class DuplicateIndex:
    """Resident IDs and (name, phone, request) already registered that day or seen earlier in the file.

    A value of None means "registered already"; a number is the file row where it was first seen.
    """

    ids: dict[str, int | None] = field(default_factory=dict)
    matters: dict[tuple[str, str, str], int | None] = field(default_factory=dict)

    @classmethod
    def of_registered(cls, ids: Iterable[str], matters: Iterable[tuple[str, str, str]]) -> DuplicateIndex:
        """An index of what the day already holds."""
        return cls(dict.fromkeys(ids), dict.fromkeys(matters))

    def check(self, plan: PlannedBatch) -> str | None:
        """Why the planned batch is a duplicate, or None when it is new."""
        if plan.id_number:
            if plan.id_number not in self.ids:
                return None
            first = self.ids[plan.id_number]
            if first is None:
                return "该身份证号当天已登记（作为领头人或同行人员），未重复导入"
            return f"身份证号与第{first}行相同，未重复导入"
        key = plan.matter_key
        if key not in self.matters:
            return None
        first = self.matters[key]
        if first is None:
            return "当天已有姓名、电话、诉求都相同的登记，未重复导入"
        return f"与第{first}行的姓名、电话、诉求都相同，未重复导入"

    def add(self, plan: PlannedBatch) -> None:
        """Remember a batch that will be imported."""
        if plan.id_number:
            self.ids.setdefault(plan.id_number, plan.row)
        else:
            self.matters.setdefault(plan.matter_key, plan.row)
