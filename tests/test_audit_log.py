"""The audit log read back (操作日志): filters, paging, labels, who may read it, and import's contact updates."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select, update

from reception_desk.db.engine import Database
from reception_desk.db.models import AuditEntry, Batch, Case, Visitor
from reception_desk.domain import office_time
from reception_desk.domain.roles import Role
from reception_desk.errors import NotFoundError, PermissionDeniedError
from reception_desk.services import audit_log, case_life, registrations, users
from reception_desk.services.audit_log import AuditFilter
from reception_desk.services.importing import import_registrations
from reception_desk.services.registration_edit import load_registration, update_registration
from tests.life_builders import at, dept, handed, id_number, new_day, record, visit

DAY = dt.date(2026, 12, 4)
ROOT = Path(__file__).resolve().parent.parent


def _all(db: Database, filters: AuditFilter, actor: str = "chief") -> list[audit_log.AuditRow]:
    return audit_log.list_entries(db, actor, filters, limit=1000).rows


def edit_request(db: Database, batch_id: int, request: str, actor: str) -> None:
    """Change a registration's request through the edit service, as the dialog does (versions as it read them)."""
    data = load_registration(db, batch_id)
    versions = getattr(data, "visitor_versions", None)  # the people's versions, where the service asks for them
    extra = () if versions is None else (versions,)
    update_registration(db, batch_id, dataclasses.replace(data.data, request=request), actor, data.version, *extra)


def _set_time(db: Database, entry_ids: list[int], moment: dt.datetime) -> None:
    with db.session() as session:
        session.execute(update(AuditEntry).where(AuditEntry.id.in_(entry_ids)).values(at=moment))


def test_filters_by_user_kind_batch_case_and_time(db: Database) -> None:
    day_id = new_day(db, DAY)
    ours = visit(db, day_id, "王学德", id_no=id_number(1))
    other = visit(db, day_id, "李四", id_no=id_number(2))
    edit_request(db, ours, "改过的诉求", "desk1")
    case_id = record(db, ours, handed(dept(db, "人力资源和社会保障局")), at(DAY, 10))
    case_life.sign_case(db, case_id, "刘科长", "chief", at=at(DAY, 11), expected_version=_version(db, Case, case_id))
    registrations.move_batch(
        db, other, _room_id(db, day_id, 9), "群众要求", "chief", expected_version=_version(db, Batch, other)
    )

    everything = _all(db, AuditFilter())
    assert [r.id for r in everything] == sorted((r.id for r in everything), reverse=True)  # newest first

    by_desk = _all(db, AuditFilter(actor="desk1"))
    assert [(r.action, r.action_label, r.entity_label) for r in by_desk] == [("edit", "修改登记", "批次")]
    edit = by_desk[0]
    assert [(c.label, c.before, c.after) for c in edit.changes] == [("诉求", "王学德反映问题。", "改过的诉求")]

    by_chief = _all(db, AuditFilter(actor="chief"))
    assert [r.action for r in by_chief] == ["move", "sign"]
    moves = _all(db, AuditFilter(action="move"))
    assert len(moves) == 1 and moves[0].action_label == "调整接待室" and moves[0].subject.endswith("Y0002")
    room_change = next(c for c in moves[0].changes if c.field == "room_id")
    assert room_change.label == "接待室" and room_change.after == "第9接待室"
    cases_only = _all(db, AuditFilter(entity="case"))
    assert {r.action for r in cases_only} == {"record", "sign"} and all(
        r.entity_label == "信访事项" for r in cases_only
    )

    about_ours = _all(db, AuditFilter(batch="Y0001", day_id=day_id))
    assert {(r.entity, r.action) for r in about_ours} == {
        ("batch", "register"),
        ("batch", "assign"),
        ("batch", "check_in"),
        ("batch", "edit"),
        ("batch", "finish"),
        ("case", "record"),
        ("case", "sign"),
    }
    assert all(r.entity_id in (ours, case_id) for r in about_ours)
    assert {r.id for r in _all(db, AuditFilter(batch=f"#{ours}"))} == {r.id for r in about_ours}
    case_no = next(r.subject for r in about_ours if r.action == "record").split()[-1]
    assert [r.action for r in _all(db, AuditFilter(case=case_no.lower()))] == ["sign", "record"]
    with pytest.raises(NotFoundError, match="Y9999"):
        _all(db, AuditFilter(batch="Y9999"))

    # time: yesterday's entries, a window in the morning, and the office's zone in what is shown
    _set_time(db, [r.id for r in everything], dt.datetime(2026, 12, 4, 3, 0))
    _set_time(db, [r.id for r in everything if r.action in ("register", "assign")], dt.datetime(2026, 12, 3, 2, 0))
    _set_time(db, [edit.id], dt.datetime(2026, 12, 4, 1, 30))  # 09:30 in Shanghai
    since = audit_log.parse_since("2026-12-04")
    assert since == dt.datetime(2026, 12, 3, 16, 0)
    today = _all(db, AuditFilter(since=since))
    assert not {"register", "assign"} & {r.action for r in today} and len(today) == len(everything) - 4
    window = _all(db, AuditFilter(since=audit_log.parse_since("2026-12-04 09:00"), until=dt.datetime(2026, 12, 4, 2)))
    assert [r.id for r in window] == [edit.id]
    assert window[0].at_local.isoformat() == "2026-12-04T09:30:00+08:00"
    assert window[0].to_json()["at"] == "2026-12-04T09:30:00+08:00"


def _version(db: Database, model: type[Batch] | type[Case], row_id: int) -> int:
    with db.read() as session:
        row = session.get(model, row_id)
        assert row is not None
        return row.version


def _room_id(db: Database, day_id: int, number: int) -> int:
    from reception_desk.db.models import Room

    with db.read() as session:
        found = session.scalar(select(Room.id).where(Room.day_id == day_id, Room.number == number))
        assert found is not None
        return found


def test_pages_by_keyset_cover_every_entry_once(db: Database) -> None:
    day_id = new_day(db, DAY)
    for i in range(7):
        visit(db, day_id, f"来访{i}", id_no=id_number(i))
    total = _all(db, AuditFilter())
    seen: list[int] = []
    page = audit_log.list_entries(db, "chief", AuditFilter(), limit=4)
    while True:
        seen.extend(r.id for r in page.rows)
        if page.next_before_id is None:
            break
        page = audit_log.list_entries(db, "chief", AuditFilter(), before_id=page.next_before_id, limit=4)
    assert seen == [r.id for r in total] and len(seen) > 8


def test_a_supervisor_reads_the_log_a_desk_user_is_refused(db: Database) -> None:
    users.add_user(db, "setup", "admin", Role.ADMIN, "secret-1")
    users.add_user(db, "admin", "desk1", Role.DESK, "desk-pass")
    users.add_user(db, "admin", "chief", Role.SUPERVISOR, "chief-pass")
    rows = audit_log.list_entries(db, "chief").rows
    assert [r.action for r in rows][:2] == ["add_user", "add_user"] and rows[0].action_label == "添加用户"
    assert audit_log.list_entries(db, "admin").rows
    assert audit_log.may_read(db, "chief") and not audit_log.may_read(db, "desk1")
    with pytest.raises(PermissionDeniedError, match="无权查看操作日志"):
        audit_log.list_entries(db, "desk1")
    with pytest.raises(PermissionDeniedError, match="无权查看操作日志"):
        audit_log.actors(db, "desk1")
    assert {"admin", "chief", "desk1"} <= set(audit_log.actors(db, "chief"))


def _sheet(tmp_path: Path, name: str, phone: str, township: str) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名", "身份证号", "电话", "乡镇", "诉求", "类别"])
    ws.append(["王学德", id_number(7), phone, township, "拖欠工资", "劳动社保"])
    ws.append(["张三", "", "13905701111", "", "修路", "交通"])
    path = tmp_path / name
    wb.save(path)
    return path


def test_import_twice_with_a_changed_phone_is_in_the_log_without_the_id(db: Database, tmp_path: Path) -> None:
    first, second = new_day(db, dt.date(2026, 6, 5)), new_day(db, DAY)
    import_registrations(db, _sheet(tmp_path, "六月.xlsx", "13805701234", "湖南镇"), first, actor="desk1")
    import_registrations(db, _sheet(tmp_path, "十二月.xlsx", "13805709999", "湖南镇"), second, actor="desk2")
    with db.read() as session:
        wang = session.scalar(select(Visitor).where(Visitor.name == "王学德"))
        assert wang is not None and wang.phone == "13805709999"
        stored = [(e.before, e.after, e.reason) for e in session.scalars(select(AuditEntry))]
    contacts = _all(db, AuditFilter(action="update_contact"))
    assert len(contacts) == 1  # 张三's phone did not change: nothing to record
    entry = contacts[0]
    assert (entry.actor, entry.entity, entry.entity_id, entry.action_label) == (
        "desk2",
        "visitor",
        wang.id,
        "更新联系方式",
    )
    assert (entry.before, entry.after) == ({"phone": "138****1234"}, {"phone": "138****9999"})  # masked
    assert [(c.label, c.before, c.after) for c in entry.changes] == [("电话", "138****1234", "138****9999")]
    assert entry.subject == "来访人 王学德" and entry.reason == "十二月.xlsx"
    # the person's entries are found through the batch of the day
    assert entry.id in {r.id for r in _all(db, AuditFilter(batch="Y0001", day_id=second))}
    assert id_number(7) not in json.dumps(stored, ensure_ascii=False)


def test_resident_ids_are_masked_wherever_they_show() -> None:
    full = id_number(3)
    shown = audit_log.show_value("note", f"核对 {full} 的身份")
    assert full not in shown and full[:6] + "********" + full[-4:] in shown
    assert audit_log.show_value("arrived_at", "2026-12-04T02:42:00") == "2026-12-04 10:42:00"
    assert audit_log.show_value("resolved", True) == "是" and audit_log.show_value("phone", None) == "—"
    assert audit_log.show_value("flags", ["repeat", "collective"]) == "重复访、集体访"
    assert audit_log.mask_ids("订单号 12345") == "订单号 12345"


def test_every_action_the_services_write_has_a_chinese_label() -> None:
    patterns = (
        r'audit\.record\(\s*session,\s*[^,]+,\s*"(\w+)"',
        r'"action":\s*"(\w+)"',
        r'_record\(session,\s*actor,\s*"(\w+)"',
        r'_audited\(session,\s*case,\s*actor,\s*"(\w+)"',
        r'"(\w+)" if \w+ else "(\w+)",\s*"app_user"',
    )
    found: set[str] = set()
    for path in (ROOT / "reception_desk" / "services").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in patterns:
            for match in re.finditer(pattern, text):
                found.update(g for g in match.groups() if g)
    found.discard("action")
    assert {"check_in", "move", "import", "update_contact", "sign", "enable_user", "disable_user"} <= found
    assert not found - set(audit_log.ACTION_LABELS), "actions without a Chinese label"
    assert audit_log.action_label("something_new") == "something_new"


def test_times_follow_the_office_zone(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    new_day(db, DAY)
    monkeypatch.setenv(office_time.ZONE_ENV, "Europe/Berlin")
    office_time.reload_zone()
    try:
        _set_time(db, [r.id for r in _all(db, AuditFilter())], dt.datetime(2026, 12, 4, 8, 0))
        row = _all(db, AuditFilter())[0]
        assert row.to_json()["at"] == "2026-12-04T09:00:00+01:00"
        assert audit_log.parse_since("2026-12-04 09:00") == dt.datetime(2026, 12, 4, 8, 0)
    finally:
        monkeypatch.delenv(office_time.ZONE_ENV)
        office_time.reload_zone()


def test_a_registration_edit_records_the_peoples_changes_with_the_id_masked(db: Database) -> None:
    """Correcting a person's phone and ID in the edit dialog is in the log: before → after, never the whole ID."""
    day_id = new_day(db, DAY)
    old_id, new_id = id_number(11), id_number(12)
    batch_id, _ = registrations.add_registration(
        db, day_id, registrations.RegistrationInput(registrations.PersonInput("柴卫发", old_id, "13805701234"), "修路")
    )
    data = load_registration(db, batch_id)
    lead = dataclasses.replace(data.data.lead, id_number=new_id, phone="13905709876")
    update_registration(
        db, batch_id, dataclasses.replace(data.data, lead=lead), "desk", data.version, data.visitor_versions
    )
    with db.read() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "edit", AuditEntry.entity_id == batch_id)
        ).one()
    stored = json.dumps([entry.before, entry.after], ensure_ascii=False)
    assert old_id not in stored and new_id not in stored  # the log never holds a whole resident ID
    assert entry.before is not None and entry.after is not None
    assert entry.before["people"][0]["phone"] == "138****1234"  # phones masked too
    assert entry.after["people"][0]["phone"] == "139****9876"
    assert "13805701234" not in stored and "13905709876" not in stored
    assert entry.after["people"][0]["id_number"] == new_id[:6] + "********" + new_id[-4:]
    row = next(r for r in _all(db, AuditFilter()) if r.id == entry.id)
    shown = {c.label: (c.before, c.after) for c in row.changes}
    assert "139****9876" in shown["来访人信息"][1] and "柴卫发" in shown["来访人信息"][0]
