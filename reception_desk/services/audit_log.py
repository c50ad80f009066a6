"""Reading the audit log (操作日志): who did what when, before and after per field, filtered and paged.

    page = audit_log.list_entries(db, "chief", AuditFilter(actor="desk1", since=...), limit=100)
    more = audit_log.list_entries(db, "chief", same_filter, before_id=page.next_before_id)

Newest first, paged by keyset on the id (a day of 100,000 entries reads a page as fast as an empty one). Only
supervisors and admins read it (Permission.AUDIT). Actions, entities and fields come with their Chinese names;
values are shown readably (rooms and departments by name, times in the office's zone, statuses by their label)
and a resident ID number anywhere in a value is masked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, distinct, false, or_, select
from sqlalchemy.orm import Session

from reception_desk.db.engine import Database
from reception_desk.db.models import AuditEntry, Batch, BatchMember, Case, Department, Room, Theme, Visitor
from reception_desk.domain import office_time, resident_id
from reception_desk.domain import phone as phones
from reception_desk.domain.batches import BatchStatus, Flag
from reception_desk.domain.case_life import RATINGS, CaseStatus
from reception_desk.domain.roles import Permission, Role
from reception_desk.errors import InvalidInputError, NotFoundError, entity_name
from reception_desk.services import authz

PAGE_SIZE = 100
MAX_PAGE = 1000

# every action written by the services (grep "audit.record(" / record_many / "action":), with its Chinese name;
# an action not listed here is shown as it is stored
ACTION_LABELS: dict[str, str] = {
    "register": "登记",
    "import": "导入预登记",
    "update_contact": "更新联系方式",
    "edit": "修改登记",
    "assign": "自动分配接待室",
    "move": "调整接待室",
    "check_in": "签到",
    "undo_check_in": "撤销签到",
    "start_session": "开始接谈",
    "return_to_queue": "退回候谈",
    "no_show": "标记未到",
    "finish": "接谈结束",
    "record": "记录接谈结果",
    "update": "修改",
    "create": "创建",
    "create_demo": "生成演示数据",
    "flag_repeat": "标记重复访",
    "sign": "签收",
    "feedback": "反馈",
    "close": "办结",
    "follow_up": "回访",
    "extend": "延期",
    "supervise": "挂牌督办",
    "escalate": "提级核查",
    "calendar": "修改工作日历",
    "calendar_year": "确认全年工作日历",
    "deadline_mode": "修改期限计算方式",
    "add_user": "添加用户",
    "enable_user": "启用用户",
    "disable_user": "停用用户",
    "change_password": "修改密码",
    "reset_password": "重置密码",
    "lock_user": "锁定用户",
    "rotate_data_key": "轮换数据密钥",
    "retention_apply": "数据保留处理",
    "retention_policy": "修改数据保留规则",
    "unmask": "查看完整号码",
    "export_unmasked": "导出完整号码",
}

# the entities the log names (table names as the services write them)
ENTITY_LABELS: dict[str, str] = {
    "key_holder": "数据密钥",
    "batch": "批次",
    "case": "信访事项",
    "visitor": "来访人",
    "room": "接待室",
    "department": "单位",
    "reception_day": "接访日",
    "calendar_day": "节假日安排",
    "calendar_year": "节假日安排",
    "app_user": "用户",
    "retention": "数据保留",
}

FIELD_LABELS: dict[str, str] = {
    # batch
    "reg_no": "登记号",
    "headcount": "人数",
    "theme_id": "问题类别",
    "theme": "问题类别",
    "request": "诉求",
    "township": "乡镇（街道）",
    "village": "村（社区）",
    "source": "来源",
    "status": "状态",
    "room_id": "接待室",
    "room": "接待室",
    "queue_position": "排队位置",
    "queue_number": "排队号",
    "placed_by_hand": "人工调整",
    "flags": "标记",
    "members": "来访人员",
    "people": "来访人信息",
    "members_checked_in": "本次签到人员",
    "members_unchecked": "撤销签到人员",
    "import_source": "导入来源",
    "arrived_at": "签到时间",
    "called_at": "叫号时间",
    "started_at": "开始接谈时间",
    "finished_at": "接谈结束时间",
    # case
    "case_no": "案件编号",
    "instruction": "领导批示",
    "outcome": "处理结果",
    "colour": "三色分类",
    "lead_department_id": "主办单位",
    "co_department_ids": "协办单位",
    "due_date": "办理期限",
    "signed_at": "签收时间",
    "signed_by": "签收人",
    "replied_at": "反馈时间",
    "closed_at": "办结时间",
    "resolved": "化解",
    "satisfaction": "满意度",
    "followed_up_at": "回访时间",
    "supervised": "挂牌督办",
    "supervision_until": "督办期限",
    "escalated": "提级核查",
    # visitor, room, department, user, day, calendar
    "name": "名称",
    "phone": "电话",
    "id_number": "身份证号",
    "location": "位置",
    "host": "主持人",
    "capacity": "容量",
    "short_name": "简称",
    "kind": "类型",
    "contact": "联系人",
    "active": "启用",
    "display_name": "显示名",
    "role": "角色",
    "rooms": "接待室",
    "date": "日期",
    "title": "标题",
    "venue": "地点",
    "leaders": "接访领导",
    "note": "备注",
    "year": "年份",
    "working_day_deadlines": "按工作日计算期限",
    "seed": "随机种子",
    "history": "含历史数据",
    # retention (数据保留)
    "dry_run": "试运行",
    "erased_people": "化名处理人数",
    "erased_batches": "涉及批次",
    "erased_cases": "涉及案件",
    "audit_entries": "改写的日志条目",
    "policy_years": "保留年限",
    "years": "保留年限",
    "keep_hashes": "保留号码校验值",
    "enabled": "启用",
    "cutoff": "结案早于",
    "today": "处理日期",
    # 查看完整号码 / 导出完整号码
    "field": "号码",
    "what": "导出内容",
    "file": "文件",
    "rows": "行数",
}

VALUE_LABELS: dict[str, str] = {
    "resolved": "当场解决",
    "handed_over": "交办",
    "explained": "解释说明",
    "green": "绿色（1日）",
    "yellow": "黄色（3日）",
    "red": "红色（7日）",
    "pre": "预登记",
    "walk_in": "现场登记",
    "holiday": "节假日",
    "workday": "工作日",
    **RATINGS,
}

_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
BLANK = "—"


def action_label(action: str) -> str:
    """The Chinese name of an action (check_in → 签到); an unknown one as it is."""
    return ACTION_LABELS.get(action, action)


def entity_label(entity: str) -> str:
    """The Chinese name of an entity (batch → 批次); an unknown one as it is."""
    if entity in ENTITY_LABELS:
        return ENTITY_LABELS[entity]
    named = entity_name(entity)
    return named if named != "记录" else entity


def field_label(name: str) -> str:
    """The Chinese name of a field (phone → 电话); an unknown one as it is."""
    return FIELD_LABELS.get(name, name)


def mask_ids(text: str) -> str:
    """Any resident ID number inside the text, masked (330803********1234)."""
    return _ID_LIKE.sub(lambda m: resident_id.mask(m.group(0)), text)


@dataclass(frozen=True)
class AuditFilter:
    """What to show: all of the given conditions hold. Times are naive UTC; `until` is exclusive."""

    actor: str | None = None
    entity: str | None = None  # batch, case, room, ... (the kind of thing changed)
    action: str | None = None  # check_in, move, ...
    batch: str | None = None  # a registration number (in `day_id` when given) or "#id": the batch, its people, cases
    case: str | None = None  # a case number: that case's entries
    day_id: int | None = None  # where a registration number is looked up (None: any day)
    since: dt.datetime | None = None
    until: dt.datetime | None = None


@dataclass(frozen=True)
class FieldChange:
    """One field of an entry: its Chinese name and the value before and after, shown readably."""

    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditRow:
    """One entry of the log as people read it."""

    id: int
    at: dt.datetime  # naive UTC as stored
    at_local: dt.datetime  # aware, in the office's zone
    actor: str
    action: str
    action_label: str
    entity: str
    entity_label: str
    entity_id: int | None
    subject: str  # what the entry is about: 批次 Y0003, 信访事项 JF-…, 第4接待室 (or the id)
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str
    changes: tuple[FieldChange, ...]

    def to_json(self) -> dict[str, Any]:
        """The entry for `audit --json`: times ISO with the office's offset, IDs masked in before/after."""
        return {
            "id": self.id,
            "at": self.at_local.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "action_label": self.action_label,
            "entity": self.entity,
            "entity_label": self.entity_label,
            "entity_id": self.entity_id,
            "subject": self.subject,
            "before": _masked(self.before, self.entity),
            "after": _masked(self.after, self.entity),
            "reason": mask_ids(self.reason),
        }


@dataclass(frozen=True)
class AuditPage:
    """A page of entries, newest first; `next_before_id` asks for the following page (None: no more)."""

    rows: list[AuditRow]
    next_before_id: int | None = None


@dataclass
class _Names:
    """Readable names for the ids a page of entries mentions, looked up once per page."""

    rooms: dict[int, str] = field(default_factory=dict)
    themes: dict[int, str] = field(default_factory=dict)
    departments: dict[int, str] = field(default_factory=dict)
    visitors: dict[int, str] = field(default_factory=dict)
    members: dict[int, str] = field(default_factory=dict)  # BatchMember id → the person's name
    batches: dict[int, str] = field(default_factory=dict)
    cases: dict[int, str] = field(default_factory=dict)


def list_entries(
    db: Database,
    actor: str,
    filters: AuditFilter | None = None,
    before_id: int | None = None,
    limit: int = PAGE_SIZE,
) -> AuditPage:
    """A page of the log, newest first (entries with an id below `before_id` when given)."""
    filters = filters or AuditFilter()
    limit = max(1, min(limit, MAX_PAGE))
    with db.read() as session:
        authz.require(session, actor, Permission.AUDIT)
        stmt = select(AuditEntry).where(*_conditions(session, filters))
        if before_id is not None:
            stmt = stmt.where(AuditEntry.id < before_id)
        entries = list(session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(limit + 1)))
        more = len(entries) > limit
        entries = entries[:limit]
        names = _names(session, entries)
        rows = [_row(e, names) for e in entries]
    return AuditPage(rows, rows[-1].id if more and rows else None)


def get_entry(db: Database, actor: str, entry_id: int) -> AuditRow:
    """One entry by its id (NotFoundError when there is none)."""
    with db.read() as session:
        authz.require(session, actor, Permission.AUDIT)
        entry = session.get(AuditEntry, entry_id)
        if entry is None:
            raise NotFoundError(f"操作记录 #{entry_id} 不存在。")
        return _row(entry, _names(session, [entry]))


def actors(db: Database, actor: str) -> list[str]:
    """Everyone who appears in the log or is a user, by name (for the user filter)."""
    from reception_desk.db.models import AppUser

    with db.read() as session:
        authz.require(session, actor, Permission.AUDIT)
        found = set(session.scalars(select(distinct(AuditEntry.actor))))
        found.update(session.scalars(select(AppUser.name)))
    return sorted(n for n in found if n)


def may_read(db: Database, actor: str) -> bool:
    """Whether the actor may read the log (the page and the CLI ask before loading)."""
    with db.read() as session:
        return authz.actor_of(session, actor).may(Permission.AUDIT)


def parse_since(text: str) -> dt.datetime:
    """A date (its start) or a date-time in the office's zone, as naive UTC; InvalidInputError otherwise."""
    raw = text.strip().replace("T", " ")
    try:
        if len(raw) == 10:
            local = dt.datetime.combine(dt.date.fromisoformat(raw), dt.time())
        else:
            local = dt.datetime.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInputError(f"时间格式应为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM：{text}") from exc
    return office_time.to_utc(local)


# --- filters ---------------------------------------------------------------------------------------------


def _conditions(session: Session, f: AuditFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.actor:
        conditions.append(AuditEntry.actor == f.actor)
    if f.entity:
        conditions.append(AuditEntry.entity == f.entity)
    if f.action:
        conditions.append(AuditEntry.action == f.action)
    if f.since is not None:
        conditions.append(AuditEntry.at >= f.since)
    if f.until is not None:
        conditions.append(AuditEntry.at < f.until)
    if f.batch and f.batch.strip():
        conditions.append(_about_batches(session, _batch_ids(session, f.batch.strip(), f.day_id)))
    if f.case and f.case.strip():
        number = f.case.strip().upper()
        case_id = session.scalar(select(Case.id).where(Case.case_no == number))
        if case_id is None:
            raise NotFoundError(f"没有编号为 {number} 的信访事项。")
        conditions.append(_about("case", [case_id]))
    return conditions


def _batch_ids(session: Session, text: str, day_id: int | None) -> list[int]:
    if text.startswith("#") and text[1:].isdigit():
        ids = list(session.scalars(select(Batch.id).where(Batch.id == int(text[1:]))))
    else:
        stmt = select(Batch.id).where(Batch.reg_no == text.upper())
        if day_id is not None:
            stmt = stmt.where(Batch.day_id == day_id)
        ids = list(session.scalars(stmt))
    if not ids:
        raise NotFoundError(f"没有登记号为 {text} 的批次。")
    return ids


def _about(entity: str, ids: Iterable[int]) -> ColumnElement[bool]:
    wanted = sorted(set(ids))
    if not wanted:
        return false()
    return and_(AuditEntry.entity == entity, AuditEntry.entity_id.in_(wanted))


def _about_batches(session: Session, batch_ids: list[int]) -> ColumnElement[bool]:
    """Entries about the batches, their people (visitors) and their cases."""
    visitors = set(session.scalars(select(BatchMember.visitor_id).where(BatchMember.batch_id.in_(batch_ids))))
    visitors.update(session.scalars(select(Batch.lead_visitor_id).where(Batch.id.in_(batch_ids))))
    cases = list(session.scalars(select(Case.id).where(Case.batch_id.in_(batch_ids))))
    return or_(_about("batch", batch_ids), _about("visitor", visitors), _about("case", cases))


# --- rows ------------------------------------------------------------------------------------------------

_ROOM_FIELDS = {"room_id"}
_DEPARTMENT_FIELDS = {"lead_department_id", "co_department_ids"}
_VISITOR_FIELDS = {"members", "members_checked_in", "members_unchecked"}


def _ints(value: Any) -> list[int]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, int) and not isinstance(v, bool)]
    return []


def _names(session: Session, entries: list[AuditEntry]) -> _Names:
    rooms: set[int] = set()
    themes: set[int] = set()
    departments: set[int] = set()
    visitors: set[int] = set()
    members: set[int] = set()
    batches: set[int] = set()
    cases: set[int] = set()
    for e in entries:
        if e.entity == "batch" and e.entity_id is not None:
            batches.add(e.entity_id)
        elif e.entity == "case" and e.entity_id is not None:
            cases.add(e.entity_id)
        elif e.entity == "room" and e.entity_id is not None:
            rooms.add(e.entity_id)
        elif e.entity == "visitor" and e.entity_id is not None:
            visitors.add(e.entity_id)
        for values in (e.before or {}, e.after or {}):
            for key, value in values.items():
                if key in _ROOM_FIELDS:
                    rooms.update(_ints(value))
                elif key == "theme_id":
                    themes.update(_ints(value))
                elif key in _DEPARTMENT_FIELDS:
                    departments.update(_ints(value))
                elif key == "members":
                    visitors.update(_ints(value))
                elif key in ("members_checked_in", "members_unchecked"):
                    members.update(_ints(value))
    names = _Names()
    # (a Result has keys(): dict(result) would take it for a mapping, so the pairs are built one by one)
    if rooms:
        found = session.execute(select(Room.id, Room.number).where(Room.id.in_(rooms)))
        names.rooms = {i: f"第{n}接待室" for i, n in found}
    if themes:
        names.themes = _pairs(session, select(Theme.id, Theme.name).where(Theme.id.in_(themes)))
    if departments:
        names.departments = _pairs(
            session, select(Department.id, Department.name).where(Department.id.in_(departments))
        )
    if members:
        # check-ins name the batch members (BatchMember ids): shown as their people's names
        names.members = _pairs(
            session,
            select(BatchMember.id, Visitor.name)
            .join(Visitor, Visitor.id == BatchMember.visitor_id)
            .where(BatchMember.id.in_(members)),
        )
    if visitors:
        names.visitors = _pairs(session, select(Visitor.id, Visitor.name).where(Visitor.id.in_(visitors)))
    if batches:
        names.batches = _pairs(session, select(Batch.id, Batch.reg_no).where(Batch.id.in_(batches)))
    if cases:
        names.cases = _pairs(session, select(Case.id, Case.case_no).where(Case.id.in_(cases)))
    return names


def _pairs(session: Session, stmt: Select[tuple[int, str]]) -> dict[int, str]:
    return {key: value for key, value in session.execute(stmt)}


def _subject(e: AuditEntry, names: _Names) -> str:
    label = entity_label(e.entity)
    if e.entity_id is None:
        return label
    known = {
        "batch": names.batches,
        "case": names.cases,
        "visitor": names.visitors,
    }.get(e.entity, {})
    if e.entity == "room" and e.entity_id in names.rooms:
        return names.rooms[e.entity_id]
    if e.entity_id in known:
        return f"{label} {known[e.entity_id]}"
    return f"{label} #{e.entity_id}"


def _row(e: AuditEntry, names: _Names) -> AuditRow:
    before, after = e.before, e.after
    keys = list(dict.fromkeys([*(before or {}), *(after or {})]))
    changes = tuple(
        FieldChange(
            key,
            field_label(key),
            show_value(key, (before or {}).get(key), e.entity, names) if before is not None else BLANK,
            show_value(key, (after or {}).get(key), e.entity, names) if after is not None else BLANK,
        )
        for key in keys
    )
    at_local = e.at.replace(tzinfo=dt.UTC).astimezone(office_time.zone())
    return AuditRow(
        id=e.id,
        at=e.at,
        at_local=at_local,
        actor=e.actor,
        action=e.action,
        action_label=action_label(e.action),
        entity=e.entity,
        entity_label=entity_label(e.entity),
        entity_id=e.entity_id,
        subject=_subject(e, names),
        before=before,
        after=after,
        reason=e.reason or "",
        changes=changes,
    )


def show_value(key: str, value: Any, entity: str = "", names: _Names | None = None) -> str:
    """A stored value as people read it: names for ids, labels for codes, office times; IDs masked."""
    names = names or _Names()
    if value is None or value == "" or value == []:
        return BLANK
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in _ROOM_FIELDS and isinstance(value, int):
        return names.rooms.get(value, f"#{value}")
    if key == "room" and isinstance(value, int):
        return f"第{value}接待室"
    if key == "theme_id" and isinstance(value, int):
        return names.themes.get(value, f"#{value}")
    if key in _DEPARTMENT_FIELDS:
        return "、".join(names.departments.get(i, f"#{i}") for i in _ints(value)) or BLANK
    if key == "field" and value in ("id_number", "phone"):  # 查看完整号码: which number (never the number)
        return field_label(value)
    if key == "phone" and entity == "visitor" and isinstance(value, str):  # a person's phone: masked (old entries)
        return phones.mask(value)
    if key == "people" and isinstance(value, list):  # a registration edit: name 电话 身份证号 of each person
        return (
            "；".join(
                mask_ids(" ".join(_person_part(k, p.get(k)) for k in ("name", "phone", "id_number") if p.get(k)))
                if isinstance(p, dict)
                else str(p)
                for p in value
            )
            or BLANK
        )
    if key == "members":
        return "、".join(names.visitors.get(i, f"#{i}") for i in _ints(value)) or BLANK
    if key in _VISITOR_FIELDS:
        return "、".join(names.members.get(i, f"#{i}") for i in _ints(value)) or BLANK
    if key == "status" and isinstance(value, str):
        return _status_label(value, entity)
    if key == "flags" and isinstance(value, list):
        return "、".join(_flag_label(v) for v in value)
    if key == "role" and isinstance(value, str):
        try:
            return Role(value).label
        except ValueError:
            return value
    if key == "rooms" and isinstance(value, list):
        return "、".join(f"第{n}接待室" for n in value)
    if isinstance(value, str):
        if _ISO_MOMENT.match(value):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                return mask_ids(value)
            return f"{office_time.to_local(moment):%Y-%m-%d %H:%M:%S}"
        return mask_ids(VALUE_LABELS.get(value, value))
    if isinstance(value, list):
        return "、".join(show_value(key, v, entity, names) for v in value)
    if isinstance(value, dict):
        return mask_ids(", ".join(f"{k}={v}" for k, v in value.items()))
    return mask_ids(str(value))


def _person_part(key: str, value: Any) -> str:
    """A person's name, phone or ID in a registration edit's entry; a phone masked (entries written before masking)."""
    return phones.mask(str(value)) if key == "phone" else str(value)


def _status_label(value: str, entity: str) -> str:
    try:
        if entity == "case":
            return CaseStatus(value).label
        return BatchStatus(value).label
    except ValueError:
        return value


def _flag_label(value: Any) -> str:
    try:
        return Flag(value).label
    except ValueError:
        return str(value)


def _masked(values: Mapping[str, Any] | None, entity: str = "") -> dict[str, Any] | None:
    if values is None:
        return None
    # a person's phone is masked (a department's office phone is not personal data)
    return {k: _mask_value(v, k == "phone" and entity == "visitor") for k, v in values.items()}


def _mask_value(value: Any, phone: bool = False) -> Any:
    if isinstance(value, str):
        return phones.mask(value) if phone else mask_ids(value)
    if isinstance(value, list):
        return [_mask_value(v) for v in value]
    if isinstance(value, dict):  # a person inside a registration edit: his phone masked too
        return {k: _mask_value(v, k == "phone") for k, v in value.items()}
    return value
