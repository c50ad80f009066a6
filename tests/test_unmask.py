"""显示完整号码 by role, with a reason, logged; papers and exports never carry a whole ID or phone unless an admin
exports with a reason (logged too). SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from reception_desk.cli.main import main
from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.db.models import AuditEntry, Batch
from reception_desk.domain import phone as phones
from reception_desk.domain import resident_id
from reception_desk.domain.roles import Role
from reception_desk.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from reception_desk.printing import HandoverSlipRenderer
from reception_desk.printing.reminders import ReminderRenderer
from reception_desk.services import audit_log, cases, report_data, unmask, users
from reception_desk.services.case_export import export_cases
from reception_desk.services.exporting import export_registrations
from tests.life_builders import at, dept, handed, id_number, new_day, record, visit

DAY = dt.date(2026, 12, 4)
PHONE = "13857004321"
GROUPED = "138 5700 4321"  # how a whole phone used to be printed


@dataclass(frozen=True)
class Office:
    """A day with one visitor whose case was handed over, then the four users (login on from then)."""

    day_id: int
    visitor_id: int
    case_id: int
    id_number: str


def _office(db: Database) -> Office:
    day_id = new_day(db, DAY)
    wang_id = id_number(7)
    batch_id = visit(db, day_id, "王学德", id_no=wang_id, phone=PHONE)
    case_id = record(db, batch_id, handed(dept(db, "人力资源和社会保障局")), at(DAY, 10))
    detail = cases.case_detail(db, case_id)
    users.add_user(db, "setup", "admin", Role.ADMIN, "demo-admin")
    users.add_user(db, "admin", "desk1", Role.DESK, "demo-desk")
    users.add_user(db, "admin", "host1", Role.HOST, "demo-host", rooms=[1, 2, 3])
    users.add_user(db, "admin", "chief", Role.SUPERVISOR, "demo-chief")
    with db.read() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        visitor_id = batch.lead_visitor_id
    assert detail.id_number == wang_id
    return Office(day_id, visitor_id, case_id, wang_id)


def _entries(db: Database, action: str) -> list[AuditEntry]:
    with db.read() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count(AuditEntry.id))) or 0)


def _stored(entry: AuditEntry) -> str:
    return json.dumps([entry.before, entry.after, entry.reason], ensure_ascii=False)


# ------------------------------------------------------------------------------------------------ 显示完整号码


def test_an_unmask_shows_the_number_and_logs_who_whom_why_without_it(db: Database) -> None:
    o = _office(db)
    shown = unmask.reveal(db, "desk1", o.visitor_id, "  核对来访人身份证件 ")
    assert (shown.value, shown.masked, shown.name) == (o.id_number, resident_id.mask(o.id_number), "王学德")
    phone = unmask.reveal(db, "chief", o.visitor_id, "联系来访人", field=unmask.PHONE)
    assert (phone.value, phone.masked) == (PHONE, "138****4321")

    first, second = _entries(db, "unmask")
    assert (first.actor, first.entity, first.entity_id, first.reason) == (
        "desk1",
        "visitor",
        o.visitor_id,
        "核对来访人身份证件",
    )
    assert first.before is None and first.after == {"field": "id_number", "name": "王学德"}
    assert (second.actor, second.after, second.reason) == ("chief", {"field": "phone", "name": "王学德"}, "联系来访人")
    for entry in (first, second):  # the log never holds the number itself
        assert o.id_number not in _stored(entry) and PHONE not in _stored(entry)
        assert entry.at is not None and entry.id in (shown.audit_id, phone.audit_id)

    # the admin's list: who, whom, why, when, newest first; nobody else may read it
    events = unmask.unmask_events(db, "admin")
    assert [(e.actor, e.whom, e.field, e.reason) for e in events] == [
        ("chief", "王学德", "phone", "联系来访人"),
        ("desk1", "王学德", "id_number", "核对来访人身份证件"),
    ]
    assert events[0].at_local.utcoffset() == dt.timedelta(hours=8)
    assert unmask.unmask_events(db, "admin", since=dt.datetime(2099, 1, 1)) == []
    for refused in ("chief", "desk1", "host1"):
        with pytest.raises(PermissionDeniedError, match="无权管理"):
            unmask.unmask_events(db, refused)

    # the 操作日志 names it 查看完整号码, the field as 身份证号, the person by name
    (row,) = audit_log.list_entries(db, "admin", audit_log.AuditFilter(actor="desk1", action="unmask")).rows
    assert (row.action_label, row.subject, row.reason) == ("查看完整号码", "来访人 王学德", "核对来访人身份证件")
    assert ("号码", "身份证号") in [(c.label, c.after) for c in row.changes]


def test_a_room_host_is_refused_and_nothing_is_logged(db: Database) -> None:
    o = _office(db)
    before = _count(db)
    with pytest.raises(PermissionDeniedError, match="接待室用户“host1”无权查看完整的身份证号和电话"):
        unmask.reveal(db, "host1", o.visitor_id, "核对来访人身份证件")
    with pytest.raises(PermissionDeniedError):
        unmask.reveal(db, "nobody", o.visitor_id, "核对来访人身份证件")
    assert _count(db) == before


def test_a_reason_is_required_and_the_field_must_be_known(db: Database) -> None:
    o = _office(db)
    before = _count(db)
    for reason in ("", "   ", "\n\t"):
        with pytest.raises(InvalidInputError, match="原因"):
            unmask.reveal(db, "desk1", o.visitor_id, reason)
    with pytest.raises(InvalidInputError, match="身份证号或电话"):
        unmask.reveal(db, "desk1", o.visitor_id, "核对", field="address")
    with pytest.raises(NotFoundError):
        unmask.reveal(db, "desk1", o.visitor_id + 999, "核对来访人身份证件")
    assert _count(db) == before


# ------------------------------------------------------------------------------------------------ papers


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_slip_and_reminder_carry_no_whole_id_or_phone_of_their_visitor(db: Database) -> None:
    o = _office(db)
    detail = cases.case_detail(db, o.case_id)
    out = io.BytesIO()
    HandoverSlipRenderer().render([detail], out)
    text = _pdf_text(out.getvalue())
    assert "王学德" in text and resident_id.mask(o.id_number) in text and phones.mask(PHONE) in text
    squeezed = "".join(text.split())
    for whole in (o.id_number, PHONE):
        assert whole not in squeezed
    assert GROUPED not in text

    reminders = report_data.reminders(db, dt.date(2027, 3, 1), [detail.case_no])
    out = io.BytesIO()
    ReminderRenderer().render(reminders, out)
    text = _pdf_text(out.getvalue())
    assert detail.case_no in text and phones.mask(PHONE) in text
    squeezed = "".join(text.split())
    for whole in (o.id_number, PHONE):
        assert whole not in squeezed


# ------------------------------------------------------------------------------------------------ exports


def _csv_text(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


def _csv_row(path: Path, name: str) -> dict[str, str]:
    rows = list(csv.DictReader(io.StringIO(_csv_text(path))))
    return next(r for r in rows if r["姓名"] == name)


def test_exports_are_masked_unless_an_admin_gives_a_reason_which_is_logged(db: Database, tmp_path: Path) -> None:
    o = _office(db)
    masked = tmp_path / "masked.csv"
    assert export_registrations(db, o.day_id, masked, actor="desk1") == 1
    row = _csv_row(masked, "王学德")
    assert (row["身份证号"], row["联系电话"]) == (resident_id.mask(o.id_number), "138****4321")
    assert o.id_number not in _csv_text(masked) and PHONE not in _csv_text(masked)
    assert _entries(db, "export_unmasked") == []

    whole = tmp_path / "whole.csv"
    reason = "公安机关依法调取（公函2026-17号）"
    assert export_registrations(db, o.day_id, whole, actor="admin", reveal_reason=reason) == 1
    row = _csv_row(whole, "王学德")
    assert (row["身份证号"], row["联系电话"]) == (o.id_number, PHONE)
    (entry,) = _entries(db, "export_unmasked")
    assert (entry.actor, entry.entity, entry.entity_id, entry.reason) == (
        "admin",
        "reception_day",
        o.day_id,
        "公安机关依法调取（公函2026-17号）",
    )
    assert entry.after == {"what": "预登记名单", "file": "whole.csv", "rows": 1}
    assert o.id_number not in _stored(entry)

    # anyone but an admin is refused, nothing written and nothing logged
    before = _count(db)
    for actor in ("desk1", "chief"):
        refused = tmp_path / f"{actor}.csv"
        with pytest.raises(PermissionDeniedError, match="无权管理"):
            export_registrations(db, o.day_id, refused, actor=actor, reveal_reason="想看看")
        assert not refused.exists()
    assert _count(db) == before

    # the case ledger alike
    ledger = tmp_path / "cases.xlsx"
    assert export_cases(db, ledger) == 1
    values = [c for r in load_workbook(ledger).active.iter_rows(values_only=True) for c in r]
    assert resident_id.mask(o.id_number) in values and o.id_number not in values and PHONE not in values
    full_ledger = tmp_path / "cases-full.xlsx"
    assert export_cases(db, full_ledger, actor="admin", reveal_reason="法院调取") == 1
    values = [c for r in load_workbook(full_ledger).active.iter_rows(values_only=True) for c in r]
    assert o.id_number in values and PHONE in values
    with pytest.raises(PermissionDeniedError):
        export_cases(db, tmp_path / "no.xlsx", actor="chief", reveal_reason="法院调取")
    assert [(e.reason, (e.after or {}).get("what")) for e in _entries(db, "export_unmasked")] == [
        ("公安机关依法调取（公函2026-17号）", "预登记名单"),
        ("法院调取", "案件台账"),
    ]
    # the admin's list of looks shows the exports too
    assert [(e.action, e.whom) for e in unmask.unmask_events(db, "admin")] == [
        ("export_unmasked", "案件台账"),
        ("export_unmasked", "预登记名单"),
    ]


# ------------------------------------------------------------------------------------------------ command line


def test_cli_export_with_reason_and_audit_unmask(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    db = Database(url)
    upgrade_to_head(db.engine)
    o = _office(db)
    unmask.reveal(db, "desk1", o.visitor_id, "核对来访人身份证件")
    db.dispose()

    def run(user: str, password: str, *args: str) -> int:
        monkeypatch.setenv("RECEPTION_DESK_USER", user)
        monkeypatch.setenv("RECEPTION_DESK_PASSWORD", password)
        return main(["--db", url, *args])

    out = tmp_path / "list.csv"
    day = DAY.isoformat()
    assert run("admin", "demo-admin", "export", "registrations", str(out), "--day", day) == 0
    assert o.id_number not in _csv_text(out)
    assert run("admin", "demo-admin", "export", "registrations", str(out), "--day", day, "--reveal-reason", "复核") == 0
    assert o.id_number in _csv_text(out) and "操作日志" in capsys.readouterr().out
    assert run("admin", "demo-admin", "export", "registrations", str(out), "--day", day, "--reveal-reason", " ") == 2
    assert run("desk1", "demo-desk", "export", "registrations", str(out), "--day", day, "--reveal-reason", "复核") == 3
    ledger = tmp_path / "cases.xlsx"
    assert run("chief", "demo-chief", "export", "cases", str(ledger), "--reveal-reason", "复核") == 3
    capsys.readouterr()

    assert run("admin", "demo-admin", "audit", "--unmask", "--json") == 0
    events = json.loads(capsys.readouterr().out)
    assert [(e["actor"], e["action"], e["whom"], e["field"], e["reason"]) for e in events] == [
        ("admin", "export_unmasked", "预登记名单", "", "复核"),
        ("desk1", "unmask", "王学德", "id_number", "核对来访人身份证件"),
    ]
    assert set(events[0]) >= {"id", "at", "actor", "action", "entity", "entity_id", "whom", "field", "reason"}
    assert run("admin", "demo-admin", "audit", "--unmask") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "查看完整身份证号\t王学德\t核对来访人身份证件" in lines[1]
    assert run("chief", "demo-chief", "audit", "--unmask", "--json") == 3  # the list is the admin's
    # the ordinary log keeps its keys and names the new actions
    assert run("admin", "demo-admin", "audit", "--action", "unmask", "--json") == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["action_label"] == "查看完整号码" and o.id_number not in json.dumps(entry, ensure_ascii=False)
