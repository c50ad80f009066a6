"""The after-the-day command line: a case's whole life, refusals (exit 2, nothing changed), --today, the calendar."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import sqlalchemy as sa

from reception_desk.cli.main import main
from reception_desk.db.engine import Database
from reception_desk.db.models import Batch, Case, CaseEvent
from reception_desk.domain import resident_id
from reception_desk.domain.deadlines import Colour, due_date
from reception_desk.domain.office_time import OFFICE_ZONE, to_utc
from reception_desk.services import case_life, cases
from reception_desk.services.assignment import assign_day
from reception_desk.services.holiday_calendar import load_calendar
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration, list_registrations
from tests.conftest import PG_URL
from tests.helpers import DAY, make_day, register


def cli_url(db: Database) -> str:
    """The URL the CLI opens for this test database (on PostgreSQL: bound to the test's schema)."""
    if db.dialect == "sqlite":
        return db.engine.url.render_as_string(hide_password=False)
    with db.read() as session:
        schema = session.scalar(sa.text("select current_schema()"))
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


class Cli:
    """Runs `reception-desk` in-process against one database, as of an optional --today."""

    def __init__(self, db: Database, capsys: pytest.CaptureFixture[str]) -> None:
        self.url = cli_url(db)
        self.capsys = capsys

    def run(self, *argv: str, today: dt.date | None = None) -> tuple[int, str, str]:
        """Exit code, stdout, stderr."""
        extra = ["--today", today.isoformat()] if today else []
        code = main(["--db", self.url, "--user", "测试员", *extra, *argv])
        out, err = self.capsys.readouterr()
        return code, out, err

    def ok(self, *argv: str, today: dt.date | None = None) -> str:
        """stdout of a command that must succeed."""
        code, out, err = self.run(*argv, today=today)
        assert code == 0, err
        return out

    def json(self, *argv: str, today: dt.date | None = None) -> Any:
        """The parsed --json output of a command that must succeed."""
        return json.loads(self.ok(*argv, "--json", today=today))


def _iso(local: str) -> str:
    return dt.datetime.fromisoformat(local).replace(tzinfo=OFFICE_ZONE).isoformat()


def _day_with_batches(db: Database, n: int = 2) -> list[str]:
    day_id = make_day(db)
    register(db, day_id, n)
    assign_day(db, day_id)
    return [r.reg_no for r in list_registrations(db, day_id)]


def _events(db: Database, case_no: str) -> list[tuple[str, dt.datetime]]:
    with db.read() as session:
        rows = session.execute(
            sa.select(CaseEvent.kind, CaseEvent.at)
            .join(Case, Case.id == CaseEvent.case_id)
            .where(Case.case_no == case_no)
            .order_by(CaseEvent.at, CaseEvent.id)
        )
        return [(k, at) for k, at in rows]


def test_a_case_through_its_whole_life(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    cli = Cli(db, capsys)
    handed, spot = _day_with_batches(db)

    checked = cli.json("checkin", handed, "--at", "2026-12-04 09:00")
    assert checked["reg_no"] == handed and checked["status"] == "waiting" and checked["queue_number"] == 1
    recorded = cli.json(
        "case", "record", handed, "--outcome", "交办", "--department", "人社局", "--colour", "yellow",
        "--instruction", "三日内答复", "--at", "2026-12-04 10:00",
    )  # fmt: skip
    expected_due = due_date(DAY, Colour.YELLOW, load_calendar(db))
    assert recorded["due_date"] == expected_due.isoformat()
    assert recorded["repeat_of"] is None and recorded["escalated"] is False
    case_no = recorded["case_no"]

    cli.ok("checkin", spot, "--at", "2026-12-04 09:05")
    on_spot = cli.json(
        "case", "record", spot, "--outcome", "当场解决", "--instruction", "当场答复。", "--at", "2026-12-04 10:30"
    )["case_no"]
    assert on_spot != case_no

    cli.ok("case", "sign", case_no, "--by", "人社局 张科长", "--at", "2026-12-04 15:00")
    cli.ok("case", "reply", case_no, "--text", "已约谈企业", "--by", "张科长", "--at", "2026-12-05 09:00")
    cli.ok("case", "reply", case_no, "--text", "工资已补发", "--at", "2026-12-07 16:00")
    cli.ok("case", "close", case_no, "--resolved", "no", "--text", "企业承诺分期", "--at", "2026-12-08T10:00")
    cli.ok("case", "followup", case_no, "--rating", "基本满意", "--method", "上门", "--at", "2026-12-09 11:00")

    shown = cli.json("case", "show", case_no)
    assert [(e["kind"], e["at"]) for e in shown["events"]] == [
        ("signed", _iso("2026-12-04T15:00")),
        ("feedback", _iso("2026-12-05T09:00")),
        ("feedback", _iso("2026-12-07T16:00")),
        ("closed", _iso("2026-12-08T10:00")),
        ("follow_up", _iso("2026-12-09T11:00")),
    ]
    assert shown["events"][0]["by"] == "人社局 张科长" and shown["events"][2]["text"] == "工资已补发"
    assert shown["status"] == "closed" and shown["resolved"] is False and shown["rating"] == "basically"
    assert shown["department"] == "人力资源和社会保障局" and shown["instruction"] == "三日内答复"
    assert shown["due_date"] == expected_due.isoformat() and shown["reg_no"] == handed

    # what the database holds, read through the services
    detail = cases.case_detail(db, case_life.find_case_id(db, case_no))
    assert detail.status == "closed" and detail.signed_by == "人社局 张科长" and detail.satisfaction == "basically"
    assert detail.closed_at == to_utc(dt.datetime(2026, 12, 8, 10, 0))
    assert [k for k, _ in _events(db, on_spot)] == ["closed"]

    listed = cli.json("cases", "--all-days", today=dt.date(2026, 12, 10))
    by_no = {r["case_no"]: r for r in listed}
    assert set(by_no) == {case_no, on_spot}
    row = by_no[case_no]
    assert row["status"] == "closed" and row["rating"] == "basically" and row["overdue"] is False
    assert row["department"] == "人力资源和社会保障局" and row["reg_no"] == handed and row["name"]
    assert by_no[on_spot]["outcome"] == "resolved" and by_no[on_spot]["due_date"] is None

    later = cli.json("metrics", today=dt.date(2026, 12, 10))
    # 2 cases: the handed-over one closed by its due date (化解 no, rated 基本满意), the on-the-spot one unrated
    assert (later["cases"], later["handed_over"], later["closed"], later["closed_on_time"]) == (2, 1, 2, 1)
    assert (later["rated"], later["satisfied"], later["resolved"], later["overdue"]) == (1, 1, 1, 0)
    assert later["on_time_rate"] == 1.0 and later["participation_rate"] == 0.5
    assert later["satisfaction_rate"] == 1.0 and later["resolution_rate"] == 0.5

    # as of the day after the reception day only the on-the-spot case was closed; nothing handed over was due
    earlier = cli.json("metrics", "--day", DAY.isoformat(), today=dt.date(2026, 12, 5))
    assert earlier["closed"] == 1 and earlier["rated"] == 0
    assert earlier["on_time_rate"] is None and earlier["participation_rate"] == 0.0
    assert earlier["satisfaction_rate"] is None

    grouped = cli.json("metrics", "--by", "department", today=dt.date(2026, 12, 10))
    assert {g["name"]: g["cases"] for g in grouped["by"]}["人力资源和社会保障局"] == 1

    text = cli.ok("metrics", today=dt.date(2026, 12, 10))
    assert "参评率\t50.00%" in text and "按期办结率\t100.00%" in text
    view = cli.ok("case", "show", case_no)
    assert "回访" in view and "工资已补发" in view and "未化解" in view


def test_a_step_in_the_wrong_state_exits_2_and_changes_nothing(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(db, capsys)
    first, second = _day_with_batches(db)

    # recording a batch that never checked in is refused, and the batch is not left called into its room
    code, out, err = cli.run("case", "record", second, "--outcome", "交办", "--department", "人社局", "--colour", "red")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "批次" in err
    with db.read() as session:
        batch = session.scalars(sa.select(Batch).where(Batch.reg_no == second)).one()
        assert batch.status == "registered" and batch.called_at is None
        assert session.scalar(sa.select(sa.func.count(Case.id))) == 0

    cli.ok("checkin", first, "--at", "2026-12-04 09:00")
    recorded = cli.json(
        "case", "record", first, "--outcome", "handed_over", "--department", "人社局", "--colour", "green",
        "--at", "2026-12-04 10:00",
    )  # fmt: skip
    case_no = recorded["case_no"]
    before = cases.case_detail(db, case_life.find_case_id(db, case_no))

    for argv, word in (
        (("case", "reply", case_no, "--text", "已处理", "--at", "2026-12-04 11:00"), "签收"),
        (("case", "followup", case_no, "--rating", "满意", "--at", "2026-12-04 11:00"), "办结"),
        (("case", "close", case_no, "--resolved", "yes", "--at", "2026-12-04 11:00"), "签收"),
        (("case", "escalate", case_no), "提级核查"),
        (("case", "followup", case_no, "--rating", "很好"), "回访结果"),
        (("case", "sign", case_no, "--by", "张三", "--at", "2026-12-04 09:30"), "早于"),
        (("case", "sign", case_no, "--by", "张三", "--at", "昨天"), "时间格式"),
    ):
        code, out, err = cli.run(*argv, today=dt.date(2026, 12, 5))
        assert code == 2, argv
        assert out == "" and len(err.strip().splitlines()) == 1 and word in err, (argv, err)

    after = cases.case_detail(db, case_life.find_case_id(db, case_no))
    assert after == before
    assert _events(db, case_no) == []

    for unknown, word in (
        (("case", "show", "JF-20261204-09-099", "--json"), "JF-20261204-09-099"),
        (("case", "sign", "JF-20990101-01-001", "--by", "张三"), "没有编号"),
        (("checkin", "Y9999"), "Y9999"),
        (("cases", "--department", "没有这个局"), "没有这个局"),
        (("case", "record", first, "--outcome", "交办", "--department", "没有这个局", "--colour", "red"), "没有这个局"),
    ):
        code, out, err = cli.run(*unknown)
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and word in err, (unknown, err)


def test_today_decides_what_is_overdue(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    cli = Cli(db, capsys)
    reg_no, _ = _day_with_batches(db)
    cli.ok("checkin", reg_no, "--at", "2026-12-04 09:00")
    recorded = cli.json(
        "case", "record", reg_no, "--outcome", "交办", "--department", "人社局", "--colour", "green",
        "--at", "2026-12-04 10:00",
    )  # fmt: skip
    due = dt.date.fromisoformat(recorded["due_date"])

    on_due_day = cli.json("cases", "--day", DAY.isoformat(), today=due)
    assert [r["overdue"] for r in on_due_day] == [False]
    assert cli.json("cases", "--status", "overdue", today=due) == []

    day_after = due + dt.timedelta(days=1)
    overdue = cli.json("cases", "--status", "overdue", today=day_after)
    assert [(r["case_no"], r["overdue"], r["overdue_days"]) for r in overdue] == [(recorded["case_no"], True, 1)]
    assert cli.json("case", "show", recorded["case_no"], today=day_after)["overdue"] is True
    assert cli.json("metrics", today=day_after)["overdue"] == 1
    assert cli.json("metrics", today=due)["overdue"] == 0

    # without --at the step happens on --today (at the current wall-clock time)
    cli.ok("case", "sign", recorded["case_no"], "--by", "张三", today=day_after)
    ((kind, at),) = _events(db, recorded["case_no"])
    assert kind == "signed" and to_utc(dt.datetime.combine(day_after, dt.time())) <= at
    assert at < to_utc(dt.datetime.combine(day_after + dt.timedelta(days=1), dt.time()))

    # an extension moves the due date, and the case is no longer overdue on that --today
    cli.ok("case", "extend", recorded["case_no"], "--to", (day_after + dt.timedelta(days=5)).isoformat(),
           "--reason", "需现场核查", "--approved-by", "王局长", today=day_after)  # fmt: skip
    assert cli.json("cases", "--status", "overdue", today=day_after) == []
    shown = cli.json("case", "show", recorded["case_no"], today=day_after)
    assert shown["original_due_date"] == due.isoformat() and shown["events"][-1]["kind"] == "extended"
    assert shown["events"][-1]["by"] == "王局长"


def test_a_repeat_of_a_closed_case_is_escalated(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    cli = Cli(db, capsys)
    first_day = make_day(db)
    person = PersonInput("钱多多", resident_id.make("330803", dt.date(1960, 5, 5), 7), "13805701234")
    add_registration(db, first_day, RegistrationInput(person, "工资拖欠", theme_code="labour"))
    assign_day(db, first_day)
    (reg_no,) = [r.reg_no for r in list_registrations(db, first_day)]
    cli.ok("checkin", reg_no, "--person", person.id_number, "--at", "2026-12-04 09:00")
    first = cli.json("case", "record", reg_no, "--outcome", "解释说明", "--at", "2026-12-04 10:00")

    second_day = make_day(db, dt.date(2026, 12, 11))
    add_registration(db, second_day, RegistrationInput(person, "工资仍未到位", theme_code="labour"))
    assign_day(db, second_day)
    (again,) = [r.reg_no for r in list_registrations(db, second_day)]
    cli.ok("checkin", again, "--person", "钱多多", "--day", "2026-12-11", "--at", "2026-12-11 09:00")
    second = cli.json(
        "case", "record", again, "--day", "2026-12-11", "--outcome", "交办", "--department", "人社局",
        "--colour", "red", "--escalate", "--at", "2026-12-11 10:00",
    )  # fmt: skip
    assert second["repeat_of"] == first["case_no"] and second["escalated"] is True
    shown = cli.json("case", "show", second["case_no"])
    assert shown["repeat_of"] == first["case_no"] and [e["kind"] for e in shown["events"]] == ["escalated"]
    rows = cli.json("cases", "--day", "2026-12-11")
    assert [(r["repeat_of"], r["theme"]) for r in rows] == [(first["case_no"], "劳动和社会保障")]


def test_calendar_show_and_set(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    cli = Cli(db, capsys)
    year = cli.json("calendar", "show", "2026")
    calendar = load_calendar(db)
    assert year["year"] == 2026 and year["scheduled"] is True and year["warning"] is None
    first, days = dt.date(2026, 1, 1), range(365)
    assert year["workdays"] == sum(calendar.is_workday(first + dt.timedelta(days=i)) for i in days)
    kinds = {d["date"]: d["kind"] for d in year["days"]}
    assert kinds["2026-10-01"] == "holiday" and set(kinds.values()) == {"holiday", "workday"}
    assert all(d["source"] == "package" for d in year["days"])

    unknown = cli.json("calendar", "show", "2031")
    assert unknown["scheduled"] is False and "2031" in unknown["warning"] and unknown["days"] == []
    assert "警告" in cli.ok("calendar", "show", "2031")

    cli.ok("calendar", "set", "2031-03-03", "holiday", "--note", "本地节日")
    cli.ok("calendar", "set", "2031-03-08", "workday", "--note", "调休")
    entered = cli.json("calendar", "show", "2031")
    assert entered["scheduled"] is True and entered["warning"] is None
    assert entered["days"] == [
        {"date": "2031-03-03", "kind": "holiday", "note": "本地节日", "source": "office"},
        {"date": "2031-03-08", "kind": "workday", "note": "调休", "source": "office"},
    ]
    assert entered["workdays"] == unknown["workdays"]  # one weekday off, one Saturday on
    assert not load_calendar(db).is_workday(dt.date(2031, 3, 3))

    code, _, err = cli.run("calendar", "set", "2031-03-04", "maybe")
    assert code == 2 and "未知的日期类型" in err
